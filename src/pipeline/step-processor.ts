/**
 * One processor per Metis step kind, reading that step's topic. For each record: drop it if its task
 * was cancelled (reported as `cancelled`), run the step, emit the outcome, and pass the record on to
 * the next step of its plan unless it failed (Metis's model: a failure stops the record, a warning
 * does not). Report-only steps (link checking) pass the content on unchanged. A run of CPU-bound
 * steps (validate → transform → validate → normalize) is done in one go, in the first one's processor.
 * A step that throws a task-level error (a broken setup: missing schemas, an XSLT that does not
 * compile) fails the task once (`task-failure.ts`) and the record is cancelled; a transient error is
 * retried within the task's retry budget (`transient.ts`), then fails the task the same way; any
 * other throw fails the record with the error's code.
 */
import type { Processor, RecordContext, StreamRecord } from '../engine/index.ts';
import type { StepOutcome } from '../steps/outcome.ts';
import { packContent, unpackContent, type PipelineContext } from './context.ts';
import { ROUTE, emit, recordEvent } from './routes.ts';
import type { Envelope, StepName } from '../model/index.ts';
import type { TaskRow } from '../store/pipeline-store.ts';
import { CPU_STEPS } from './cpu-steps.ts';
import { errorMessage, errors, isMetisError, isTaskError } from '../errors/index.ts';
import { failTask } from './task-failure.ts';
import { waitOut } from './transient.ts';

/** Steps that report on a record without returning its content (their result row holds none). */
const REPORT_ONLY_STEPS: ReadonlySet<StepName> = new Set(['linkcheck']);

export class StepProcessor implements Processor<string, Envelope, string, unknown> {
  constructor(
    private readonly p: PipelineContext,
    private readonly step: StepName,
  ) {}

  async process(record: StreamRecord<string, Envelope>, ctx: RecordContext<string, unknown>): Promise<void> {
    const e = record.value;
    if (await this.p.tasks.isStopped(e.taskId)) {
      this.cancelled(e, this.step, ctx);
      return;
    }
    const task = await this.p.tasks.get(e.taskId);
    if (!task) throw errors.TASK_NOT_FOUND({ taskId: e.taskId });
    let content = await waitOut(this.p, () => unpackContent(this.p, e), {
      what: `reading the payload of ${e.recordId}`,
      signal: ctx.signal,
    });
    // The earlier step of this task whose result holds (or names) `content`: a step that leaves it
    // as it came (a validation) names that step instead of carrying the content again.
    let from = contentSource(e.plan, e.stepIndex);
    // Consecutive CPU-bound steps run here one after the other (each still emits its outcome): a hop
    // between topics costs a transaction commit under exactly-once, a function call does not.
    for (let index = e.stepIndex; ; index++) {
      const step = e.plan[index];
      const last = index >= e.plan.length - 1;
      let outcome: StepOutcome;
      try {
        outcome = await this.run(task, step, e.recordId, content, ctx.signal);
      } catch (err) {
        // A broken setup fails the task once (not this record with the same message as all others).
        if (!isTaskError(err)) throw err;
        failTask(this.p, ctx, e.taskId, err.message, err.code);
        this.cancelled(e, step, ctx);
        return;
      }
      // Unchanged content is stored once: by reference, unless the outcome is terminal (the seed's
      // result tables take a terminal outcome's content as it is).
      const unchanged = outcome.status !== 'fail' && !last && from !== undefined && outcome.content === content;
      emit(
        ctx,
        ROUTE.outcomes,
        e.recordId,
        recordEvent(
          e.taskId,
          step,
          { ...outcome, recordId: e.recordId },
          last,
          outcome.status === 'fail' || unchanged ? null : (outcome.content ?? null),
          unchanged ? from : undefined,
        ),
      );
      if (outcome.status === 'fail' || last) return;
      if (outcome.content !== undefined) from = step;
      content = outcome.content ?? content;
      if (CPU_STEPS.has(step) && CPU_STEPS.has(e.plan[index + 1])) continue;
      const packed = await waitOut(this.p, () => packContent(this.p, content), {
        what: `storing the payload of ${e.recordId}`,
        signal: ctx.signal,
      });
      const forward: Envelope = { ...e, stepIndex: index + 1, ...packed };
      if (forward.content !== null) delete forward.contentRef;
      emit(ctx, ROUTE.steps, e.recordId, forward);
      return;
    }
  }

  /** The record stops here, counted as cancelled (its task was cancelled or failed). */
  private cancelled(e: Envelope, step: StepName, ctx: RecordContext<string, unknown>): void {
    const cancelled = { status: 'cancelled' as const, recordId: e.recordId, messages: [], content: null };
    emit(ctx, ROUTE.outcomes, e.recordId, { kind: 'record', taskId: e.taskId, step, terminal: true, ...cancelled });
  }

  /** The step's outcome; a task-level error (broken setup) is thrown for `process` to fail the task. */
  private async run(
    task: TaskRow,
    step: StepName,
    recordId: string,
    content: string,
    signal: AbortSignal,
  ): Promise<StepOutcome> {
    try {
      const fn = await this.p.ports.steps.forTask(task, step);
      // A transient error (the database restarting, a service refusing connections) is waited out
      // within the retry budget; a step that still fails then fails the task (RETRY_BUDGET_SPENT).
      return await this.p.slots.run(task.taskId, task.spec.limits.maxInFlight, () =>
        waitOut(this.p, () => fn({ recordId, content }, signal), { what: `${step} of ${recordId}`, signal }),
      );
    } catch (err) {
      if (isTaskError(err)) throw err.withContext({ taskId: task.taskId, step, recordId });
      // Any other throw is a bug or an unexpected condition: the record fails with it, the worker goes on.
      const code = isMetisError(err) ? err.code : 'STEP_ERROR';
      return {
        status: 'fail',
        recordId,
        messages: [
          { level: 'error', code, message: errorMessage(err), detail: err instanceof Error ? err.stack : undefined },
        ],
      };
    }
  }
}

/**
 * The step before `index` in `plan` whose result row holds the record's content as this step gets
 * it: the previous one, report-only steps (link checking: no content in their row) skipped;
 * undefined for the plan's first step (its content comes from outside the task).
 */
function contentSource(plan: readonly StepName[], index: number): StepName | undefined {
  for (let i = index - 1; i >= 0; i--) if (!REPORT_ONLY_STEPS.has(plan[i])) return plan[i];
  return undefined;
}
