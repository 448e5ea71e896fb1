/** What every (record × step) produced, and task-level events, on the outcomes topic. */
import { z } from 'zod';
import { stepNameSchema } from './steps.ts';

export const messageSchema = z.object({
  level: z.enum(['info', 'warn', 'error']),
  code: z.string(),
  message: z.string(),
  detail: z.string().optional(),
});

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
    /**
     * The step left the content as it came (a validation): `content` is null and the content is the
     * one the result of this earlier step of the same task and record holds (stored once).
     */
    contentFrom: stepNameSchema.optional(),
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
