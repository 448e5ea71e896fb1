/**
 * Workers see tasks through this cache: a task's definition never changes, so it is read once; its
 * state (to notice a cancellation within a second) is refreshed in the background for the tasks
 * this worker touched recently, with one query for all of them.
 */
import type { Logger } from 'pino';
import type { PipelineStore, TaskRow } from '../store/pipeline-store.ts';
import type { TaskState } from '../model/index.ts';
import { waitOut } from './transient.ts';

const TERMINAL: TaskState[] = ['cancelled', 'failed'];

export class TaskCache {
  private readonly tasks = new Map<string, { row: TaskRow; touchedAt: number }>();
  private readonly loading = new Map<string, Promise<TaskRow | undefined>>();
  private timer: NodeJS.Timeout | undefined;

  /**
   * With `retry`, a read that meets a transient database error (a restart, refused connections) is
   * retried until `retryBudgetMs` is spent (then RETRY_BUDGET_SPENT), so an outage delays records
   * instead of failing them.
   */
  constructor(
    private readonly store: PipelineStore,
    private readonly refreshMs = 500,
    private readonly retry?: { options: { retryBudgetMs: number }; logger: Logger },
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.refresh().catch(() => {}), this.refreshMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  async get(taskId: string): Promise<TaskRow | undefined> {
    const hit = this.tasks.get(taskId);
    if (hit) {
      hit.touchedAt = Date.now();
      return hit.row;
    }
    let p = this.loading.get(taskId);
    if (!p) {
      const read = () => this.store.getTask(taskId);
      p = (this.retry ? waitOut(this.retry, read, { what: `reading task ${taskId}` }) : read()).then(
        (row) => {
          this.loading.delete(taskId);
          if (row) this.tasks.set(taskId, { row, touchedAt: Date.now() });
          return row;
        },
        (err: unknown) => {
          // Not cached: the next record tries again (a failed read used to stick for good).
          this.loading.delete(taskId);
          throw err;
        },
      );
      this.loading.set(taskId, p);
    }
    return p;
  }

  /** True when records of this task must not be processed any more (cancelled or failed). */
  async isStopped(taskId: string): Promise<boolean> {
    const row = await this.get(taskId);
    return !row || TERMINAL.includes(row.state);
  }

  /**
   * Marks the task failed in this process (a task-level error was seen) so its other records stop at
   * once. Returns false when the task was already stopped here: the failure was reported before.
   * A refresh overwrites it with the database's state: if the failed event was lost (an aborted
   * commit), the next record that hits the error reports it again.
   */
  markFailed(taskId: string): boolean {
    const hit = this.tasks.get(taskId);
    if (hit && TERMINAL.includes(hit.row.state)) return false;
    this.noteState(taskId, 'failed');
    return true;
  }

  /** Marks a state change seen by this process (so it acts on it without waiting for the next refresh). */
  noteState(taskId: string, state: TaskState): void {
    const hit = this.tasks.get(taskId);
    if (hit) hit.row = { ...hit.row, state };
  }

  async refresh(): Promise<void> {
    const cutoff = Date.now() - 60_000;
    for (const [id, t] of this.tasks) if (t.touchedAt < cutoff) this.tasks.delete(id);
    await this.store.cancelDroppedSeedTasks();
    const states = await this.store.taskStates([...this.tasks.keys()]);
    for (const [id, state] of states) this.noteState(id, state);
  }
}
