/**
 * A task's ordered in-flight window. Every input record is an entry in a FIFO; a record is complete
 * when its processing and that of everything it forwarded has settled. Entries leave the window only
 * from the head, so outputs and offsets are released in input order whatever order promises settle in.
 */
import type { LogRecord, OutputRecord, RecordMetadata, TopicPartitionOffset } from './record.ts';

/**
 * A record's outputs as a tree: every forward to a processor reserves a slot, so outputs come out in
 * forward order (as if processing were synchronous) whatever order async children settle in.
 */
export type OutputTree = Array<OutputRecord | OutputTree>;

function flattenInto(tree: OutputTree, out: OutputRecord[]): void {
  for (const item of tree) {
    if (Array.isArray(item)) flattenInto(item, out);
    else out.push(item);
  }
}

/** One input record in the window. */
export interface Entry {
  readonly record: LogRecord;
  readonly metadata: RecordMetadata;
  outputs: OutputTree;
  readonly changelog: OutputRecord[];
  /** Processing calls not settled yet (the record's own, plus one per async processor it reached). */
  pending: number;
  done: boolean;
  failed: boolean;
}

export class OrderedWindow {
  private readonly queue: Entry[] = [];
  private ready: OutputRecord[] = [];
  private committable = -1;

  constructor(
    private readonly topic: string,
    private readonly partition: number,
    /** Max records in flight. */
    readonly size: number,
  ) {}

  get inFlight(): number {
    return this.queue.length;
  }

  hasRoom(): boolean {
    return this.queue.length < this.size;
  }

  /** Adds a record at the tail (offsets must come in order). */
  open(record: LogRecord): Entry {
    const metadata: RecordMetadata = {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      headers: record.headers,
    };
    const entry: Entry = { record, metadata, outputs: [], changelog: [], pending: 1, done: false, failed: false };
    this.queue.push(entry);
    return entry;
  }

  /** An output that belongs to no record (punctuators, writes outside `process`): released at once. */
  pushReady(output: OutputRecord): void {
    this.ready.push(output);
  }

  /**
   * `entry` completed: if it is at the head, releases it and every completed entry behind it (changelog
   * writes first, then outputs in forward order). True when something was released.
   */
  release(entry: Entry): boolean {
    if (this.queue[0] !== entry) return false;
    while (this.queue.length > 0 && this.queue[0].done) {
      const head = this.queue.shift()!;
      for (const o of head.changelog) this.ready.push(o);
      flattenInto(head.outputs, this.ready);
      this.committable = head.record.offset + 1;
    }
    return true;
  }

  /** True when there are outputs or an offset to commit. */
  hasCommittable(): boolean {
    return this.ready.length > 0 || this.committable >= 0;
  }

  /** Takes the outputs released so far (in input order) without the offset: for eager producing. */
  takeOutputs(): OutputRecord[] {
    const outputs = this.ready;
    this.ready = [];
    return outputs;
  }

  /** Takes the released outputs and the next offset to commit. */
  takeCommit(): { outputs: OutputRecord[]; offset: TopicPartitionOffset | undefined } {
    const outputs = this.takeOutputs();
    const offset =
      this.committable >= 0 ? { topic: this.topic, partition: this.partition, offset: this.committable } : undefined;
    this.committable = -1;
    return { outputs, offset };
  }
}
