/**
 * The processor contract (as Kafka Streams' `processor.api`): the runtime creates one processor
 * instance per task (input partition) from a supplier, calls `init` once, `process` per record,
 * and `close` when the task is closed or revoked. The framework owns stores, producers and timers.
 */
import type { Logger } from 'pino';
import type { RecordMetadata, StreamRecord, TopicPartitionOffset } from './record.ts';
import type { KeyValueStore } from './state-store.ts';

export type PunctuationType = 'stream-time' | 'wall-clock';

/** Called by a schedule; `timestamp` is stream time or wall-clock time depending on the type. */
export type Punctuator = (timestamp: number) => void;

export interface Cancellable {
  cancel(): void;
}

/** What a processor can do outside of a record: forward (e.g. from a punctuator), schedule, use stores. */
export interface ProcessorContext<KOut = unknown, VOut = unknown> {
  readonly applicationId: string;
  /** `<topic>-<partition>` of the task's input partition. */
  readonly taskId: string;
  readonly topic: string;
  readonly partition: number;
  /** This processor's node name in the topology. */
  readonly nodeName: string;
  readonly logger: Logger;
  /** Aborted when the task closes (revocation, shutdown): long work should stop. */
  readonly signal: AbortSignal;
  /**
   * Sends a record to all children, or to the child named `childName` (throws ENGINE_UNKNOWN_CHILD if
   * it is not a child). Called from `process`, the output belongs to the current record and is
   * emitted in input order, and within a record in forward order (even when async children settle
   * in another order); called from a punctuator, it is emitted with the next commit.
   * In async processors, forward through the record context passed to `process` (this one cannot
   * tell which record is current once `process` has awaited).
   */
  forward(record: StreamRecord<KOut, VOut>, childName?: string): void;
  /**
   * Runs `punctuator` every `intervalMs`: 'stream-time' fires as record timestamps advance the task's
   * stream time; 'wall-clock' fires on the system clock (LocalRuntime: on `advanceWallClock`).
   */
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  /** A store attached to this processor (throws ENGINE_UNKNOWN_STORE otherwise). */
  getStateStore<K, V>(name: string): KeyValueStore<K, V>;
  /** Metadata of the record being processed synchronously, undefined elsewhere. */
  recordMetadata(): RecordMetadata | undefined;
}

/** The context of one record: forwards and store writes here belong to that record, even after awaits. */
export interface RecordContext<KOut = unknown, VOut = unknown> extends ProcessorContext<KOut, VOut> {
  readonly metadata: RecordMetadata;
}

export interface Processor<KIn = unknown, VIn = unknown, KOut = unknown, VOut = unknown> {
  init?(context: ProcessorContext<KOut, VOut>): void;
  /**
   * Handles one record. May return a promise: up to `concurrency` records of a partition are then in
   * flight together, and their outputs and offsets are still committed in input order. A throw or a
   * rejection sends the input record to the dead-letter topic (or stops the runtime with fail-fast);
   * that record's forwarded outputs are discarded, its state-store writes are kept.
   * Do store reads-modify-writes before the first `await`: they then act in input order.
   */
  process(record: StreamRecord<KIn, VIn>, context: RecordContext<KOut, VOut>): void | Promise<void>;
  /**
   * Optional participation in commits (external transactional sinks). Called with the task's input
   * offsets about to be committed, after every output up to them was processed and before the
   * Kafka transaction commits. Write buffered rows together with these offsets in one external
   * transaction; with `offsetStore` the runtime later resumes from those offsets. A rejection aborts
   * the commit (exactly-once: the Kafka transaction is aborted and the task rewinds).
   */
  commit?(offsets: TopicPartitionOffset[]): Promise<void>;
  close?(): void | Promise<void>;
}

export type ProcessorSupplier<KIn = any, VIn = any, KOut = any, VOut = any> = () => Processor<KIn, VIn, KOut, VOut>;
