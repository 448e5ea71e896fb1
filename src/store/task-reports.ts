/** What an operator reads about a task: progress per step, grouped errors, tiers, and stored results. */
import type { Db } from './db.ts';
import * as SQL from './sql/reports.sql.ts';
import type { TaskRepository } from './task-repository.ts';
import type { StepName } from '../model/index.ts';

export interface StepProgress {
  step: StepName;
  success: number;
  warn: number;
  fail: number;
  cancelled: number;
  firstAt: Date | null;
  lastAt: Date | null;
}

export interface ErrorGroup {
  step: StepName;
  level: 'warn' | 'error';
  message: string;
  count: number;
  sampleIds: string[];
}

export interface TierCount {
  contentTier: string;
  metadataTier: string;
  count: number;
}

export interface StoredResult {
  status: string;
  content: string | null;
  messages: unknown[];
  data: unknown;
}

export class TaskReports {
  constructor(
    private readonly db: Db,
    private readonly tasks: TaskRepository,
  ) {}

  /** Counters per step, in the task's plan order. */
  async progress(taskId: string): Promise<StepProgress[]> {
    const r = await this.db.query<Record<string, any>>(SQL.selectProgress, [taskId]);
    const order = (await this.tasks.getTask(taskId))?.plan ?? [];
    return r.rows
      .map((x) => ({
        step: x.step as StepName,
        success: x.success,
        warn: x.warn,
        fail: x.fail,
        cancelled: x.cancelled,
        firstAt: x.first_at,
        lastAt: x.last_at,
      }))
      .sort((a, b) => order.indexOf(a.step) - order.indexOf(b.step));
  }

  /** Warnings and errors grouped by step, level and message, largest first. */
  async errorReport(taskId: string): Promise<ErrorGroup[]> {
    const r = await this.db.query<Record<string, any>>(SQL.selectErrors, [taskId]);
    return r.rows.map((x) => ({
      step: x.step,
      level: x.level,
      message: x.message,
      count: x.count,
      sampleIds: x.sample_ids,
    }));
  }

  async tierStats(taskId: string): Promise<TierCount[]> {
    const r = await this.db.query<Record<string, any>>(SQL.selectTiers, [taskId]);
    return r.rows.map((x) => ({ contentTier: x.content_tier, metadataTier: x.metadata_tier, count: x.count }));
  }

  async recordResult(taskId: string, step: StepName, recordId: string): Promise<StoredResult | undefined> {
    const r = await this.db.query<StoredResult>(SQL.selectResult, [taskId, step, recordId]);
    return r.rows[0];
  }

  /** Pages through the stored outputs of a step (for re-runs), in record id order. */
  async *storedOutputs(
    taskId: string,
    step: StepName,
    pageSize = 500,
    /** Start after this record id (a walk resumed page by page). */
    after = '',
  ): AsyncGenerator<{ recordId: string; content: string }> {
    for (;;) {
      const r = await this.db.query<{ record_id: string; content: string | null }>(SQL.selectOutputsPage, [
        taskId,
        step,
        after,
        pageSize,
      ]);
      for (const row of r.rows) if (row.content !== null) yield { recordId: row.record_id, content: row.content };
      if (r.rows.length < pageSize) return;
      after = r.rows[r.rows.length - 1].record_id;
    }
  }
}
