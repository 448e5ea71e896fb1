/**
 * Response shapes for the OpenAPI document (docs/API.md, "Shapes"). They document; they do not
 * filter: the server serializes answers with JSON.stringify, whatever the schema says.
 */
import { z } from 'zod';
import { STEP_NAMES, TASK_STATES } from '../model/index.ts';

const time = z.string().describe('ISO 8601');
const step = z.enum(STEP_NAMES);

export const errorResponse = z.object({
  error: z.object({
    code: z.string().describe('catalogue code (src/errors/README.md)'),
    message: z.string(),
    field: z.string().optional().describe('the first bad field: dataset.id, query.limit, steps[1], …'),
    issues: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  }),
});

export const stepProgress = z.object({
  step,
  success: z.number(),
  warn: z.number(),
  fail: z.number(),
  cancelled: z.number(),
  total: z.number(),
  firstAt: time.nullable(),
  lastAt: time.nullable(),
  ratePerSecond: z.number().nullable().describe('records / max(lastAt − firstAt, 1 s)'),
  etaSeconds: z.number().nullable(),
});

export const progress = z.object({
  taskId: z.string(),
  state: z.enum(TASK_STATES),
  reason: z.string().nullable(),
  expectedTotal: z.number().nullable(),
  listingDone: z.boolean(),
  processed: z.number(),
  deletedAtSource: z.number(),
  durationSeconds: z.number(),
  steps: z.array(stepProgress),
});

export const task = z.object({
  taskId: z.string(),
  datasetId: z.string(),
  datasetName: z.string(),
  state: z.enum(TASK_STATES),
  reason: z.string().nullable(),
  plan: z.array(step),
  spec: z.record(z.string(), z.unknown()).describe('the task model (src/model/task.ts)'),
  origin: z.record(z.string(), z.unknown()).nullable(),
  expectedTotal: z.number().nullable(),
  listingDone: z.boolean(),
  processed: z.number(),
  createdAt: time,
  startedAt: time.nullable(),
  finishedAt: time.nullable(),
});

export const taskWithProgress = task.extend({ progress });

export const taskList = z.object({ total: z.number(), tasks: z.array(task) });

export const errorReport = z.object({
  total: z.number().describe('matching groups'),
  totalRecords: z.number(),
  groups: z.array(
    z.object({
      step,
      level: z.enum(['warn', 'error']),
      message: z.string(),
      count: z.number(),
      sampleIds: z.array(z.string()),
    }),
  ),
  bySteps: z.array(z.object({ step, level: z.enum(['warn', 'error']), groups: z.number(), records: z.number() })),
});

const status = z.enum(['success', 'warn', 'fail', 'cancelled']);

export const recordList = z.object({
  total: z.number(),
  records: z.array(
    z.object({
      recordId: z.string(),
      status,
      lastStep: step,
      steps: z.record(z.string(), status),
      contentTier: z.string().nullable(),
      metadataTier: z.string().nullable(),
    }),
  ),
});

export const recordJourney = z.object({
  recordId: z.string(),
  status,
  lastStep: step,
  steps: z.array(
    z.object({
      step,
      status,
      hasContent: z.boolean(),
      messages: z.array(
        z.object({ level: z.string(), code: z.string(), message: z.string(), detail: z.string().optional() }),
      ),
      data: z.record(z.string(), z.unknown()).nullable(),
    }),
  ),
  tiers: z.record(z.string(), z.string()).nullable(),
  thumbnails: z.array(z.string()).describe('paths of /api/thumbnails/:name'),
});

export const recordDiff = z.object({
  recordId: z.string(),
  from: step,
  to: step,
  added: z.number(),
  removed: z.number(),
  unified: z.string(),
  lines: z.array(
    z.object({
      op: z.enum([' ', '+', '-']),
      text: z.string(),
      fromLine: z.number().nullable(),
      toLine: z.number().nullable(),
    }),
  ),
});

export const tiers = z.object({
  total: z.number(),
  content: z.record(z.string(), z.number()),
  metadata: z.record(z.string(), z.number()),
  matrix: z.array(z.object({ contentTier: z.string(), metadataTier: z.string(), count: z.number() })),
  tierZero: z.object({
    content: z.object({ total: z.number(), samples: z.array(z.string()) }),
    metadata: z.object({ total: z.number(), samples: z.array(z.string()) }),
  }),
});
