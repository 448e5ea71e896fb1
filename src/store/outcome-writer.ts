/**
 * The outcome sink's writer: exactly-once into PostgreSQL.
 *
 * `applyOutcomes` writes a batch of outcome events (result rows, counter increments, grouped errors,
 * tier counts, harvest memory, task events, the seed's result rows) together with the consumed
 * offsets in ONE transaction. The offset row is updated only if it still holds the offset this sink
 * started its batch from, so a zombie sink (one whose partition moved to another worker) is fenced:
 * its transaction finds no matching row and rolls back. Counters move only for result rows that are
 * new, so an outcome delivered twice rewrites its row but is never counted twice.
 *
 * No record can make a batch impossible to write (which would stop the sink for good: the runtime
 * would rewind and re-deliver the same batch forever). Ids, messages and data are made storable
 * first (`safe-values.ts`); if the database still refuses the batch for good (a SQLSTATE that is not
 * transient: a NUL in a record's content, a value over a limit), the batch is written again record
 * by record, each in a savepoint, and a refused record is stored as failed with `DB_REFUSED` and
 * the database's reason. A transient error (connection lost, serialization failure) retries the
 * whole batch with `retry()`, a bounded number of times; then it is thrown to the runtime.
 */
import type { Db, Queryable } from './db.ts';
import { changedHarvests, type HarvestMemory } from './harvest-memory.ts';
import { lastOutcomes, resultKey, totals } from './outcome-batch.ts';
import { isDbRefusal, safeEvent, safeText, sqlState } from './safe-values.ts';
import type { SeedResults } from './seed-results.ts';
import * as SQL from './sql/outcomes.sql.ts';
import { terminalRows, type TaskRepository } from './task-repository.ts';
import { errorMessage, errors, isRetriable, RecordError, retry, type RetryOptions } from '../errors/index.ts';
import type { OutcomeEvent, RecordOutcomeEvent, TaskOutcomeEvent } from '../model/index.ts';

export interface SinkOffset {
  topic: string;
  partition: number;
  /** The next offset to consume. */
  offset: number;
}

/** A partition's offsets in one batch: `from` is where the batch started (undefined: nothing stored yet), `to` the next one. */
export interface OffsetMove {
  topic: string;
  partition: number;
  from: number | undefined;
  to: number;
}

/** Another sink moved a partition's offset meanwhile (a rebalance): the catalogue error `SINK_FENCED`. */
export class SinkFencedError extends RecordError<'SINK_FENCED'> {
  constructor(topic: string, partition: number) {
    super('SINK_FENCED', { topic, partition });
    this.name = 'SinkFencedError';
  }
}

/** What a batch did: the tasks it completed and the record outcomes that were replays (already written). */
export interface WriteResult {
  completed: string[];
  /**
   * Outcomes the batch absorbed without counting them: their (task, step, record) row already existed,
   * or the batch held an earlier event for the same key. Under exactly-once this stays empty; the sink
   * reports every one (a metric and a log line), since it is the only place a replay is still seen.
   */
  replayed: RecordOutcomeEvent[];
}

/** The record outcomes of a batch that an event later in the same batch replaces (same key). */
function inBatchReplays(events: OutcomeEvent[]): RecordOutcomeEvent[] {
  const last = new Set(lastOutcomes(events));
  return events.filter((e): e is RecordOutcomeEvent => e.kind === 'record' && !last.has(e));
}

/** Result rows per upsert statement. */
const RESULT_CHUNK = 200;

/** How a batch retries a transient database error. */
export type SinkRetry = Pick<RetryOptions, 'retries' | 'baseDelayMs' | 'maxDelayMs' | 'onRetry'>;

/** Default: 5 more tries over about 3 s on average (back-off from 100 ms, full jitter, at most 4 s). */
export const DEFAULT_SINK_RETRY: SinkRetry = { retries: 5, baseDelayMs: 100, maxDelayMs: 4_000 };

export interface OutcomeWriterOptions {
  retry?: SinkRetry;
}

export class OutcomeWriter {
  /** Replays absorbed by committed batches since the process started (see WriteResult.replayed). */
  readonly metrics = { replaysAbsorbed: 0 };
  private readonly retry: SinkRetry;

  constructor(
    private readonly db: Db,
    private readonly tasks: TaskRepository,
    private readonly harvest: HarvestMemory,
    private readonly seed: SeedResults,
    options: OutcomeWriterOptions = {},
  ) {
    this.retry = options.retry ?? DEFAULT_SINK_RETRY;
  }

  /** The sink's stored offset for a consumer group's partition (where to resume). */
  async loadOffset(groupId: string, topic: string, partition: number): Promise<number | undefined> {
    const r = await this.db.query<{ next_offset: string }>(SQL.selectOffset, [groupId, topic, partition]);
    return r.rows[0] ? Number(r.rows[0].next_offset) : undefined;
  }

