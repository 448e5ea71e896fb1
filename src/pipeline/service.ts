/**
 * The operator's view of the pipeline, the same whichever runtime runs it: submit a task, cancel
 * it, re-run from a step, read its status and reports. Commands reach the topology through a
 * `CommandBus` (the local log, or a Kafka producer).
 */
import type { PipelineStore, TaskRow, StepProgress, ErrorGroup } from '../store/pipeline-store.ts';
import { STEP_ORDER, type StepName, type TaskCommand, type TaskSpecInput } from '../model/index.ts';
import { errors } from '../errors/index.ts';

export interface CommandBus {
  send(command: TaskCommand): Promise<void>;
}

export interface TaskStatus {
  task: TaskRow;
  progress: StepProgress[];
  errors: ErrorGroup[];
  tiers: Array<{ contentTier: string; metadataTier: string; count: number }>;
  /** Seconds from start to finish (or to now while running). */
  durationSeconds: number | null;
}

export class PipelineService {
  private failure: Error | undefined;

  /**
   * `failed`: rejects when the runtime behind the bus stops on an error (embedded mode); every
   * `waitForTask` then ends at once with that error instead of polling a task nothing works on.
   */
  constructor(
    readonly store: PipelineStore,
    private readonly bus: CommandBus,
    failed?: Promise<never>,
  ) {
    failed?.catch((err: unknown) => {
      this.failure = err instanceof Error ? err : new Error(String(err));
    });
  }

  /** Stores the task (validated: throws a ZodError or an order error on a bad spec) and starts it. */
  async submit(spec: TaskSpecInput, opts: { taskId?: string } = {}): Promise<TaskRow> {
    const task = await this.store.createTask(spec, opts);
    await this.bus.send({ type: 'start', taskId: task.taskId });
    return task;
  }

  /** Cancels a task now (workers stop its records within a second); records already done stay. */
  async cancel(taskId: string): Promise<boolean> {
    const moved = await this.store.transition(taskId, 'cancelled', 'Cancelled by user');
    if (moved) await this.bus.send({ type: 'cancel', taskId });
    return moved;
  }

  /** A new task that re-runs `fromTaskId`'s records from the step after `afterStep`, using its stored outputs. */
  async rerun(fromTaskId: string, afterStep: StepName, steps?: StepName[]): Promise<TaskRow> {
    const prev = await this.store.getTask(fromTaskId);
    if (!prev) throw errors.TASK_NOT_FOUND({ taskId: fromTaskId });
    // Without `steps`: the rest of the earlier task's own plan (not the default chain, which would add
    // steps the earlier task never ran).
    const after = STEP_ORDER.indexOf(afterStep as (typeof STEP_ORDER)[number]);
    const rest =
      steps ??
      prev.plan.filter((s) => s === 'linkcheck' || STEP_ORDER.indexOf(s as (typeof STEP_ORDER)[number]) > after);
    if (rest.length === 0) throw errors.NOTHING_TO_RERUN({ taskId: fromTaskId, step: afterStep });
    return this.submit({
      ...prev.spec,
      steps: rest,
      source: { type: 'previous', taskId: fromTaskId, step: afterStep },
    });
  }

  async status(taskId: string): Promise<TaskStatus | undefined> {
    const task = await this.store.getTask(taskId);
    if (!task) return undefined;
    const [progress, errors, tiers] = await Promise.all([
      this.store.progress(taskId),
      this.store.errorReport(taskId),
      this.store.tierStats(taskId),
    ]);
    const start = task.startedAt ?? task.createdAt;
    const end = task.finishedAt ?? new Date();
    return { task, progress, errors, tiers, durationSeconds: (end.getTime() - new Date(start).getTime()) / 1000 };
  }

  /**
   * Resolves when the task reaches a final state (polling the store); rejects after `timeoutMs`, or
   * at the next poll once the runtime failed.
   */
  async waitForTask(
    taskId: string,
    opts: { timeoutMs?: number; pollMs?: number; onTick?: (s: TaskStatus) => void; signal?: AbortSignal } = {},
  ): Promise<TaskStatus> {
    const deadline = Date.now() + (opts.timeoutMs ?? 3_600_000);
    for (;;) {
      // The caller stopped waiting (it stops the pipeline): no more polls of the store.
      opts.signal?.throwIfAborted();
      if (this.failure) throw this.failure;
      const s = await this.status(taskId);
      if (!s) throw errors.TASK_NOT_FOUND({ taskId });
      opts.onTick?.(s);
      if (['completed', 'failed', 'cancelled'].includes(s.task.state)) return s;
      if (Date.now() > deadline)
        throw errors.TASK_WAIT_TIMEOUT({ taskId, timeoutMs: opts.timeoutMs, state: s.task.state });
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 200));
    }
  }
}
