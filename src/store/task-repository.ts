/**
 * The task repository: creating, reading and moving tasks. A task moves only along the edges of
 * `TASK_TRANSITIONS` (model/task-states.ts), checked in the UPDATE itself so that two writers
 * racing on one task cannot both move it.
 */
import { randomUUID } from 'node:crypto';
import type { Db, Queryable } from './db.ts';
import * as SQL from './sql/tasks.sql.ts';
import {
  planSteps,
  statesLeadingTo,
  taskSpecSchema,
  type StepName,
  type TaskSpec,
  type TaskSpecInput,
  type TaskState,
} from '../model/index.ts';
import { errors } from '../errors/index.ts';

export interface TaskRow {
  taskId: string;
  datasetId: string;
  spec: TaskSpec;
  plan: StepName[];
  state: TaskState;
  reason: string | null;
  origin: TaskOrigin | null;
  expectedTotal: number | null;
  listingDone: boolean;
  terminalCount: number;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** Where a task came from when not from our own API: the seed's record_execution intake. */
export interface TaskOrigin {
  kind: 'seed';
  datasetId: string;
  executionId: string;
  executionName: string;
}

export class TaskRepository {
  constructor(private readonly db: Db) {}

  /** Validates and stores a new task (state `queued`); returns its row. Throws ZodError on a bad spec. */
  async createTask(input: TaskSpecInput, opts: { taskId?: string; origin?: TaskOrigin } = {}): Promise<TaskRow> {
    const spec = taskSpecSchema.parse(input);
    const plan = planSteps(spec);
    const taskId = opts.taskId ?? randomUUID();
    const origin = opts.origin ? JSON.stringify(opts.origin) : null;
    await this.db.query(SQL.insertTask, [taskId, spec.dataset.id, JSON.stringify(spec), JSON.stringify(plan), origin]);
    const row = await this.getTask(taskId);
    if (!row) throw errors.INTERNAL({ detail: `Task ${taskId} vanished after insert` });
    return row;
  }

  async getTask(taskId: string, q: Queryable = this.db): Promise<TaskRow | undefined> {
    const r = await q.query<Record<string, any>>(SQL.selectTask, [taskId]);
    return r.rows[0] ? toTaskRow(r.rows[0]) : undefined;
  }

  async listTasks(opts: { limit?: number; datasetId?: string } = {}): Promise<TaskRow[]> {
    const r = await this.db.query<Record<string, any>>(SQL.listTasks, [opts.datasetId ?? null, opts.limit ?? 100]);
    return r.rows.map(toTaskRow);
  }

  /** States of the given tasks (workers poll this to drop records of cancelled tasks). */
  async taskStates(taskIds: string[]): Promise<Map<string, TaskState>> {
    if (taskIds.length === 0) return new Map();
    const r = await this.db.query<{ task_id: string; state: TaskState }>(SQL.selectStates, [taskIds]);
    return new Map(r.rows.map((x) => [x.task_id, x.state]));
  }

  /**
   * Moves a task to `to` if `TASK_TRANSITIONS` allows it from its current state; returns whether it
   * moved. A refused move changes nothing: outcome events may arrive after the task ended.
   */
  async transition(taskId: string, to: TaskState, reason?: string, q: Queryable = this.db): Promise<boolean> {
    const r = await q.query(SQL.transition, [taskId, to, reason ?? null, statesLeadingTo(to)]);
    return r.rowCount > 0;
  }

  /** Seed compatibility: `DROPPED` or `FAILED` in the seed's execution_status cancels that execution's tasks. */
  async cancelDroppedSeedTasks(): Promise<number> {
    const r = await this.db.query(SQL.cancelDroppedSeedTasks);
    return r.rowCount;
  }

  /** Seed compatibility: whether the seed's execution_status drops (DROPPED or FAILED) an execution. */
  async seedExecutionDropped(executionId: string): Promise<boolean> {
    const r = await this.db.query<{ dropped: boolean }>(SQL.seedExecutionDropped, [executionId]);
    return r.rows[0]?.dropped === true;
  }

  /** Seed compatibility: a per-record seed task expects the record_execution rows of its execution so far. */
  async expectSeedRows(taskId: string, origin: { datasetId: string; executionId: string; executionName: string }): Promise<void> {
    await this.db.query(SQL.expectSeedRows, [taskId, origin.datasetId, origin.executionId, origin.executionName]);
  }

  // ---- inside the outcome sink's transaction ----

  /** The listing's estimate of a task's size (until its listing is done). */
  async setExpected(q: Queryable, taskId: string, expected: number | null): Promise<void> {
    await q.query(SQL.setExpected, [taskId, expected]);
  }

  /** The listing is complete: `listed` records in all. */
  async setListingDone(q: Queryable, taskId: string, listed: number): Promise<void> {
    await q.query(SQL.setListingDone, [taskId, listed]);
  }

  /** Adds records that reached their end, per task (sorted by task id: no lock-order deadlocks between sinks). */
  async addTerminalCounts(q: Queryable, counts: Map<string, number>): Promise<void> {
    if (counts.size === 0) return;
    await q.query(SQL.addTerminalCounts, [JSON.stringify(terminalRows(counts))]);
  }

  /** Completes the tasks whose listing is done and whose every listed record is terminal; returns their ids. */
  async completeFinished(q: Queryable, taskIds: string[]): Promise<string[]> {
    const r = await q.query<{ task_id: string }>(SQL.completeFinished, [taskIds]);
    return r.rows.map((x) => x.task_id);
  }

  /** Where each task came from. */
  async origins(q: Queryable, taskIds: string[]): Promise<Map<string, TaskOrigin | null>> {
    const r = await q.query<{ task_id: string; origin: TaskOrigin | null }>(SQL.selectOrigins, [taskIds]);
    return new Map(r.rows.map((x) => [x.task_id, x.origin]));
  }
}

/** Terminal counts as `addTerminalCounts` takes them ({task_id, n}), sorted by task id (rows locked in one order). */
export function terminalRows(counts: Map<string, number>): Array<{ task_id: string; n: number }> {
  return [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([task_id, n]) => ({ task_id, n }));
}

/** A `task` table row as a TaskRow (operator-queries.ts reads task rows too). */
export function toTaskRow(x: Record<string, any>): TaskRow {
  return {
    taskId: x.task_id,
    datasetId: x.dataset_id,
    spec: x.spec,
    plan: x.plan,
    state: x.state,
    reason: x.reason,
    origin: x.origin,
    expectedTotal: x.expected_total,
    listingDone: x.listing_done,
    terminalCount: x.terminal_count,
    createdAt: x.created_at,
    startedAt: x.started_at,
    finishedAt: x.finished_at,
  };
}
