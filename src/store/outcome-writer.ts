/**
 * The outcome sink's writer: exactly-once into PostgreSQL.
 *
 * `applyOutcomes` writes a batch of outcome events (result rows, counter increments, grouped errors,
 * tier counts, harvest memory, task events, the seed's result rows) together with the consumed
 * offsets in ONE transaction. The offset row is updated only if it still holds the offset this sink
 * started its batch from, so a zombie sink (one whose partition moved to another worker) is fenced:
 * its transaction finds no matching row and rolls back. Counters move only for result rows that are
 * new, so an outcome delivered twice rewrites its row but is never counted twice.
 */
import type { Db, Queryable } from './db.ts';
import type { HarvestMemory } from './harvest-memory.ts';
import { lastOutcomes, resultKey, totals } from './outcome-batch.ts';
import type { SeedResults } from './seed-results.ts';
import * as SQL from './sql/outcomes.sql.ts';
import type { TaskRepository } from './task-repository.ts';
import type { OutcomeEvent, RecordOutcomeEvent } from '../model/index.ts';

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

export class SinkFencedError extends Error {
  readonly code = 'SINK_FENCED';
  constructor(topic: string, partition: number) {
    super(`Sink offsets for ${topic}[${partition}] moved on: another sink owns this partition now`);
  }
}

/** Result rows per upsert statement. */
const RESULT_CHUNK = 200;

export class OutcomeWriter {
  constructor(
    private readonly db: Db,
    private readonly tasks: TaskRepository,
    private readonly harvest: HarvestMemory,
    private readonly seed: SeedResults,
  ) {}

  /** The sink's stored offset for a consumer group's partition (where to resume). */
  async loadOffset(groupId: string, topic: string, partition: number): Promise<number | undefined> {
    const r = await this.db.query<{ next_offset: string }>(SQL.selectOffset, [groupId, topic, partition]);
    return r.rows[0] ? Number(r.rows[0].next_offset) : undefined;
  }

  /**
   * Applies a batch of outcome events and moves the offsets, atomically.
   * Throws SinkFencedError (and writes nothing) when another sink moved an offset meanwhile.
   */
  async applyOutcomes(
    groupId: string,
    events: OutcomeEvent[],
    offsets: OffsetMove[],
  ): Promise<{ completed: string[] }> {
    return this.db.transaction(async (tx) => {
      for (const o of [...offsets].sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)) {
        const r =
          o.from === undefined
            ? await tx.query(SQL.insertOffset, [groupId, o.topic, o.partition, o.to])
            : await tx.query(SQL.moveOffset, [groupId, o.topic, o.partition, o.to, o.from]);
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
    const records = await this.upsertResults(tx, lastOutcomes(events));
    const t = totals(records);
    if (t.progress.length > 0) await tx.query(SQL.addProgress, [JSON.stringify(t.progress)]);
    if (t.errors.length > 0) await tx.query(SQL.addErrors, [JSON.stringify(t.errors)]);
    if (t.tiers.length > 0) await tx.query(SQL.addTiers, [JSON.stringify(t.tiers)]);
    await this.tasks.addTerminalCounts(tx, t.terminal);
    await this.harvest.rememberOutcomes(tx, records);
    await this.applyTaskEvents(tx, events);
    await this.seed.write(tx, records);

    // Completion: every listed record reached its last step or stopped.
    if (t.terminal.size === 0 && !events.some((e) => e.kind === 'task')) return { completed: [] };
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

  /** Task events, in the order they came. */
  private async applyTaskEvents(tx: Queryable, events: OutcomeEvent[]): Promise<void> {
    for (const e of events) {
      if (e.kind !== 'task') continue;
      if (e.event === 'listing-started') await this.tasks.transition(e.taskId, 'harvesting', undefined, tx);
      else if (e.event === 'expected') await this.tasks.setExpected(tx, e.taskId, e.expected ?? null);
      else if (e.event === 'listing-done') {
        await this.tasks.setListingDone(tx, e.taskId, e.expected ?? 0);
        await this.tasks.transition(e.taskId, 'processing', undefined, tx);
      } else if (e.event === 'failed') await this.tasks.transition(e.taskId, 'failed', e.reason, tx);
      else if (e.event === 'cancelled') await this.tasks.transition(e.taskId, 'cancelled', e.reason, tx);
    }
  }
}
