/**
 * The pipeline's repository: every SQL statement about tasks, results, progress and reports.
 *
 * Exactly-once into PostgreSQL: `applyOutcomes` writes a batch of outcome events (result rows,
 * counter increments, grouped errors, tier counts, task events) together with the consumed offsets in
 * ONE transaction. The offset row is updated only if it still holds the offset this sink started its
 * batch from, so a zombie sink (one whose partition moved to another worker) is fenced: its
 * transaction finds no matching row and rolls back.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Db, Queryable } from './db.ts';
import { migrate } from './migrate.ts';
import { pipelineMigrations } from './pipeline-schema.ts';
import {
  TASK_TRANSITIONS,
  planSteps,
  taskSpecSchema,
  type OutcomeEvent,
  type RecordOutcomeEvent,
  type StepName,
  type TaskSpec,
  type TaskSpecInput,
  type TaskState,
} from '../model/index.ts';

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

export interface SinkOffset {
  topic: string;
  partition: number;
  /** The next offset to consume. */
  offset: number;
}

export class SinkFencedError extends Error {
  readonly code = 'SINK_FENCED';
  constructor(topic: string, partition: number) {
    super(`Sink offsets for ${topic}[${partition}] moved on: another sink owns this partition now`);
  }
}

const MAX_SAMPLE_IDS = 100;

export class PipelineStore {
  private readonly origins = new Map<string, TaskOrigin | null>();

  constructor(readonly db: Db) {}

  async migrate(): Promise<void> {
    await migrate(this.db, pipelineMigrations);
  }

  // ---- tasks ----

  /** Validates and stores a new task (state `queued`); returns its id. Throws ZodError on a bad spec. */
  async createTask(input: TaskSpecInput, opts: { taskId?: string; origin?: TaskOrigin } = {}): Promise<TaskRow> {
    const spec = taskSpecSchema.parse(input);
    const plan = planSteps(spec);
    const taskId = opts.taskId ?? randomUUID();
    await this.db.query(
      `INSERT INTO task (task_id, dataset_id, spec, plan, state, origin) VALUES ($1, $2, $3, $4, 'queued', $5)
       ON CONFLICT (task_id) DO NOTHING`,
      [taskId, spec.dataset.id, JSON.stringify(spec), JSON.stringify(plan), opts.origin ? JSON.stringify(opts.origin) : null],
    );
    const row = await this.getTask(taskId);
    if (!row) throw new Error(`Task ${taskId} vanished after insert`);
    return row;
  }

  async getTask(taskId: string, q: Queryable = this.db): Promise<TaskRow | undefined> {
    const r = await q.query<Record<string, any>>('SELECT * FROM task WHERE task_id = $1', [taskId]);
    return r.rows[0] ? toTaskRow(r.rows[0]) : undefined;
  }

  async listTasks(opts: { limit?: number; datasetId?: string } = {}): Promise<TaskRow[]> {
    const r = await this.db.query<Record<string, any>>(
      `SELECT * FROM task WHERE ($1::text IS NULL OR dataset_id = $1) ORDER BY created_at DESC LIMIT $2`,
      [opts.datasetId ?? null, opts.limit ?? 100],
    );
    return r.rows.map(toTaskRow);
  }

  /** States of the given tasks (workers poll this to drop records of cancelled tasks). */
  async taskStates(taskIds: string[]): Promise<Map<string, TaskState>> {
    if (taskIds.length === 0) return new Map();
    const r = await this.db.query<{ task_id: string; state: TaskState }>(
      'SELECT task_id, state FROM task WHERE task_id = ANY($1)',
      [taskIds],
    );
    return new Map(r.rows.map((x) => [x.task_id, x.state]));
  }

