/**
 * The PostgreSQL sink: buffers the outcome events of its partition and, when the runtime commits,
 * writes them with the partition's next offset in one database transaction (`applyOutcomes`).
 * The runtime's offset store reads the same offsets back on assignment, so after any crash the sink
 * resumes exactly after the last batch the database holds: results are written exactly once.
 *
 * The dead-letter reader turns poison records (a processor threw, or a message could not be
 * decoded) into failed outcomes, so they show in their task's error report; it never throws itself.
 */
import { readDeadLetterHeaders } from '../engine/index.ts';
import type { Processor, ProcessorContext, RecordContext, StreamRecord, TopicPartitionOffset } from '../engine/index.ts';
import type { PipelineContext } from './context.ts';
import type { OffsetMove } from '../store/pipeline-store.ts';
import type { WriteResult } from '../store/outcome-writer.ts';
import { ROUTE, emit, recordEvent } from './routes.ts';
import { envelopeSchema, fetchCommandSchema, outcomeEventSchema, type OutcomeEvent, type RecordOutcomeEvent } from '../model/index.ts';

/**
 * The database writes of the sinks of one pipeline context (one process's runtime): batches handed
 * over in the same turn of the event loop are written in ONE database transaction, their offset moves
 * and fences included. Each partition's sink is a commit participant of its own, so a runtime that
 * calls its participants together (a commit round over 4 partitions) gets one transaction instead of
 * 4; one that calls them one after the other gets one per call, as before. If the transaction fails
 * (fenced, refused, transient past the retries), every batch in it fails: each of their sinks throws,
 * and the runtime rewinds them all. A completed task and a replay are reported to one of the callers.
 */
class SinkWrites {
  private pending: Array<{ events: OutcomeEvent[]; moves: OffsetMove[]; done: (r: WriteResult) => void; failed: (e: unknown) => void }> = [];

  constructor(private readonly p: PipelineContext) {}

