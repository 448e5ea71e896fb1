/**
 * Engine benchmark on the real broker: records/s of a pass-through and a stateful count topology,
 * 1 KB and 10 KB values, exactly-once and at-least-once, each next to a baseline measured in the same
 * run: the raw client (same librdkafka, same commit interval) consuming and producing the same records
 * (and, for the count, the same changelog writes) with no engine. Prints medians, the ratio
 * engine/baseline and the peak RSS sampled during the runs.
 *   npm run bench engine [-- --reps 3 --records1k 50000 --records10k 10000 --partitions 4]
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import KafkaModule from '@confluentinc/kafka-javascript';
import { KafkaRuntime, Topology, bytesSerde, jsonSerde, stringSerde, type KeyValueStore, type Processor, type ProcessorContext, type ProcessingGuarantee } from '../src/engine/index.ts';
import { connectConsumer, connectProducer, consume, disconnect, ensureTopics, flush, produce, tryProduce, txn } from '../src/engine/kafka-client.ts';
import { changelogTopic } from '../src/engine/index.ts';

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const COMMIT_INTERVAL_MS = 100;
const KEYS = 1000;
let counter = 0;
const unique = (p: string) => `bench-${p}-${Date.now().toString(36)}-${counter++}`;

type Kind = 'pass-through' | 'count';
interface Result {
  seconds: number;
  rate: number;
  peakRssMb: number;
}

/**
 * Runs one measurement in a fresh child process, so each peak RSS (the child's maxRSS) belongs to
 * that run alone and no run inherits another's heap or librdkafka buffers.
 */
