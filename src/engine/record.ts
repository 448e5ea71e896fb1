/**
 * Records flowing through a topology. Records are immutable: derive a changed copy with the `with*()`
 * methods (as Kafka Streams' `Record`), so a processor can never alter what a sibling already received.
 */

/** Record headers. Values are strings; binary headers read from Kafka are decoded as UTF-8. */
export type Headers = Readonly<Record<string, string>>;

/** A keyed, timestamped record with headers, as seen by processors. */
export class StreamRecord<K, V> {
  constructor(
    readonly key: K,
    readonly value: V,
    /** Milliseconds since the epoch (the Kafka record timestamp for source records). */
    readonly timestamp: number = Date.now(),
    readonly headers: Headers = {},
  ) {}

  withKey<K2>(key: K2): StreamRecord<K2, V> {
    return new StreamRecord(key, this.value, this.timestamp, this.headers);
  }

  withValue<V2>(value: V2): StreamRecord<K, V2> {
    return new StreamRecord(this.key, value, this.timestamp, this.headers);
  }

  withTimestamp(timestamp: number): StreamRecord<K, V> {
    return new StreamRecord(this.key, this.value, timestamp, this.headers);
  }

  /** Returns a copy whose headers are `headers` merged over the current ones. */
  withHeaders(headers: Record<string, string>): StreamRecord<K, V> {
    return new StreamRecord(this.key, this.value, this.timestamp, { ...this.headers, ...headers });
  }
}

/** Where the record being processed came from. */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** A raw record in a log (topic partition): bytes, as stored by Kafka or the local log. */
export interface LogRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** A serialized record a task wants written; `partition` undefined means "by key" (murmur2). */
export interface OutputRecord {
  readonly topic: string;
  readonly partition?: number;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: number;
  readonly headers: Headers;
}

/** An input position: `offset` is the next offset to read (Kafka's committed-offset convention). */
export interface TopicPartitionOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}