  /**
   * Applies a batch of outcome events and moves the offsets, atomically.
   * Throws SinkFencedError (and writes nothing) when another sink moved an offset meanwhile, and
   * DB_TRANSIENT when a transient database error outlasted the retries.
   */
  async applyOutcomes(
    groupId: string,
    events: OutcomeEvent[],
    offsets: OffsetMove[],
  ): Promise<WriteResult> {
    return this.write(events, (tx) => this.moveOffsets(tx, groupId, offsets));
  }

  /** Writes events without offsets (the embedded runtime's sink, whose log lives in memory). */
  async writeOutcomes(events: OutcomeEvent[]): Promise<WriteResult> {
    return this.write(events, async () => {});
  }

  /** The batch in one transaction; refused for good: again record by record; transient: retried. */
  private async write(all: OutcomeEvent[], before: (tx: Queryable) => Promise<void>): Promise<WriteResult> {
    const events = all.map(safeEvent);
    const once = async (): Promise<WriteResult> => {
      // Outcomes whose row was already there (a replay the upsert absorbs), found by this attempt.
      const inBatch = inBatchReplays(events);
      const replayed = [...inBatch];
      try {
        const done = await this.db.transaction(async (tx) => {
          await before(tx);
          return this.writeEvents(tx, events, replayed);
        });
        return { ...done, replayed };
      } catch (err) {
        if (!isDbRefusal(err)) throw err;
        replayed.splice(inBatch.length); // the failed attempt's findings were rolled back with it
        const done = await this.db.transaction(async (tx) => {
          await before(tx);
          return this.writeIsolated(tx, events, replayed);
        });
        return { ...done, replayed };
      }
    };
    try {
      const result = await retry(once, { ...this.retry, isRetriable });
      this.metrics.replaysAbsorbed += result.replayed.length;
      return result;
    } catch (err) {
      if (!isRetriable(err)) throw err;
      throw errors.DB_TRANSIENT({ detail: errorMessage(err), sqlState: sqlState(err) }, { cause: err });
    }
  }

