/**
 * Seed compatibility: tasks that came through the seed's record_execution intake also report each
 * record's end in the seed's result tables (record_execution_result / _exception), as the seed did.
 */
import type { Queryable } from './db.ts';
import * as SQL from './sql/seed.sql.ts';
import type { TaskOrigin, TaskRepository } from './task-repository.ts';
import type { RecordOutcomeEvent } from '../model/index.ts';

export class SeedResults {
  /** A task's origin never changes: remembered instead of asked for on every batch. */
  private readonly origins = new Map<string, TaskOrigin | null>();

  constructor(private readonly tasks: TaskRepository) {}

  /** In the outcome sink's transaction: the terminal outcomes of seed tasks. */
  async write(q: Queryable, records: RecordOutcomeEvent[]): Promise<void> {
    const terminal = records.filter((e) => e.terminal);
    if (terminal.length === 0) return;
    const unknown = [...new Set(terminal.map((e) => e.taskId))].filter((id) => !this.origins.has(id));
    if (unknown.length > 0)
      for (const [id, origin] of await this.tasks.origins(q, unknown)) this.origins.set(id, origin);
    for (const e of terminal) {
      const o = this.origins.get(e.taskId);
      if (!o) continue;
      if (e.status === 'fail' || e.status === 'cancelled') {
        const err = e.messages.find((m) => m.level === 'error');
        await q.query(SQL.insertException, [
          o.datasetId,
          o.executionId,
          e.recordId,
          o.executionName,
          err?.code ?? 'TaskDroppedException',
          err?.message ?? 'Task was dropped by user',
        ]);
      } else {
        await q.query(SQL.insertResult, [o.datasetId, o.executionId, e.recordId, e.content ?? '', o.executionName]);
      }
    }
  }
}
