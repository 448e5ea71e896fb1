/**
 * Tasks: what an operator asks for (dataset, source, steps, parameters, limits) and the task
 * lifecycle as a named transition table.
 */
import { z } from 'zod';
import { stepNameSchema } from './steps.ts';

export const datasetSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, 'dataset id: letters, digits, _ and - only'),
  name: z.string().min(1).max(255),
  country: z.string().min(1).max(64).default('Europe'),
  language: z.string().min(2).max(8).default('mul'),
});
export type Dataset = z.infer<typeof datasetSchema>;

export const sourceSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('oai'),
    url: z.string().url(),
    metadataPrefix: z.string().min(1).default('edm'),
    set: z.string().optional(),
    from: z.string().optional(),
    until: z.string().optional(),
    /**
     * How records are read: `ListIdentifiers` + one `GetRecord` per record (Metis; the default), or
     * `ListRecords` (records come with the listing's pages: one request per page) where the provider supports it.
     */
    verb: z.enum(['ListIdentifiers', 'ListRecords']).optional(),
  }),
  z.object({ type: z.literal('archive'), url: z.string().min(1) }),
  /** Records stored by an earlier task after one of its steps: re-run from the next step. */
  z.object({ type: z.literal('previous'), taskId: z.string().min(1), step: stepNameSchema }),
  /** Records arriving one by one through the seed's record_execution table (Debezium intake). */
  z.object({ type: z.literal('seed'), executionName: z.string() }),
  /** Depublication: a whole dataset or some records (metis-steps.md §12). */
  z.object({
    type: z.literal('depublish'),
    /** Europeana ids (`/dataset/local`): at most 255 characters each, as in Metis (edm/ids.ts). */
    recordIds: z.array(z.string().min(1).max(255)).optional(),
    reason: z.string().min(1),
  }),
]);
export type Source = z.infer<typeof sourceSchema>;

export const limitsSchema = z
  .object({
    /** Stop listing after this many records (the Sandbox's "step size"). */
    recordLimit: z.number().int().positive().optional(),
    /** Records of this task in flight at once, per worker partition. */
    maxInFlight: z.number().int().positive().optional(),
  })
  .default({});

export const paramsSchema = z
  .object({
    /** Provider XSLT (inline text) turning provider XML into EDM external (the Sandbox's optional step). */
    externalXslt: z.string().optional(),
    /** A non-default XSLT for the EDM external → internal step (inline text). */
    transformXslt: z.string().optional(),
    /** Incremental harvest: skip records whose content did not change since the dataset's last harvest. */
    incremental: z.boolean().default(false),
    /** After a full harvest, records no longer at the source are removed from the index. */
    detectDeleted: z.boolean().default(false),
    mediaMode: z.enum(['full', 'reduced']).default('full'),
  })
  .default({ incremental: false, detectDeleted: false, mediaMode: 'full' });

export const taskSpecSchema = z.object({
  dataset: datasetSchema,
  source: sourceSchema,
  steps: z.array(stepNameSchema).min(1).optional(),
  params: paramsSchema,
  limits: limitsSchema,
});
export type TaskSpec = z.infer<typeof taskSpecSchema>;
export type TaskSpecInput = z.input<typeof taskSpecSchema>;