  private async moveOffsets(tx: Queryable, groupId: string, offsets: OffsetMove[]): Promise<void> {
    for (const o of [...offsets].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)) {
      const r =
        o.from === undefined
          ? await tx.query(SQL.insertOffset, [groupId, o.topic, o.partition, o.to])
          : await tx.query(SQL.moveOffset, [groupId, o.topic, o.partition, o.to, o.from]);
      if (r.rowCount !== 1) throw new SinkFencedError(o.topic, o.partition);
    }
  }

  private async writeEvents(tx: Queryable, events: OutcomeEvent[], replayed: RecordOutcomeEvent[]): Promise<{ completed: string[] }> {
    const terminal = await this.writeRecords(tx, lastOutcomes(events), replayed);
    const taskEvents = events.filter((e): e is TaskOutcomeEvent => e.kind === 'task');
    for (const e of taskEvents) await this.applyTaskEvent(tx, e);
    return this.complete(tx, events, terminal || taskEvents.length > 0);
  }

  /**
   * The refused batch again, each record and task event in its own savepoint: what the database
   * refuses is rolled back alone. A refused record's result is stored without content with the
   * database's reason (DB_REFUSED): failed if the record stopped there, else a warning (it already
   * went on to its next step). If even that is refused, only its counters move, so its task can
   * still complete. A refused task event fails the task with the reason.
   */
  private async writeIsolated(tx: Queryable, events: OutcomeEvent[], replayed: RecordOutcomeEvent[]): Promise<{ completed: string[] }> {
    for (const e of lastOutcomes(events)) {
      let refused = await savepoint(tx, () => this.writeRecords(tx, [e], replayed));
      if (refused === undefined) continue;
      const failed = refusedOutcome(e, refused);
      refused = await savepoint(tx, () => this.writeRecords(tx, [failed], []));
      if (refused !== undefined) await this.countOnly(tx, failed);
    }
    for (const e of events) {
      if (e.kind !== 'task') continue;
      const refused = await savepoint(tx, () => this.applyTaskEvent(tx, e));
      if (refused === undefined) continue;
      const reason = `The database refused the task event '${e.event}': ${safeText(errorMessage(refused))}`;
      await savepoint(tx, async () => {
        await this.tasks.transition(e.taskId, 'failed', reason, tx);
      });
    }
    return this.complete(tx, events, true);
  }

  /** Result rows and everything that moves with them; true if a new row is terminal. */
  private async writeRecords(tx: Queryable, outcomes: RecordOutcomeEvent[], replayed: RecordOutcomeEvent[]): Promise<boolean> {
    const records = await this.upsertResults(tx, outcomes);
    if (records.length < outcomes.length) for (const e of outcomes) if (!records.includes(e)) replayed.push(e);
    const t = totals(records);
    const harvested = changedHarvests(records);
    // Counters, error groups, tiers, terminal counts and the harvest memory: one statement, one round trip.
    if (t.progress.length > 0 || t.errors.length > 0 || t.tiers.length > 0 || t.terminal.size > 0 || harvested.length > 0)
      await tx.query(SQL.addBatchTotals, [
        JSON.stringify(t.progress),
        JSON.stringify(t.errors),
        JSON.stringify(t.tiers),
        JSON.stringify(terminalRows(t.terminal)),
        JSON.stringify(harvested),
      ]);
    await this.harvest.markSeen(tx, records);
    await this.seed.write(tx, records);
    return t.terminal.size > 0;
  }

  /** The last resort for a record the database refuses in any form: its step counts one failure. */
  private async countOnly(tx: Queryable, e: RecordOutcomeEvent): Promise<void> {
    const t = totals([{ ...e, messages: [] }]);
    await tx.query(SQL.addProgress, [JSON.stringify(t.progress)]);
    await this.tasks.addTerminalCounts(tx, t.terminal);
  }

  /** Completion: every listed record reached its last step or stopped. */
  private async complete(tx: Queryable, events: OutcomeEvent[], check: boolean): Promise<{ completed: string[] }> {
    if (!check) return { completed: [] };
    return { completed: await this.tasks.completeFinished(tx, [...new Set(events.map((e) => e.taskId))]) };
  }

  /** Upserts the result rows, a chunk per statement; returns the outcomes whose rows are new (not replays). */
  private async upsertResults(tx: Queryable, outcomes: RecordOutcomeEvent[]): Promise<RecordOutcomeEvent[]> {
    const inserted = new Set<string>();
    for (let i = 0; i < outcomes.length; i += RESULT_CHUNK) {
      const chunk = outcomes.slice(i, i + RESULT_CHUNK);
      const values = chunk.flatMap((e) => [
        e.taskId,
        e.step,
        e.recordId,
        e.status,
        e.content,
        e.content === null ? (e.contentFrom ?? null) : null,
        JSON.stringify(e.messages),
        e.data ? JSON.stringify(e.data) : null,
      ]);
      const r = await tx.query<{ task_id: string; step: string; record_id: string; inserted: boolean }>(
        SQL.upsertResults(chunk.length),
        values,
      );
      for (const row of r.rows) if (row.inserted) inserted.add(resultKey(row.task_id, row.step, row.record_id));
    }
    return outcomes.filter((e) => inserted.has(resultKey(e.taskId, e.step, e.recordId)));
  }

  /** One task event (the batch applies them in the order they came). */
  private async applyTaskEvent(tx: Queryable, e: TaskOutcomeEvent): Promise<void> {
    if (e.event === 'listing-started') await this.tasks.transition(e.taskId, 'harvesting', undefined, tx);
    else if (e.event === 'expected') await this.tasks.setExpected(tx, e.taskId, e.expected ?? null);
    else if (e.event === 'listing-done') {
      await this.tasks.setListingDone(tx, e.taskId, e.expected ?? 0);
      await this.tasks.transition(e.taskId, 'processing', undefined, tx);
    } else if (e.event === 'failed') await this.tasks.transition(e.taskId, 'failed', e.reason, tx);
    else if (e.event === 'cancelled') await this.tasks.transition(e.taskId, 'cancelled', e.reason, tx);
  }
}

/**
 * Runs `fn` in a savepoint: undefined when it succeeded; the error when the database refused it for
 * good (rolled back to the savepoint, the transaction goes on). Any other error is thrown.
 */
async function savepoint(tx: Queryable, fn: () => Promise<unknown>): Promise<unknown> {
  await tx.query('SAVEPOINT outcome');
  try {
    await fn();
    await tx.query('RELEASE SAVEPOINT outcome');
    return undefined;
  } catch (err) {
    if (!isDbRefusal(err)) throw err;
    await tx.query('ROLLBACK TO SAVEPOINT outcome');
    return err;
  }
}

/**
 * A record's outcome the database refused, with the database's reason instead (no content, no data):
 * a failure where the record stopped; a warning where it already went on to its next step.
 */
function refusedOutcome(e: RecordOutcomeEvent, err: unknown): RecordOutcomeEvent {
  const refusal = errors.DB_REFUSED({ sqlState: sqlState(err) ?? '?', detail: safeText(errorMessage(err)) });
  const stopped = e.terminal || e.status === 'fail' || e.status === 'cancelled';
  return {
    kind: 'record',
    taskId: e.taskId,
    recordId: e.recordId,
    step: e.step,
    status: stopped ? 'fail' : 'warn',
    messages: [{ level: stopped ? 'error' : 'warn', code: refusal.code, message: refusal.message }],
    content: null,
    terminal: e.terminal,
  };
}