  /** Moves a task to `to` if the transition is legal from its current state; returns whether it moved. */
  async transition(taskId: string, to: TaskState, reason?: string, q: Queryable = this.db): Promise<boolean> {
    const from = (Object.keys(TASK_TRANSITIONS) as TaskState[]).filter((s) => TASK_TRANSITIONS[s].includes(to));
    const r = await q.query(
      `UPDATE task SET state = $2, reason = COALESCE($3, reason),
         started_at = CASE WHEN $2 IN ('harvesting', 'processing') THEN COALESCE(started_at, now()) ELSE started_at END,
         finished_at = CASE WHEN $2 IN ('completed', 'failed', 'cancelled') THEN now() ELSE finished_at END
       WHERE task_id = $1 AND state = ANY($4)`,
      [taskId, to, reason ?? null, from],
    );
    return r.rowCount > 0;
  }

  /** Seed compatibility: `DROPPED` or `FAILED` in the seed's execution_status cancels that execution's tasks. */
  async cancelDroppedSeedTasks(): Promise<number> {
    const r = await this.db.query(
      `UPDATE task SET state = 'cancelled', reason = 'Task was dropped by user', finished_at = now()
       FROM execution_status es
       WHERE task.origin->>'executionId' = es.execution_id AND es.status IN ('DROPPED', 'FAILED')
         AND task.state IN ('queued', 'harvesting', 'processing')`,
    );
    return r.rowCount;
  }

  // ---- the exactly-once sink ----

  /** The sink's stored offsets for a consumer group (where to resume). */
  async loadOffset(groupId: string, topic: string, partition: number): Promise<number | undefined> {
    const r = await this.db.query<{ next_offset: string }>(
      'SELECT next_offset FROM sink_offset WHERE group_id = $1 AND topic = $2 AND partition = $3',
      [groupId, topic, partition],
    );
    return r.rows[0] ? Number(r.rows[0].next_offset) : undefined;
  }

