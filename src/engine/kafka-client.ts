/**
 * The adapter edge to librdkafka (@confluentinc/kafka-javascript, node-rdkafka-style API): the only
 * engine module importing the client. Promisifies the calls the runtime needs and translates client
 * errors into what the loop must do (EngineError codes: fenced, abortable, fatal).
 */
import { createRequire } from 'node:module';
import type {
  KafkaConsumer,
  LibrdKafkaError,
  Message,
  Producer,
  TopicPartition,
  TopicPartitionOffset as RdOffset,
} from '@confluentinc/kafka-javascript';
import { EngineError, errorMessage } from './errors.ts';
import type { Headers, LogRecord, OutputRecord, TopicPartitionOffset } from './record.ts';

interface KafkaApi {
  KafkaConsumer: new (conf: Record<string, unknown>, topicConf?: Record<string, unknown>) => KafkaConsumer;
  Producer: new (conf: Record<string, unknown>, topicConf?: Record<string, unknown>) => Producer;
  AdminClient: { create(conf: Record<string, unknown>): AdminLike };
  CODES: { ERRORS: Record<string, number> };
}

let client: KafkaApi | undefined;
/**
 * The native client, loaded on first use: the LocalRuntime (embedded default) must run on machines
 * where the optional native Kafka client is not built.
 */
export function kafka(): KafkaApi {
  if (!client) {
    try {
      client = createRequire(import.meta.url)('@confluentinc/kafka-javascript') as KafkaApi;
    } catch (err) {
      throw new EngineError(
        'ENGINE_KAFKA',
        `The Kafka client @confluentinc/kafka-javascript is not installed or not built (run scripts/setup.sh): ${errorMessage(err)}`,
        { cause: err },
      );
    }
  }
  return client;
}

export const ERR = {
  ASSIGN: -175,
  REVOKE: -174,
  PARTITION_EOF: -191,
  TOPIC_ALREADY_EXISTS: 36,
  QUEUE_FULL: -184,
} as const;

interface AdminLike {
  createTopic(
    topic: { topic: string; num_partitions: number; replication_factor: number; config?: Record<string, string> },
    timeout: number,
    cb: (err: LibrdKafkaError | null) => void,
  ): void;
  disconnect(): void;
}

/** The consumer methods the runtime uses, including the cooperative ones missing from the typings. */
export interface Consumer extends KafkaConsumer {
  incrementalAssign(assignments: Array<TopicPartition | RdOffset>): void;
  incrementalUnassign(assignments: TopicPartition[]): void;
  assignmentLost(): boolean;
}

export type ClientConfig = Record<string, string | number | boolean | ((...args: any[]) => void)>;

/** Wraps a librdkafka error into an EngineError whose code says what to do about it. */
export function translate(err: unknown, action: string): EngineError {
  const e = err as Partial<LibrdKafkaError> | undefined;
  const fenced =
    e?.code === -144 /* ERR__FENCED */ ||
    e?.code === 47 /* INVALID_PRODUCER_EPOCH */ ||
    e?.code === 90 /* PRODUCER_FENCED */ ||
    e?.code === 22 /* ILLEGAL_GENERATION */ ||
    e?.code === 25; /* UNKNOWN_MEMBER_ID */
  return new EngineError(fenced ? 'ENGINE_FENCED' : 'ENGINE_KAFKA', `${action}: ${errorMessage(err)}`, {
    cause: err,
    retriable: e?.isRetriable === true,
    context: { kafkaCode: e?.code, fatal: e?.isFatal === true, abortable: e?.isTxnRequiresAbort === true },
  });
}

function promised<T = void>(
  action: string,
  run: (cb: (err: LibrdKafkaError | null | undefined, value?: T) => void) => void,
): Promise<T> {
  return new Promise((resolve, reject) => {
    run((err, value) => (err ? reject(translate(err, action)) : resolve(value as T)));
  });
}

/**
 * The binding's connect ends with a metadata request: for no topic (the broker still answers, so the
 * connection is proven), not the default of every topic in the cluster, which costs in proportion to
 * the cluster's partitions.
 */
const CONNECT_OPTIONS = { timeout: 30_000, allTopics: false };

export async function connectConsumer(config: ClientConfig): Promise<Consumer> {
  // auto.offset.reset is a topic-level property: given globally it would be ignored by the binding.
  const { 'auto.offset.reset': reset = 'earliest', ...global } = config;
  const consumer = new (kafka().KafkaConsumer)(global, { 'auto.offset.reset': reset }) as Consumer;
  await promised('connect consumer', (cb) => consumer.connect(CONNECT_OPTIONS, (err) => cb(err)));
  return consumer;
}

