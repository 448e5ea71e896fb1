/**
 * The pipeline's vocabulary: tasks (what an operator asks for), the messages that travel between
 * topologies (fetch commands, record envelopes, outcome events) and their zod schemas, which guard
 * every boundary where they are read back (Kafka, the API, Debezium).
 */
import { z } from 'zod';

/** Metis steps in their only allowed order (metis-steps.md §0.2); link checking may follow any step. */
export const STEP_ORDER = [
  'harvest',
  'transform-external',
  'validate-external',
  'transform',
  'validate-internal',
  'normalize',
  'enrich',
  'media',
  'preview',
  'publish',
] as const;
export const STEP_NAMES = [...STEP_ORDER, 'linkcheck', 'depublish'] as const;
export type StepName = (typeof STEP_NAMES)[number];
export const stepNameSchema = z.enum(STEP_NAMES);

/** The full Metis chain, from harvest to publish (transform-external only when a provider XSLT is given). */
export const DEFAULT_STEPS: StepName[] = STEP_ORDER.filter((s) => s !== 'transform-external');

export const datasetSchema = z.object({
  id: z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'dataset id: letters, digits, _ and - only'),
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
  }),
  z.object({ type: z.literal('archive'), url: z.string().min(1) }),
  /** Records stored by an earlier task after one of its steps: re-run from the next step. */
  z.object({ type: z.literal('previous'), taskId: z.string().min(1), step: stepNameSchema }),
  /** Records arriving one by one through the seed's record_execution table (Debezium intake). */
  z.object({ type: z.literal('seed'), executionName: z.string() }),
  /** Depublication: a whole dataset or some records (metis-steps.md §12). */
  z.object({
    type: z.literal('depublish'),
    recordIds: z.array(z.string()).optional(),
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

export const TASK_STATES = ['queued', 'harvesting', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Legal task state transitions; anything else is a bug and throws. */
export const TASK_TRANSITIONS: Record<TaskState, TaskState[]> = {
  queued: ['harvesting', 'processing', 'failed', 'cancelled'],
  harvesting: ['processing', 'completed', 'failed', 'cancelled'],
  processing: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

/** The steps a task runs, validated against Metis's order. */
export function planSteps(spec: TaskSpec): StepName[] {
  if (spec.source.type === 'depublish') return ['depublish'];
  let steps = spec.steps ?? [...DEFAULT_STEPS];
  if (spec.source.type === 'previous') {
    // A re-run starts right after the step whose stored outputs it reads.
    const from = STEP_ORDER.indexOf(spec.source.step as (typeof STEP_ORDER)[number]);
    if (!spec.steps) steps = DEFAULT_STEPS.filter((s) => STEP_ORDER.indexOf(s as (typeof STEP_ORDER)[number]) > from);
    steps = steps.filter((s) => s !== 'harvest');
  }
  if (spec.params.externalXslt && steps.includes('harvest') && !steps.includes('transform-external')) {
    steps = [steps[0], 'transform-external', ...steps.slice(1)];
  }
  let last = -1;
  for (const s of steps) {
    if (s === 'linkcheck') continue;
    if (s === 'depublish') throw new Error('Depublication runs alone, as a task whose source is "depublish"');
    const i = STEP_ORDER.indexOf(s);
    if (i <= last) throw new Error(`Step "${s}" is out of Metis's order (${STEP_ORDER.join(' → ')})`);
    last = i;
  }
  return steps;
}

// ---- messages between topologies ----

/** Task commands on the tasks topic. */
export const taskCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), taskId: z.string() }),
  z.object({ type: z.literal('cancel'), taskId: z.string() }),
  /** Continue an OAI-PMH listing: one page per command, so a crash resumes from the last token. */
  z.object({
    type: z.literal('list'),
    taskId: z.string(),
    token: z.string().optional(),
    emitted: z.number().int().nonnegative(),
  }),
]);
export type TaskCommand = z.infer<typeof taskCommandSchema>;

/** One record to fetch (OAI GetRecord) for a task. */
export const fetchCommandSchema = z.object({
  taskId: z.string(),
  identifier: z.string(),
  datestamp: z.string().optional(),
  index: z.number().int(),
});
export type FetchCommand = z.infer<typeof fetchCommandSchema>;

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

export const messageSchema = z.object({
  level: z.enum(['info', 'warn', 'error']),
  code: z.string(),
  message: z.string(),
  detail: z.string().optional(),
});

/** What every (record × step) produced, and task-level events, on the outcomes topic. */
export const outcomeEventSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('record'),
    taskId: z.string(),
    recordId: z.string(),
    step: stepNameSchema,
    status: z.enum(['success', 'warn', 'fail', 'cancelled']),
    messages: z.array(messageSchema),
    content: z.string().nullable(),
    contentRef: z.string().optional(),
    data: z.record(z.string(), z.unknown()).optional(),
    /** The record goes no further (failed, cancelled, or the plan's last step). */
    terminal: z.boolean(),
  }),
  z.object({
    kind: z.literal('task'),
    taskId: z.string(),
    event: z.enum(['listing-started', 'expected', 'listing-done', 'failed', 'cancelled']),
    expected: z.number().int().nonnegative().optional(),
    reason: z.string().optional(),
  }),
]);
export type OutcomeEvent = z.infer<typeof outcomeEventSchema>;
export type RecordOutcomeEvent = Extract<OutcomeEvent, { kind: 'record' }>;
export type TaskOutcomeEvent = Extract<OutcomeEvent, { kind: 'task' }>;
