/** A record travelling between step topics. */
import { z } from 'zod';
import { stepNameSchema } from './steps.ts';
import { messageSchema } from './outcome-events.ts';

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
  /**
   * On a freshly harvested record on its way to admission: its harvest outcome, written by admission
   * once it knows the record is no duplicate (`stepIndex` is then 1, past the harvest step).
   */
  harvest: z
    .object({
      status: z.enum(['success', 'warn']),
      messages: z.array(messageSchema),
      data: z.record(z.string(), z.unknown()),
    })
    .optional(),
});
export type Envelope = z.infer<typeof envelopeSchema>;
