/**
 * One processor per Metis step kind, reading that step's topic. For each record: drop it if its task
 * was cancelled (reported as `cancelled`), run the step, emit the outcome, and pass the record on to
 * the next step of its plan unless it failed (Metis's model: a failure stops the record, a warning
 * does not). Report-only steps (link checking) pass the content on unchanged.
 */
import type { Processor, RecordContext, StreamRecord } from '../engine/index.ts';
import type { StepOutcome } from '../steps/outcome.ts';
import { packContent, unpackContent, type PipelineContext } from './context.ts';
import { SINK, emit, recordEvent } from './harvest-processors.ts';
import type { Envelope, StepName } from './model.ts';

export class StepProcessor implements Processor<string, Envelope, string, unknown> {
  constructor(
    private readonly p: PipelineContext,
    private readonly step: StepName,
  ) {}

  async process(record: StreamRecord<string, Envelope>, ctx: RecordContext<string, unknown>): Promise<void> {
    const e = record.value;
    const last = e.stepIndex >= e.plan.length - 1;
    if (await this.p.tasks.isStopped(e.taskId)) {
      const cancelled = { status: 'cancelled' as const, recordId: e.recordId, messages: [], content: null };
      emit(ctx, SINK.outcomes, e.recordId, { kind: 'record', taskId: e.taskId, step: this.step, terminal: true, ...cancelled });
      return;
    }
    const task = await this.p.tasks.get(e.taskId);
    if (!task) throw new Error(`Task ${e.taskId} not found`);
    const content = await unpackContent(this.p, e);
    const run = await this.p.ports.steps.forTask(task, this.step);
    let outcome: StepOutcome;
    try {
      outcome = await this.p.slots.run(task.taskId, task.spec.limits.maxInFlight, () => run({ recordId: e.recordId, content }, ctx.signal));
    } catch (err) {
      // A step throws only for a broken setup; the record still gets a clear failure, the worker goes on.
      const message = err instanceof Error ? err.message : String(err);
      outcome = { status: 'fail', recordId: e.recordId, messages: [{ level: 'error', code: 'STEP_ERROR', message, detail: err instanceof Error ? err.stack : undefined }] };
    }
    const next = outcome.content ?? content;
    emit(ctx, SINK.outcomes, e.recordId, recordEvent(e.taskId, this.step, { ...outcome, recordId: e.recordId }, last, outcome.status === 'fail' ? null : (outcome.content ?? null)));
    if (outcome.status === 'fail' || last) return;
    const forward: Envelope = { ...e, stepIndex: e.stepIndex + 1, ...(await packContent(this.p, next)) };
    if (forward.content !== null) delete forward.contentRef;
    emit(ctx, SINK.steps, e.recordId, forward);
  }
}