export async function connectProducer(config: ClientConfig): Promise<Producer> {
  // `partitioner` is a topic-level property (murmur2_random = the Java client's key hashing).
  const { partitioner = 'murmur2_random', ...global } = config;
  const producer = new (kafka().Producer)(global, { partitioner });
  await promised('connect producer', (cb) => producer.connect(CONNECT_OPTIONS, (err) => cb(err)));
  producer.setPollInterval(50);
  return producer;
}

export function disconnect(client: KafkaConsumer | Producer): Promise<void> {
  return new Promise((resolve) => {
    if (!client.isConnected()) return resolve();
    client.disconnect(() => resolve());
  });
}

/** Creates topics that do not exist yet (existing ones are left alone). */
export async function ensureTopics(
  brokers: string,
  topics: Array<{ topic: string; partitions: number; config?: Record<string, string> }>,
): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka().AdminClient.create({ 'bootstrap.servers': brokers });
  try {
    await Promise.all(
      topics.map(
        (t) =>
          new Promise<void>((resolve, reject) =>
            admin.createTopic(
              {
                topic: t.topic,
                num_partitions: t.partitions,
                replication_factor: 1,
                config: t.config ?? {},
              },
              30_000,
              (err) =>
                !err || err.code === ERR.TOPIC_ALREADY_EXISTS
                  ? resolve()
                  : reject(translate(err, `create topic ${t.topic}`)),
            ),
          ),
      ),
    );
  } finally {
    admin.disconnect();
  }
}

/** Partition counts of topics (metadata lookup through an existing client). */
export async function partitionCounts(
  client: KafkaConsumer | Producer,
  topics: string[],
): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  for (const topic of topics) {
    const meta = await promised<{ topics: Array<{ name: string; partitions: unknown[] }> }>(`metadata ${topic}`, (cb) =>
      client.getMetadata({ topic, timeout: 10_000 }, (err, data) => cb(err, data as any)),
    );
    const found = meta.topics.find((t) => t.name === topic);
    if (found && found.partitions.length > 0) result.set(topic, found.partitions.length);
  }
  return result;
}

export function consume(consumer: KafkaConsumer, max: number): Promise<Message[]> {
  return promised<Message[]>('consume', (cb) => consumer.consume(max, (err, messages) => cb(err, messages)));
}

const decodeHeaders = (headers: Message['headers']): Headers => {
  if (!headers || headers.length === 0) return {};
  const out: Record<string, string> = {};
  for (const h of headers)
    for (const [k, v] of Object.entries(h)) out[k] = Buffer.isBuffer(v) ? v.toString('utf8') : String(v);
  return out;
};

export function toLogRecord(m: Message): LogRecord {
  const key = m.key === undefined || m.key === null ? null : Buffer.isBuffer(m.key) ? m.key : Buffer.from(m.key);
  return {
    topic: m.topic,
    partition: m.partition,
    offset: m.offset,
    key,
    value: m.value ?? null,
    timestamp: m.timestamp ?? Date.now(),
    headers: decodeHeaders(m.headers),
  };
}

/**
 * Queues one record in librdkafka; false when its local queue is full (then use `produce`). `opaque`
 * comes back in its delivery report. Leave it undefined on a producer without delivery reports (the
 * exactly-once one): the binding keeps any other value, null too, in a persistent handle that only a
 * delivery report frees, ~70 bytes of native memory per record produced.
 */
export function tryProduce(producer: Producer, r: OutputRecord, opaque?: unknown): boolean {
  let headers: Array<Record<string, string>> | undefined;
  for (const k in r.headers) (headers ??= []).push({ [k]: r.headers[k] });
  try {
    producer.produce(r.topic, r.partition ?? null, r.value, r.key, r.timestamp, opaque, headers);
    return true;
  } catch (err) {
    if ((err as LibrdKafkaError).code !== ERR.QUEUE_FULL) throw translate(err, `produce to ${r.topic}`);
    producer.poll();
    return false;
  }
}

/** Queues one record in librdkafka, waiting while its local queue is full. */
export async function produce(producer: Producer, r: OutputRecord, opaque?: unknown): Promise<void> {
  while (!tryProduce(producer, r, opaque)) await new Promise((resolve) => setTimeout(resolve, 5));
}

