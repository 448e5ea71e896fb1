/** A record travelling between step topics. */
import { z } from 'zod';
import { stepNameSchema } from './steps.ts';

/** A record on its way to the next step; it carries its task's plan. */
export const envelopeSchema = z.object({
  taskId: z.string(),
  datasetId: z.string(),
  recordId: z.string(),
  plan: z.array(stepNameSchema),
  /** Index in `plan` of the step to run now. */
  stepIndex: z.number().int().nonnegative(),
  /** The record's content (XML), or null when it travels as a reference. */
  content: z.string().nullable(),
  contentRef: z.string().optional(),
  /** Where the record came from (OAI identifier, archive path): tells duplicates apart. */
  sourceId: z.string().optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;
