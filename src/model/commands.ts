/** Commands between topologies: task commands on the tasks topic, fetch commands on the fetch topic. */
import { z } from 'zod';

/** Task commands on the tasks topic. */
export const taskCommandSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('start'), taskId: z.string() }),
  z.object({ type: z.literal('cancel'), taskId: z.string() }),
  /** Continue an OAI-PMH listing: a few pages per command (up to 1,000 records or 1 s), so a crash resumes from the last token. */
  z.object({
    type: z.literal('list'),
    taskId: z.string(),
    token: z.string().optional(),
    emitted: z.number().int().nonnegative(),
    /** Where the listing stands (pages and headers read, the token-cycle mark): bounds a hostile server. */
    progress: z
      .object({
        pages: z.number().int().nonnegative(),
        records: z.number().int().nonnegative(),
        mark: z.string().optional(),
      })
      .optional(),
  }),
  /**
   * Continue walking an archive or an earlier task's outputs: one page of at most `intakePageSize`
   * records per command, so no transaction carries a whole dataset and a crash resumes at the page.
   * `emitted`: entries walked so far (the archive's position); `after`: the last record id of an
   * earlier task's outputs (they are walked in record id order).
   */
  z.object({
    type: z.literal('walk'),
    taskId: z.string(),
    emitted: z.number().int().nonnegative(),
    after: z.string().optional(),
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