  write(events: OutcomeEvent[], moves: OffsetMove[]): Promise<WriteResult> {
    return new Promise<WriteResult>((done, failed) => {
      if (this.pending.length === 0) setImmediate(() => void this.flush());
      this.pending.push({ events, moves, done, failed });
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = [];
    try {
      const result = await this.p.store.applyOutcomes(
        this.p.applicationId,
        batch.flatMap((b) => b.events),
        batch.flatMap((b) => b.moves),
      );
      batch.forEach((b, i) => b.done(i === 0 ? result : { completed: [], replayed: [] }));
    } catch (err) {
      for (const b of batch) b.failed(err);
    }
  }
}

const writers = new WeakMap<PipelineContext, SinkWrites>();

function sinkWrites(p: PipelineContext): SinkWrites {
  let w = writers.get(p);
  if (!w) writers.set(p, (w = new SinkWrites(p)));
  return w;
}

/** An outcome event waiting for the commit that covers its offset. */
interface Buffered {
  topic: string;
  partition: number;
  offset: number;
  event: OutcomeEvent;
}

export class OutcomeSinkProcessor implements Processor<string, OutcomeEvent, never, never> {
  private buffer: Buffered[] = [];
  /** Offsets as stored in the database (where the next batch starts), per topic-partition. */
  private readonly from = new Map<string, number | undefined>();

  constructor(private readonly p: PipelineContext) {}

  process(record: StreamRecord<string, OutcomeEvent>, ctx: RecordContext<never, never>): void {
    const m = ctx.metadata;
    this.buffer.push({ topic: m.topic, partition: m.partition, offset: m.offset, event: record.value });
  }

  async commit(offsets: TopicPartitionOffset[]): Promise<void> {
    // Only the records below the offsets being committed: the runtime took those offsets before it
    // called the commit participants one after the other, and the poll loop went on meanwhile, so
    // the buffer may hold later records. Written now, they would sit in the database past its offset,
    // and the partition's next owner (or this task after a rewind) would apply them a second time.
    const upTo = new Map(offsets.map((o) => [`${o.topic}:${o.partition}`, o.offset]));
    const buffered: Buffered[] = [];
    const later: Buffered[] = [];
    for (const b of this.buffer) (b.offset < (upTo.get(`${b.topic}:${b.partition}`) ?? -1) ? buffered : later).push(b);
    this.buffer = later;
    const moves = [];
    const events: OutcomeEvent[] = [];
    for (const o of offsets) {
      const k = `${o.topic}:${o.partition}`;
      if (!this.from.has(k)) this.from.set(k, await this.p.store.loadOffset(this.p.applicationId, o.topic, o.partition));
      const from = this.from.get(k);
      // Records below the database's offset are already in it: a runtime that rewound to Kafka's
      // committed offset (after a failed Kafka commit that followed a successful DB commit) replays
      // them, and they must not count twice.
      for (const b of buffered) if (b.topic === o.topic && b.partition === o.partition && (from === undefined || b.offset >= from)) events.push(b.event);
      if (from !== undefined && o.offset <= from) continue;
      moves.push({ topic: o.topic, partition: o.partition, from, to: o.offset });
    }
    if (moves.length === 0) return;
    let completed: string[];
    try {
      let replayed;
      ({ completed, replayed } = await sinkWrites(this.p).write(events, moves));
      if (replayed.length > 0) this.reportReplays(replayed);
    } catch (err) {
      // The runtime aborts and rewinds to the last committed offset, re-delivering these events.
      this.from.clear();
      throw err;
    }
    for (const m of moves) this.from.set(`${m.topic}:${m.partition}`, m.to);
    for (const taskId of completed) await this.afterCompletion(taskId);
  }

  /**
   * Outcomes the batch absorbed because their row was already written: under exactly-once a step's
   * outcome arrives once, so each is a replay from upstream (counted in `store.outcomes.metrics`).
   */
  private reportReplays(replayed: RecordOutcomeEvent[]): void {
    this.p.logger.warn(
      {
        replayed: replayed.length,
        total: this.p.store.outcomes.metrics.replaysAbsorbed,
        outcomes: replayed.slice(0, 20).map((e) => `${e.taskId} ${e.step} ${e.recordId}`),
      },
      'sink absorbed replayed outcomes',
    );
  }

  /**
   * Deleted-record detection after a full harvest (params.detectDeleted): records of the dataset
   * that the completed task no longer found at the source are depublished (tombstone "Removed data
   * at source"). Runs after the commit; a crash in between leaves them for the next full harvest.
   */
  private async afterCompletion(taskId: string): Promise<void> {
    const task = await this.p.store.getTask(taskId);
    const source = task?.spec.source;
    if (!task || !task.spec.params.detectDeleted || !source || (source.type !== 'oai' && source.type !== 'archive')) return;
    // A harvest limited by date is not a full harvest: absence proves nothing.
    if (source.type === 'oai' && (source.from || source.until)) return;
    if (task.spec.limits.recordLimit !== undefined) return;
    try {
      const gone = await this.p.store.takeRecordsGoneFromSource(task.datasetId, taskId);
      if (gone.length === 0) return;
      const outcomes = await this.p.ports.depublish.depublish(task.datasetId, gone, 'REMOVED_DATA_AT_SOURCE');
      await this.p.store.writeOutcomes(outcomes.map((o) => recordEvent(taskId, 'depublish', o, false, null)));
      this.p.logger.info({ taskId, removed: gone.length }, 'records gone from the source depublished');
    } catch (err) {
      this.p.logger.error({ err, taskId }, 'deleted-record detection failed');
    }
  }
}

/** Reads the dead-letter topic: a poison record becomes a failed, terminal outcome of its task. */
export class DeadLetterProcessor implements Processor<string | null, Buffer | null, string, unknown> {
  private ctx!: ProcessorContext<string, unknown>;
  constructor(private readonly p: PipelineContext) {}

  init(ctx: ProcessorContext<string, unknown>): void {
    this.ctx = ctx;
  }

  process(record: StreamRecord<string | null, Buffer | null>, ctx: RecordContext<string, unknown>): void {
    // The engine's dead-letter headers, decoded with its one schema (undefined if not written by it).
    const deadLetter = readDeadLetterHeaders(record.headers);
    const error = deadLetter?.['x-error-message'] ?? 'Processing failed';
    const sourceTopic = deadLetter?.['x-source-topic'] ?? '';
    let value: unknown;
    try {
      value = record.value ? JSON.parse(record.value.toString('utf8')) : null;
    } catch {
      value = null;
    }
    const envelope = envelopeSchema.safeParse(value);
    const fetch = fetchCommandSchema.safeParse(value);
    let event: OutcomeEvent | undefined;
    if (envelope.success) {
      const e = envelope.data;
      event = { kind: 'record', taskId: e.taskId, recordId: e.recordId, step: e.plan[e.stepIndex], status: 'fail', messages: [{ level: 'error', code: 'POISON_RECORD', message: error }], content: null, terminal: true };
    } else if (fetch.success) {
      const f = fetch.data;
      event = { kind: 'record', taskId: f.taskId, recordId: f.identifier, step: 'harvest', status: 'fail', messages: [{ level: 'error', code: 'POISON_RECORD', message: error }], content: null, terminal: true };
    } else if (outcomeEventSchema.safeParse(value).success) {
      // An outcome that the sink could not take: nothing to report it to but the log.
      this.p.logger.error({ sourceTopic, error }, 'outcome event dead-lettered');
      return;
    }
    if (!event) {
      this.p.logger.error({ sourceTopic, error }, 'undecodable dead-letter record dropped');
      return;
    }
    emit(ctx ?? this.ctx, ROUTE.outcomes, event.kind === 'record' ? event.recordId : event.taskId, event);
  }
}
