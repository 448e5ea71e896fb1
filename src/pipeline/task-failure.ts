/**
 * A broken setup (a catalogue error of kind `task`: missing schemas, an XSLT that does not compile,
 * a bad parameter) fails its task once: one `failed` task event with the error's message as the
 * reason, instead of one failed outcome per record with the same message. The records of the task
 * that are still in flight, or arrive later, are cancelled (the task cache reports it stopped).
 *
 * "Once" is per worker process: the task cache remembers the failure at once, so concurrent and
 * later records of this process do not repeat it. Another worker may send its own event for the same
 * task; the store's transition table makes the second one a no-op (failed is terminal).
 */
import type { RecordContext } from '../engine/index.ts';
import type { PipelineContext } from './context.ts';
import { ROUTE, emit } from './routes.ts';

/** Sends the task's `failed` event with `reason` unless this process already did (or saw the task stop). */
export function failTask(
  p: PipelineContext,
  ctx: RecordContext<string, unknown>,
  taskId: string,
  reason: string,
  code?: string,
): void {
  if (!p.tasks.markFailed(taskId)) return;
  p.logger.warn({ taskId, code }, `task failed: ${reason}`);
  emit(ctx, ROUTE.outcomes, taskId, { kind: 'task', taskId, event: 'failed', reason });
}