export const txn = {
  init: (p: Producer) => promised('init transactions', (cb) => p.initTransactions(30_000, cb)),
  begin: (p: Producer) => promised('begin transaction', (cb) => p.beginTransaction(cb)),
  sendOffsets: (p: Producer, offsets: TopicPartitionOffset[], consumer: KafkaConsumer) =>
    promised('send offsets to transaction', (cb) =>
      p.sendOffsetsToTransaction(
        offsets.map((o) => ({ ...o })),
        consumer,
        30_000,
        cb,
      ),
    ),
  commit: (p: Producer) => promised('commit transaction', (cb) => p.commitTransaction(30_000, cb)),
  abort: (p: Producer) => promised('abort transaction', (cb) => p.abortTransaction(30_000, cb)),
};

export function flush(p: Producer): Promise<void> {
  return promised('flush', (cb) => p.flush(30_000, cb));
}

/**
 * Errors of a partition whose leader is not ready yet (e.g. a topic created a moment ago): the broker's,
 * and the client's own while its metadata does not list the new topic or partition yet.
 */
const LEADER_NOT_READY = [
  3 /* UNKNOWN_TOPIC_OR_PART */,
  5 /* LEADER_NOT_AVAILABLE */,
  6 /* NOT_LEADER_OR_FOLLOWER */,
  -188 /* local: UNKNOWN_TOPIC */,
  -190 /* local: UNKNOWN_PARTITION */,
];

/**
 * The read_committed end (last stable offset) of partitions, in one ListOffsets request per broker:
 * the special timestamp -1 asks for the end, and librdkafka's ListOffsets uses the client's isolation
 * level (the restore consumer is read_committed). Retried while a new topic's leader is not ready.
 */
async function endOffsets(consumer: KafkaConsumer, partitions: ReadonlyArray<{ topic: string; partition: number }>): Promise<number[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      return await promised('end offsets of changelogs', (cb) =>
        consumer.offsetsForTimes(
          partitions.map((p) => ({ topic: p.topic, partition: p.partition, offset: -1 /* latest */ })),
          30_000,
          (err, result) => {
            const ends = new Map((result ?? []).map((r) => [`${r.topic}\u0000${r.partition}`, r.offset]));
            cb(err, partitions.map((p) => ends.get(`${p.topic}\u0000${p.partition}`) ?? -1));
          },
        ),
      );
    } catch (err) {
      const code = (err as EngineError).context?.kafkaCode as number;
      if (!LEADER_NOT_READY.includes(code) || Date.now() > deadline) throw err;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

/**
 * Reads changelog partitions from their beginning to their read_committed end, all at once. Their
 * end offsets are asked first: a partition whose end is 0 never held a committed record and is not
 * read, so restoring new (empty) changelogs costs one round trip instead of a fetch per partition
 * that waits for data until `fetch.wait.max.ms`. Returns the number of records applied per partition.
 */
export async function readAllToEnd(
  restoreConsumer: KafkaConsumer,
  partitions: ReadonlyArray<{ topic: string; partition: number }>,
  apply: (index: number, r: LogRecord) => void,
): Promise<number[]> {
  const counts = partitions.map(() => 0);
  if (partitions.length === 0) return counts;
  const ends = await endOffsets(restoreConsumer, partitions);
  const reading = new Map<string, number>();
  const toRead: RdOffset[] = [];
  partitions.forEach((p, i) => {
    if (ends[i] === 0) return;
    reading.set(`${p.topic}\u0000${p.partition}`, i);
    toRead.push({ topic: p.topic, partition: p.partition, offset: -2 /* beginning */ });
  });
  if (toRead.length === 0) return counts;
  // The binding emits a batch's end-of-partition events before it hands over the batch: a partition
  // is done for the batches after the one its event came with.
  const ended = new Set<string>();
  const onEof = (e: { topic: string; partition: number }) => ended.add(`${e.topic}\u0000${e.partition}`);
  restoreConsumer.on('partition.eof', onEof);
  restoreConsumer.assign(toRead);
  try {
    while (ended.size < reading.size) {
      const endedBefore = new Set(ended);
      for (const m of await consume(restoreConsumer, 1000)) {
        const key = `${m.topic}\u0000${m.partition}`;
        const i = reading.get(key);
        if (i === undefined || endedBefore.has(key)) continue;
        apply(i, toLogRecord(m));
        counts[i]++;
      }
    }
  } finally {
    restoreConsumer.removeListener('partition.eof', onEof);
    restoreConsumer.unassign();
  }
  return counts;
}
