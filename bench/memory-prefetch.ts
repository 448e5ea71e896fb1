/**
 * `npm run bench memory-prefetch -- [--records=60000] [--bytes=1000]` (issue #13 target 3)
 *
 * How much resident memory librdkafka's consumer prefetch takes when a topic has a backlog: writes
 * N records of B bytes to a fresh 4-partition topic, then, in a fresh child process per setting,
 * opens a consumer with the engine's settings (engine/kafka-config.ts `groupConsumerConfig`) on all
 * partitions from the beginning and does NOT consume: librdkafka fetches in the background until
 * its queue is full (`queued.max.messages.kbytes` per consumer, `queued.min.messages`). Printed per
 * setting: VmRSS before the consumer, 15 s after it was assigned, and the difference. The topic is
 * deleted afterwards.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { kafka } from '../src/engine/kafka-client.ts';
import { groupConsumerConfig } from '../src/engine/kafka-config.ts';
import { uniqueName } from '../test/support/services.ts';

const SELF = fileURLToPath(import.meta.url);
const PARTITIONS = 4;

function flag(args: string[], name: string): string | undefined {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? undefined : a.slice(a.indexOf('=') + 1);
}

const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024;

async function produce(brokers: string, topic: string, n: number, bytes: number): Promise<void> {
  const k = new KafkaJS.Kafka({ kafkaJS: { brokers: brokers.split(','), logLevel: KafkaJS.logLevel.NOTHING } });
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }] });
  await admin.disconnect();
  const producer = k.producer({ 'linger.ms': 20 } as never);
  await producer.connect();
  const value = Buffer.alloc(bytes, 'x');
  for (let i = 0; i < n; i += 1000) {
    await producer.send({ topic, messages: Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({ key: String(i + j), value })) });
  }
  await producer.disconnect();
}

/** Child: a consumer with the engine's settings (plus `extra`), assigned and never polled. */
async function child(brokers: string, topic: string, extra: Record<string, string | number>): Promise<void> {
  const before = rssMb();
  const id = { brokers, applicationId: uniqueName('mem_prefetch'), instanceId: 'c' };
  const { 'rebalance_cb': _r, ...conf } = groupConsumerConfig(id, () => undefined, extra);
  const consumer = new (kafka().KafkaConsumer)(conf);
  await new Promise<void>((resolve, reject) => consumer.connect({}, (err) => (err ? reject(err) : resolve())));
  consumer.assign(Array.from({ length: PARTITIONS }, (_, p) => ({ topic, partition: p, offset: 0 })));
  let peak = 0;
  for (let i = 0; i < 30; i++) {
    await new Promise((r) => setTimeout(r, 500));
    peak = Math.max(peak, rssMb());
  }
  process.stdout.write(`RESULT ${JSON.stringify({ before, after: rssMb(), peak })}\n`);
  consumer.disconnect();
  setTimeout(() => process.exit(0), 2000).unref();
}

export default async function main(args: string[]): Promise<void> {
  const n = Number(flag(args, 'records') ?? 60_000);
  const bytes = Number(flag(args, 'bytes') ?? 1000);
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const topic = uniqueName('bench_mem_prefetch');
  await produce(brokers, topic, n, bytes);
  console.log(`memory-prefetch: ${n} records of ${bytes} B (${((n * bytes) / 2 ** 20).toFixed(0)} MB) in ${topic}, ${PARTITIONS} partitions, load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`);
  const settings: Array<[string, Record<string, string | number>]> = [
    ['engine settings (librdkafka default queued.max.messages.kbytes 65536)', {}],
    ['queued.max.messages.kbytes 16384', { 'queued.max.messages.kbytes': 16384 }],
    ['engine settings, again', {}],
    ['queued.max.messages.kbytes 16384, again', { 'queued.max.messages.kbytes': 16384 }],
  ];
  try {
    for (const [label, extra] of settings) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', SELF, 'child', brokers, topic, JSON.stringify(extra)], { encoding: 'utf8' });
      const r = JSON.parse(out.split('\n').find((l) => l.startsWith('RESULT '))!.slice(7)) as { before: number; after: number; peak: number };
      console.log(`${label}: RSS ${r.before.toFixed(0)} MB before the consumer, ${r.after.toFixed(0)} MB after 15 s (peak ${r.peak.toFixed(0)}): +${(r.peak - r.before).toFixed(0)} MB`);
    }
  } finally {
    const k = new KafkaJS.Kafka({ kafkaJS: { brokers: brokers.split(','), logLevel: KafkaJS.logLevel.NOTHING } });
    const admin = k.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic], timeout: 30_000 }).catch(() => undefined);
    await admin.disconnect();
  }
}

if (process.argv[2] === 'child') await child(process.argv[3]!, process.argv[4]!, JSON.parse(process.argv[5]!) as Record<string, string | number>);