  /**
   * Applies a batch of outcome events and moves the offsets, atomically.
   * `offsets[i].from` is the offset the batch started at (undefined: nothing stored yet), `to` the next one.
   * Throws SinkFencedError (and writes nothing) when another sink moved an offset meanwhile.
   */
  async applyOutcomes(
    groupId: string,
    events: OutcomeEvent[],
    offsets: Array<{ topic: string; partition: number; from: number | undefined; to: number }>,
  ): Promise<{ completed: string[] }> {
    return this.db.transaction(async (tx) => {
      for (const o of [...offsets].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)) {
        const r =
          o.from === undefined
            ? await tx.query(
                `INSERT INTO sink_offset (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
                 ON CONFLICT DO NOTHING`,
                [groupId, o.topic, o.partition, o.to],
              )
            : await tx.query(
                `UPDATE sink_offset SET next_offset = $4 WHERE group_id = $1 AND topic = $2 AND partition = $3 AND next_offset = $5`,
                [groupId, o.topic, o.partition, o.to, o.from],
              );
        if (r.rowCount !== 1) throw new SinkFencedError(o.topic, o.partition);
      }
      return this.writeEvents(tx, events);
    });
  }

  /** Writes events without offsets (the embedded runtime's sink, whose log lives in memory). */
  async writeOutcomes(events: OutcomeEvent[]): Promise<{ completed: string[] }> {
    return this.db.transaction((tx) => this.writeEvents(tx, events));
  }

  private async writeEvents(tx: Queryable, events: OutcomeEvent[]): Promise<{ completed: string[] }> {
    // One outcome per (task, step, record): the last one wins (a multi-row upsert may touch a row once).
    const byKey = new Map<string, RecordOutcomeEvent>();
    for (const e of events) if (e.kind === 'record') byKey.set(`${e.taskId}\u0000${e.step}\u0000${e.recordId}`, e);
    const all = [...byKey.values()];
    const touched = new Set<string>(events.map((e) => e.taskId));

    // Result rows, one multi-row upsert per chunk. Counters and reports then count only rows that are
    // new: an outcome delivered twice (a replay) rewrites its row but is not counted again.
    const inserted = new Set<string>();
    for (let i = 0; i < all.length; i += 200) {
      const chunk = all.slice(i, i + 200);
      const values: unknown[] = [];
      const rows = chunk.map((e, j) => {
        values.push(e.taskId, e.step, e.recordId, e.status, e.content, JSON.stringify(e.messages), e.data ? JSON.stringify(e.data) : null);
        const b = j * 7;
        return `($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7})`;
      });
      const r = await tx.query<{ task_id: string; step: string; record_id: string; inserted: boolean }>(
        `INSERT INTO record_result (task_id, step, record_id, status, content, messages, data) VALUES ${rows.join(', ')}
         ON CONFLICT (task_id, step, record_id) DO UPDATE SET status = EXCLUDED.status, content = EXCLUDED.content,
           messages = EXCLUDED.messages, data = EXCLUDED.data
         RETURNING task_id, step, record_id, (xmax = 0) AS inserted`,
        values,
      );
      for (const row of r.rows) if (row.inserted) inserted.add(`${row.task_id}\u0000${row.step}\u0000${row.record_id}`);
    }
    const records = all.filter((e) => inserted.has(`${e.taskId}\u0000${e.step}\u0000${e.recordId}`));

    // Counters per (task, step), aggregated in memory first; sorted keys avoid lock-order deadlocks between sinks.
    const progress = new Map<string, { taskId: string; step: string; s: number; w: number; f: number; c: number }>();
    const errors = new Map<string, { taskId: string; step: string; level: string; message: string; ids: string[]; n: number }>();
    const tiers = new Map<string, { taskId: string; content: string; metadata: string; n: number }>();
    const terminal = new Map<string, number>();
    for (const e of records) {
      const k = `${e.taskId}\u0000${e.step}`;
      const p = progress.get(k) ?? { taskId: e.taskId, step: e.step, s: 0, w: 0, f: 0, c: 0 };
      if (e.status === 'success') p.s++;
      else if (e.status === 'warn') p.w++;
      else if (e.status === 'fail') p.f++;
      else p.c++;
      progress.set(k, p);
      for (const m of e.messages) {
        if (m.level === 'info') continue;
        const ek = `${k}\u0000${m.level}\u0000${m.message}`;
        const g = errors.get(ek) ?? { taskId: e.taskId, step: e.step, level: m.level, message: m.message, ids: [], n: 0 };
        g.n++;
        if (g.ids.length < MAX_SAMPLE_IDS) g.ids.push(e.recordId);
        errors.set(ek, g);
      }
      const t = e.data?.tiers as { content?: unknown; metadata?: unknown } | undefined;
      if (t && e.terminal && e.status !== 'fail') {
        const tk = `${e.taskId}\u0000${t.content}\u0000${t.metadata}`;
        const g = tiers.get(tk) ?? { taskId: e.taskId, content: String(t.content), metadata: String(t.metadata), n: 0 };
        g.n++;
        tiers.set(tk, g);
      }
      if (e.terminal) terminal.set(e.taskId, (terminal.get(e.taskId) ?? 0) + 1);
    }
    // One statement per table, whatever the batch holds (rows sorted by key: no lock-order deadlocks between sinks).
    const sorted = <T>(m: Map<string, T>) => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);
    if (progress.size > 0) {
      const rows = sorted(progress).map((p) => ({ task_id: p.taskId, step: p.step, success: p.s, warn: p.w, fail: p.f, cancelled: p.c }));
      await tx.query(
        `INSERT INTO step_progress (task_id, step, success, warn, fail, cancelled, first_at, last_at)
         SELECT task_id, step, success, warn, fail, cancelled, now(), now()
         FROM jsonb_to_recordset($1::jsonb) AS x(task_id text, step text, success int, warn int, fail int, cancelled int)
         ON CONFLICT (task_id, step) DO UPDATE SET success = step_progress.success + EXCLUDED.success,
           warn = step_progress.warn + EXCLUDED.warn, fail = step_progress.fail + EXCLUDED.fail,
           cancelled = step_progress.cancelled + EXCLUDED.cancelled, last_at = now()`,
        [JSON.stringify(rows)],
      );
    }
    if (errors.size > 0) {
      const rows = sorted(errors).map((g) => ({ task_id: g.taskId, step: g.step, level: g.level, message: g.message.slice(0, 2000), count: g.n, sample_ids: g.ids }));
      await tx.query(
        `INSERT INTO error_report (task_id, step, level, message, count, sample_ids)
         SELECT task_id, step, level, message, count, sample_ids
         FROM jsonb_to_recordset($1::jsonb) AS x(task_id text, step text, level text, message text, count int, sample_ids text[])
         ON CONFLICT (task_id, step, level, message) DO UPDATE SET count = error_report.count + EXCLUDED.count,
           sample_ids = (error_report.sample_ids || EXCLUDED.sample_ids)[1:${MAX_SAMPLE_IDS}]`,
        [JSON.stringify(rows)],
      );
    }
    if (tiers.size > 0) {
      const rows = sorted(tiers).map((g) => ({ task_id: g.taskId, content_tier: g.content, metadata_tier: g.metadata, count: g.n }));
      await tx.query(
        `INSERT INTO tier_stats (task_id, content_tier, metadata_tier, count)
         SELECT task_id, content_tier, metadata_tier, count
         FROM jsonb_to_recordset($1::jsonb) AS x(task_id text, content_tier text, metadata_tier text, count int)
         ON CONFLICT (task_id, content_tier, metadata_tier) DO UPDATE SET count = tier_stats.count + EXCLUDED.count`,
        [JSON.stringify(rows)],
      );
    }
    if (terminal.size > 0) {
      const rows = [...terminal].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([task_id, n]) => ({ task_id, n }));
      await tx.query(
        `UPDATE task SET terminal_count = terminal_count + x.n
         FROM jsonb_to_recordset($1::jsonb) AS x(task_id text, n int) WHERE task.task_id = x.task_id`,
        [JSON.stringify(rows)],
      );
    }

    // Incremental harvesting remembers what each harvested record looked like (its checksum).
    const harvested = records.filter((e) => e.step === 'harvest' && e.status !== 'fail' && typeof e.data?.checksum === 'string' && !e.data?.unchanged);
    if (harvested.length > 0) {
      const rows = harvested
        .map((e) => ({ task_id: e.taskId, record_id: e.recordId, checksum: e.data!.checksum, datestamp: (e.data!.datestamp as string | undefined) ?? null }))
        .sort((a, b) => (a.record_id < b.record_id ? -1 : a.record_id > b.record_id ? 1 : 0));
      await tx.query(
        `INSERT INTO harvested_record (dataset_id, record_id, checksum, datestamp, last_task_id)
         SELECT DISTINCT ON (t.dataset_id, x.record_id) t.dataset_id, x.record_id, x.checksum, x.datestamp, x.task_id
         FROM jsonb_to_recordset($1::jsonb) AS x(task_id text, record_id text, checksum text, datestamp text)
         JOIN task t ON t.task_id = x.task_id
         ON CONFLICT (dataset_id, record_id) DO UPDATE SET checksum = EXCLUDED.checksum, datestamp = EXCLUDED.datestamp,
           last_task_id = EXCLUDED.last_task_id`,
        [JSON.stringify(rows)],
      );
    }
    const unchanged = records.filter((e) => e.step === 'harvest' && e.data?.unchanged);
    if (unchanged.length > 0) {
      // Seen again, unchanged: still at the source (deleted-record detection must not remove it).
      await tx.query(
        `UPDATE harvested_record h SET last_task_id = x.task_id
         FROM jsonb_to_recordset($1::jsonb) AS x(task_id text, record_id text), task t
         WHERE t.task_id = x.task_id AND h.dataset_id = t.dataset_id AND h.record_id = x.record_id`,
        [JSON.stringify(unchanged.map((e) => ({ task_id: e.taskId, record_id: e.recordId })))],
      );
    }

    // Task events, in the order they came.
    for (const e of events) {
      if (e.kind !== 'task') continue;
      if (e.event === 'listing-started') await this.transition(e.taskId, 'harvesting', undefined, tx);
      else if (e.event === 'expected')
        await tx.query('UPDATE task SET expected_total = $2 WHERE task_id = $1 AND NOT listing_done', [e.taskId, e.expected ?? null]);
      else if (e.event === 'listing-done') {
        await tx.query('UPDATE task SET expected_total = $2, listing_done = true WHERE task_id = $1', [e.taskId, e.expected ?? 0]);
        await this.transition(e.taskId, 'processing', undefined, tx);
      } else if (e.event === 'failed') await this.transition(e.taskId, 'failed', e.reason, tx);
      else if (e.event === 'cancelled') await this.transition(e.taskId, 'cancelled', e.reason, tx);
    }

    await this.writeSeedResults(tx, records);

    // Completion: every listed record reached its last step or stopped.
    if (terminal.size === 0 && !events.some((e) => e.kind === 'task')) return { completed: [] };
    const done = await tx.query<{ task_id: string }>(
      `UPDATE task SET state = 'completed', finished_at = now()
       WHERE task_id = ANY($1) AND listing_done AND terminal_count >= expected_total AND state IN ('harvesting', 'processing')
       RETURNING task_id`,
      [[...touched]],
    );
    return { completed: done.rows.map((r) => r.task_id) };
  }

  /** Tasks that came through the seed's record_execution table also report in its result tables. */
  private async writeSeedResults(tx: Queryable, records: RecordOutcomeEvent[]): Promise<void> {
    const terminal = records.filter((e) => e.terminal);
    if (terminal.length === 0) return;
    // A task's origin never changes: remember it instead of asking on every batch.
    const unknown = [...new Set(terminal.map((e) => e.taskId))].filter((id) => !this.origins.has(id));
    if (unknown.length > 0) {
      const r = await tx.query<{ task_id: string; origin: TaskOrigin | null }>('SELECT task_id, origin FROM task WHERE task_id = ANY($1)', [unknown]);
      for (const x of r.rows) this.origins.set(x.task_id, x.origin);
    }
    const origins = this.origins;
    for (const e of terminal) {
      const o = origins.get(e.taskId);
      if (!o) continue;
      if (e.status === 'fail' || e.status === 'cancelled') {
        const err = e.messages.find((m) => m.level === 'error');
        await tx.query(
          `INSERT INTO record_execution_exception (dataset_id, execution_id, record_id, execution_name, exception_name, exception_content)
           VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
          [o.datasetId, o.executionId, e.recordId, o.executionName, err?.code ?? 'TaskDroppedException', err?.message ?? 'Task was dropped by user'],
        );
      } else {
        await tx.query(
          `INSERT INTO record_execution_result (dataset_id, execution_id, record_id, record_result_data, execution_name)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
          [o.datasetId, o.executionId, e.recordId, e.content ?? '', o.executionName],
        );
      }
    }
  }

  // ---- reports ----

  async progress(taskId: string): Promise<StepProgress[]> {
    const r = await this.db.query<Record<string, any>>('SELECT * FROM step_progress WHERE task_id = $1', [taskId]);
    const task = await this.getTask(taskId);
    const order = task?.plan ?? [];
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

  async errorReport(taskId: string): Promise<ErrorGroup[]> {
    const r = await this.db.query<Record<string, any>>(
      'SELECT step, level, message, count, sample_ids FROM error_report WHERE task_id = $1 ORDER BY count DESC, message',
      [taskId],
    );
    return r.rows.map((x) => ({ step: x.step, level: x.level, message: x.message, count: x.count, sampleIds: x.sample_ids }));
  }

  async tierStats(taskId: string): Promise<Array<{ contentTier: string; metadataTier: string; count: number }>> {
    const r = await this.db.query<Record<string, any>>(
      'SELECT content_tier, metadata_tier, count FROM tier_stats WHERE task_id = $1 ORDER BY content_tier, metadata_tier',
      [taskId],
    );
    return r.rows.map((x) => ({ contentTier: x.content_tier, metadataTier: x.metadata_tier, count: x.count }));
  }

  async recordResult(taskId: string, step: StepName, recordId: string) {
    const r = await this.db.query<Record<string, any>>(
      'SELECT status, content, messages, data FROM record_result WHERE task_id = $1 AND step = $2 AND record_id = $3',
      [taskId, step, recordId],
    );
    return r.rows[0] as { status: string; content: string | null; messages: unknown[]; data: unknown } | undefined;
  }

  /** Pages through the stored outputs of a step (for re-runs), in record id order. */
  async *storedOutputs(taskId: string, step: StepName, pageSize = 500): AsyncGenerator<{ recordId: string; content: string }> {
    let after = '';
    for (;;) {
      const r = await this.db.query<{ record_id: string; content: string }>(
        `SELECT record_id, content FROM record_result WHERE task_id = $1 AND step = $2 AND status IN ('success', 'warn')
           AND content IS NOT NULL AND record_id > $3 ORDER BY record_id LIMIT $4`,
        [taskId, step, after, pageSize],
      );
      for (const row of r.rows) yield { recordId: row.record_id, content: row.content };
      if (r.rows.length < pageSize) return;
      after = r.rows[r.rows.length - 1].record_id;
    }
  }

  /**
   * After a full harvest: records of the dataset that this task did not see any more (deleted at
   * the source). Removes them from the harvest memory and returns their ids.
   */
  async takeRecordsGoneFromSource(datasetId: string, taskId: string): Promise<string[]> {
    const r = await this.db.query<{ record_id: string }>(
      'DELETE FROM harvested_record WHERE dataset_id = $1 AND last_task_id <> $2 RETURNING record_id',
      [datasetId, taskId],
    );
    return r.rows.map((x) => x.record_id).sort();
  }

  // ---- large payloads and incremental harvest ----

  /** Stores a large record content once (idempotent: the reference is its hash). */
  async putPayload(content: string): Promise<string> {
    const ref = createHash('sha256').update(content).digest('hex');
    await this.db.query('INSERT INTO record_payload (ref, content) VALUES ($1, $2) ON CONFLICT DO NOTHING', [ref, content]);
    return ref;
  }

  async getPayload(ref: string): Promise<string> {
    const r = await this.db.query<{ content: string }>('SELECT content FROM record_payload WHERE ref = $1', [ref]);
    if (!r.rows[0]) throw new Error(`Record payload ${ref} not found`);
    return r.rows[0].content;
  }

  /** For incremental harvests: true when the record's content is unchanged since the dataset's last harvest. */
  async isUnchanged(datasetId: string, recordId: string, checksum: string): Promise<boolean> {
    const r = await this.db.query('SELECT 1 FROM harvested_record WHERE dataset_id = $1 AND record_id = $2 AND checksum = $3', [
      datasetId,
      recordId,
      checksum,
    ]);
    return r.rows.length > 0;
  }

  async rememberHarvested(datasetId: string, recordId: string, checksum: string, datestamp: string | undefined, taskId: string) {
    await this.db.query(
      `INSERT INTO harvested_record (dataset_id, record_id, checksum, datestamp, last_task_id) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (dataset_id, record_id) DO UPDATE SET checksum = $3, datestamp = $4, last_task_id = $5`,
      [datasetId, recordId, checksum, datestamp ?? null, taskId],
    );
  }
}

function toTaskRow(x: Record<string, any>): TaskRow {
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
