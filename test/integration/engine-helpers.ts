/** Helpers of the engine's integration tests: unique names, raw producing, read_committed reading. */
import { deepEqual, equal } from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import KafkaModule from '@confluentinc/kafka-javascript';
import type { KafkaConsumer, Producer } from '@confluentinc/kafka-javascript';
import { connectConsumer, connectProducer, consume, disconnect, ensureTopics, flush, partitionCounts } from '../../src/engine/kafka-client.ts';
import { Topology, stringSerde, type LogRecord, type RecordContext, type StreamRecord } from '../../src/engine/index.ts';
import { toLogRecord } from '../../src/engine/kafka-client.ts';

void KafkaModule;
export const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

export async function createTopic(topic: string, partitions: number): Promise<void> {
  await ensureTopics(BROKERS, [{ topic, partitions }]);
}

/** Produces records (idempotent, non-transactional) and waits until all are acknowledged. */
export async function produceAll(topic: string, records: Array<{ key: string | Buffer | null; value: string | Buffer | null; timestamp?: number }>): Promise<void> {
  const producer: Producer = await connectProducer({ 'bootstrap.servers': BROKERS, 'enable.idempotence': true, partitioner: 'murmur2_random', 'linger.ms': 5, 'queue.buffering.max.messages': 1_000_000 });
  try {
    for (const r of records) {
      const value = r.value === null ? null : Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value);
      for (;;) {
        try {
          producer.produce(topic, null, value, r.key, r.timestamp ?? Date.now());
          break;
        } catch {
          producer.poll();
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      }
    }
    await flush(producer);
  } finally {
    await disconnect(producer);
  }
}

/**
 * Reads a topic with read_committed from the beginning until `done(records)` holds and every
 * partition has reached its end (unless `untilEnd` is false: for topics that never go quiet), or
 * throws after `timeoutMs` with what was read.
 */
export async function readCommitted(topic: string, done: (records: LogRecord[]) => boolean, timeoutMs = 60_000, untilEnd = true): Promise<LogRecord[]> {
  const consumer: KafkaConsumer = await connectConsumer({ 'bootstrap.servers': BROKERS, 'group.id': uniqueName('reader'), 'isolation.level': 'read_committed', 'enable.auto.commit': false, 'enable.partition.eof': true, 'auto.offset.reset': 'earliest' });
  consumer.setDefaultConsumeTimeout(100);
  try {
    const partitions = (await partitionCounts(consumer, [topic])).get(topic) ?? 1;
    // A partition is at its end when its last EOF lies beyond the last record read from it.
    const eofAt = new Map<number, number>();
    const nextOffset = new Map<number, number>();
    consumer.on('partition.eof', (e) => eofAt.set(e.partition, e.offset));
    const allAtEnd = () => Array.from({ length: partitions }, (_, p) => p).every((p) => (eofAt.get(p) ?? -1) >= (nextOffset.get(p) ?? 0));
    consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: -2 })));
    const records: LogRecord[] = [];
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const batch = await consume(consumer, 5000);
      for (const m of batch) {
        nextOffset.set(m.partition, m.offset + 1);
        records.push(toLogRecord(m));
      }
      if (!untilEnd && done(records)) return records;
      if (batch.length === 0 && allAtEnd() && done(records)) return records;
    }
    throw new Error(`readCommitted(${topic}): timed out with ${records.length} records`);
  } finally {
    await disconnect(consumer);
  }
}

/**
 * Checks the output of the counting worker (engine-chaos-worker.ts): every input id exactly once,
 * per-key counts 1..n in order, and the store's changelog ending with the exact count of every key.
 */
export async function verifyCounting(options: { output: string; changelog: string; inputs: Array<{ key: string; value: string }>; label: string }): Promise<void> {
  const { output, changelog, inputs, label } = options;
  const first = await readCommitted(output, (rs) => rs.length >= inputs.length, 240_000);
  // Read again after a pause: a duplicate committed late would show up here.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const out = await readCommitted(output, (rs) => rs.length >= first.length, 60_000);
  const seen = new Map<string, number>();
  const countsByKey = new Map<string, number[]>();
  for (const r of out) {
    const [id, count] = r.value!.toString().split('|');
    seen.set(id, (seen.get(id) ?? 0) + 1);
    const key = r.key!.toString();
    let list = countsByKey.get(key);
    if (!list) countsByKey.set(key, (list = []));
    list.push(Number(count));
  }
  const duplicates = [...seen].filter(([, n]) => n > 1);
  equal(duplicates.length, 0, `${label}: duplicated ids, e.g. ${JSON.stringify(duplicates.slice(0, 5))}`);
  equal(seen.size, inputs.length, `${label}: ${inputs.length - seen.size} records missing`);
  equal(out.length, inputs.length);
  for (const [key, counts] of countsByKey) {
    deepEqual(counts, Array.from({ length: counts.length }, (_, i) => i + 1), `${label}: counts of ${key} are not 1..n`);
  }
  const expected = new Map<string, number>();
  for (const { key } of inputs) expected.set(key, (expected.get(key) ?? 0) + 1);
  const finalCounts = new Map<string, number>();
  for (const r of await readCommitted(changelog, () => true, 60_000)) finalCounts.set(r.key!.toString(), Number(r.value!.toString()));
  deepEqual(finalCounts, expected, `${label}: store counts differ`);
}

/** input → `check` (throws 'bad record' on the value 'bad', forwards the rest) → output. */
export function failingTopology(input: string, output: string): Topology {
  return new Topology()
    .addSource('src', { topics: input, keySerde: stringSerde, valueSerde: stringSerde })
    .addProcessor('check', {
      parents: ['src'],
      supplier: () => ({
        process: (r: StreamRecord<string, string>, ctx: RecordContext<string, string>) => {
          if (r.value === 'bad') throw new Error('bad record');
          ctx.forward(r);
        },
      }),
    })
    .addSink('out', { topic: output, parents: ['check'], keySerde: stringSerde, valueSerde: stringSerde });
}
