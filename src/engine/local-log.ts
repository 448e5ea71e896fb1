/**
 * An in-process partitioned log: topics of partitions of records with offsets, and committed offsets
 * per group. Appends of one commit are atomic (one synchronous call), which is what gives the
 * LocalRuntime the same exactly-once semantics as Kafka transactions.
 */
import { partitionForKey } from './partitioner.ts';
import type { LogRecord, OutputRecord, TopicPartitionOffset } from './record.ts';

export interface LocalLogOptions {
  /**
   * Drop records every group that consumes a partition has committed past (memory stays flat over
   * long runs; `read()` then returns only what is left). Default false: keep everything (tests).
   */
  dropCommitted?: boolean;
}

export class LocalLog {
  /** Records by topic and partition; a dropped (committed and consumed) record leaves a hole. */
  private readonly topics = new Map<string, Array<Array<LogRecord | undefined>>>();
  /** Per partition, offsets below this have been dropped. */
  private readonly droppedBelow = new Map<string, number>();
  private readonly committedOffsets = new Map<string, Map<string, number>>();
  private readonly listeners = new Set<() => void>();
  private nullKeyCounter = 0;

  /** @param defaultPartitions partitions of topics created implicitly (on first append). */
  constructor(
    readonly defaultPartitions = 1,
    private readonly options: LocalLogOptions = {},
  ) {}

  /** Creates a topic if missing; an existing topic keeps its partition count. */
  ensureTopic(topic: string, partitions = this.defaultPartitions): void {
    if (!this.topics.has(topic))
      this.topics.set(
        topic,
        Array.from({ length: partitions }, () => []),
      );
  }

  hasTopic(topic: string): boolean {
    return this.topics.has(topic);
  }

  partitionsOf(topic: string): number {
    this.ensureTopic(topic);
    return this.topics.get(topic)!.length;
  }

  /** Appends records (partition by murmur2 of the key when not given) and notifies readers. */
  append(records: readonly OutputRecord[]): void {
    if (records.length === 0) return;
    for (const r of records) {
      this.ensureTopic(r.topic);
      const partitions = this.topics.get(r.topic)!;
      const partition =
        r.partition ??
        (r.key === null ? this.nullKeyCounter++ % partitions.length : partitionForKey(r.key, partitions.length));
      const log = partitions[partition];
      if (!log) throw new RangeError(`topic ${r.topic} has no partition ${partition}`);
      log.push({
        topic: r.topic,
        partition,
        offset: log.length,
        key: r.key,
        value: r.value,
        timestamp: r.timestamp,
        headers: r.headers,
      });
    }
    for (const listener of this.listeners) listener();
  }

  /** Every record of a topic, partition by partition, in offset order. */
  read(topic: string): LogRecord[] {
    return (this.topics.get(topic) ?? []).flat().filter((r): r is LogRecord => r !== undefined);
  }

  readPartition(topic: string, partition: number, from: number, max = Infinity): LogRecord[] {
    const log = this.topics.get(topic)?.[partition] ?? [];
    return log.slice(from, Math.min(log.length, from + max)).filter((r): r is LogRecord => r !== undefined);
  }

  recordAt(topic: string, partition: number, offset: number): LogRecord | undefined {
    return this.topics.get(topic)?.[partition]?.[offset];
  }

  endOffset(topic: string, partition: number): number {
    return this.topics.get(topic)?.[partition]?.length ?? 0;
  }

  /** Appends outputs and commits offsets for `group` in one step (a local "transaction"). */
  commit(group: string, outputs: readonly OutputRecord[], offsets: readonly TopicPartitionOffset[]): void {
    let byGroup = this.committedOffsets.get(group);
    if (!byGroup) this.committedOffsets.set(group, (byGroup = new Map()));
    for (const o of offsets) byGroup.set(`${o.topic}\u0000${o.partition}`, o.offset);
    if (this.options.dropCommitted) for (const o of offsets) this.dropBelow(o.topic, o.partition);
    this.append(outputs);
  }

  /** Frees the records of a partition that every group reading it has committed past. */
  private dropBelow(topic: string, partition: number): void {
    const key = `${topic}\u0000${partition}`;
    let upTo = Infinity;
    for (const byGroup of this.committedOffsets.values()) {
      const c = byGroup.get(key);
      if (c !== undefined) upTo = Math.min(upTo, c);
    }
    const log = this.topics.get(topic)?.[partition];
    if (!log || upTo === Infinity) return;
    const from = this.droppedBelow.get(key) ?? 0;
    for (let i = from; i < Math.min(upTo, log.length); i++) log[i] = undefined;
    this.droppedBelow.set(key, Math.max(from, upTo));
  }

  committed(group: string, topic: string, partition: number): number | undefined {
    return this.committedOffsets.get(group)?.get(`${topic}\u0000${partition}`);
  }

  /** Registers a callback run after every append; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