async function inChild(job: Job): Promise<Result> {
  const child = fork(fileURLToPath(import.meta.url), ['--child', JSON.stringify(job)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const [message] = (await once(child, 'message')) as [Result];
  await once(child, 'exit');
  return message;
}

interface Job {
  side: 'engine' | 'baseline';
  kind: Kind;
  guarantee: ProcessingGuarantee;
  input: string;
  records: number;
  partitions: number;
}

async function runJob(job: Job): Promise<void> {
  const run = job.side === 'engine' ? runEngine : runBaseline;
  const seconds = await run(job.kind, job.guarantee, job.input, job.records, job.partitions);
  const result: Result = { seconds, rate: job.records / seconds, peakRssMb: process.resourceUsage().maxRSS / 1024 };
  process.send!(result);
}

async function deleteTopics(topics: string[]): Promise<void> {
  const admin = (KafkaModule as any).AdminClient.create({ 'bootstrap.servers': BROKERS });
  await Promise.all(topics.map((t) => new Promise<void>((resolve) => admin.deleteTopic(t, 30_000, () => resolve()))));
  admin.disconnect();
}

async function prepareInput(records: number, valueBytes: number, partitions: number): Promise<string> {
  const topic = unique(`in-${valueBytes}`);
  await ensureTopics(BROKERS, [{ topic, partitions }]);
  const producer = await connectProducer({ 'bootstrap.servers': BROKERS, 'enable.idempotence': true, 'linger.ms': 20 });
  const value = Buffer.alloc(valueBytes, 'x');
  for (let i = 0; i < records; i++) await produce(producer, { topic, key: Buffer.from(`key-${i % KEYS}`), value, timestamp: Date.now(), headers: {} });
  await flush(producer);
  await disconnect(producer);
  return topic;
}

class CountProcessor implements Processor<string, Buffer, string, Buffer> {
  private store!: KeyValueStore<string, number>;
  init(ctx: ProcessorContext<string, Buffer>): void {
    this.store = ctx.getStateStore('counts');
  }
  process(record: Parameters<Processor<string, Buffer>['process']>[0], ctx: Parameters<Processor<string, Buffer, string, Buffer>['process']>[1]): void {
    this.store.put(record.key, (this.store.get(record.key) ?? 0) + 1);
    ctx.forward(record);
  }
}

function topologyFor(kind: Kind, input: string, output: string): Topology {
  const t = new Topology().addSource('in', { topics: input, keySerde: stringSerde, valueSerde: bytesSerde });
  if (kind === 'pass-through') {
    return t.addProcessor('pass', { parents: ['in'], supplier: () => ({ process: (r, ctx) => ctx.forward(r) }) }).addSink('out', { topic: output, parents: ['pass'], keySerde: stringSerde, valueSerde: bytesSerde });
  }
  return t
    .addProcessor('count', { parents: ['in'], supplier: () => new CountProcessor() })
    .addStateStore({ name: 'counts', keySerde: stringSerde, valueSerde: jsonSerde<number>() }, ['count'])
    .addSink('out', { topic: output, parents: ['count'], keySerde: stringSerde, valueSerde: bytesSerde });
}

/** Seconds from the first processed record to the commit of the last one. */
async function runEngine(kind: Kind, guarantee: ProcessingGuarantee, input: string, records: number, partitions: number): Promise<number> {
  const output = unique('out');
  const app = unique('app');
  const runtime = new KafkaRuntime({ topology: topologyFor(kind, input, output), brokers: BROKERS, applicationId: app, guarantee, commitIntervalMs: COMMIT_INTERVAL_MS, topics: { [output]: partitions } });
  await runtime.start();
  let first: number | undefined;
  for (;;) {
    const m = runtime.metrics();
    if (first === undefined && (m.processors.in?.in ?? 0) > 0) first = performance.now();
    if (m.partitions.length === partitions && m.partitions.reduce((n, p) => n + Math.max(0, p.committed), 0) >= records) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const seconds = (performance.now() - first!) / 1000;
  await runtime.stop();
  await deleteTopics([output, changelogTopic(app, 'counts')]);
  return seconds;
}

/** The same work with the raw client: consume, produce (plus changelog writes for the count), commit. */
async function runBaseline(kind: Kind, guarantee: ProcessingGuarantee, input: string, records: number, partitions: number): Promise<number> {
  const output = unique('base-out');
  const changelog = unique('base-changelog');
  await ensureTopics(BROKERS, [{ topic: output, partitions }, ...(kind === 'count' ? [{ topic: changelog, partitions, config: { 'cleanup.policy': 'compact' } }] : [])]);
  const eos = guarantee === 'exactly_once';
  const producer = await connectProducer({ 'bootstrap.servers': BROKERS, 'enable.idempotence': true, 'linger.ms': 5, 'queue.buffering.max.messages': 1_000_000, 'queue.buffering.max.kbytes': 1_048_576, ...(eos ? { 'transactional.id': unique('txn'), 'transaction.timeout.ms': 10_000 } : {}) });
  if (eos) await txn.init(producer);
  const consumer = await connectConsumer({ 'bootstrap.servers': BROKERS, 'group.id': unique('base-group'), 'isolation.level': 'read_committed', 'enable.auto.commit': false, 'enable.auto.offset.store': false, 'fetch.wait.max.ms': 50 });
  consumer.setDefaultConsumeTimeout(50);
  consumer.subscribe([input]);
  const counts = new Map<string, number>();
  const offsets = new Map<number, number>();
  let done = 0;
  let first: number | undefined;
  let lastCommit = performance.now();
  let open = false;
  while (done < records) {
    const messages = await consume(consumer, 1000);
    if (messages.length > 0 && first === undefined) first = performance.now();
    if (eos && !open && messages.length > 0) {
      await txn.begin(producer);
      open = true;
    }
    for (const m of messages) {
      const key = m.key as Buffer;
      const out = { topic: output, key, value: m.value, timestamp: m.timestamp ?? Date.now(), headers: {} };
      if (!tryProduce(producer, out)) await produce(producer, out);
      if (kind === 'count') {
        const k = key.toString();
        const c = (counts.get(k) ?? 0) + 1;
        counts.set(k, c);
        const change = { topic: changelog, partition: m.partition, key, value: Buffer.from(String(c)), timestamp: Date.now(), headers: {} };
        if (!tryProduce(producer, change)) await produce(producer, change);
      }
      offsets.set(m.partition, m.offset + 1);
      done++;
    }
    if ((performance.now() - lastCommit >= COMMIT_INTERVAL_MS || done >= records) && offsets.size > 0) {
      const list = [...offsets].map(([partition, offset]) => ({ topic: input, partition, offset }));
      if (eos) {
        if (!open) await txn.begin(producer);
        await txn.sendOffsets(producer, list, consumer);
        await txn.commit(producer);
        open = false;
      } else {
        await flush(producer);
        consumer.commitSync(list);
      }
      offsets.clear();
      lastCommit = performance.now();
    }
  }
  const seconds = (performance.now() - first!) / 1000;
  await disconnect(consumer);
  await disconnect(producer);
  await deleteTopics([output, changelog]);
  return seconds;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export default async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { reps: { type: 'string', default: '3' }, records1k: { type: 'string', default: '50000' }, records10k: { type: 'string', default: '10000' }, partitions: { type: 'string', default: '4' } } });
  const reps = Number(values.reps);
  const partitions = Number(values.partitions);
  const rows: string[] = [];
  const header = '| value | guarantee | topology | records | engine rec/s | baseline rec/s | engine/baseline | engine peak RSS MB | baseline peak RSS MB |';
  console.log(`engine benchmark: broker ${BROKERS}, ${partitions} partitions, commit interval ${COMMIT_INTERVAL_MS} ms, median of ${reps}`);
  console.log(header);
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const [valueBytes, records] of [[1024, Number(values.records1k)], [10240, Number(values.records10k)]] as const) {
    const input = await prepareInput(records, valueBytes, partitions);
    console.error(`prepared ${records} records of ${valueBytes} bytes in ${input}`);
    for (const guarantee of ['exactly_once', 'at_least_once'] as const) {
      for (const kind of ['pass-through', 'count'] as const) {
        const engine: Result[] = [];
        const base: Result[] = [];
        for (let r = 0; r < reps; r++) {
          // Alternate the order so neither side always runs on a warmer broker.
          const runE = () => inChild({ side: 'engine', kind, guarantee, input, records, partitions });
          const runB = () => inChild({ side: 'baseline', kind, guarantee, input, records, partitions });
          if (r % 2 === 0) {
            engine.push(await runE());
            base.push(await runB());
          } else {
            base.push(await runB());
            engine.push(await runE());
          }
        }
        const e = records / median(engine.map((x) => x.seconds));
        const b = records / median(base.map((x) => x.seconds));
        const row = `| ${valueBytes / 1024} KB | ${guarantee} | ${kind} | ${records} | ${Math.round(e)} | ${Math.round(b)} | ${(e / b).toFixed(2)} | ${Math.round(Math.max(...engine.map((x) => x.peakRssMb)))} | ${Math.round(Math.max(...base.map((x) => x.peakRssMb)))} |`;
        rows.push(row);
        console.log(row);
      }
    }
    await deleteTopics([input]);
  }
  console.log('(peak RSS = maxRSS of the child process that ran the measurement, max over the repetitions)');
}

if (process.argv[2] === '--child') {
  await runJob(JSON.parse(process.argv[3]) as Job);
  process.exit(0);
}
