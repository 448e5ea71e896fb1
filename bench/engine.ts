/**
 * Engine benchmark on the real broker: a pass-through and a stateful count topology, 1 KB and 10 KB
 * values, exactly-once and at-least-once, each measured next to two baselines in the same run, the
 * sides alternating:
 *  - raw: the raw client (same librdkafka, same commit interval) consuming and producing the same
 *    records (and, for the count, the same changelog writes) with no engine;
 *  - Kafka Streams: Apache Kafka Streams 4.4 (bench/kafka-streams, built once with Maven into
 *    .cache/kafka-streams-bench), same topics, same topologies, same commit interval.
 * Per side: records/s in steady state (first processed record → commit of the last one), the time
 * to the first output a read_committed reader sees (from the runtime's start and from the process's
 * spawn), and the peak RSS. Medians over the repetitions; every run is a fresh child process.
 *   npm run bench engine [-- --reps 3 --records1k 50000 --records10k 10000 --partitions 4
 *                            --ks-threads 1 --sides engine,raw,kafka-streams --phases]
 * --phases prints where the engine's start-up time went (median time of each phase from start()).
 */
import { execFileSync, fork, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import KafkaModule from '@confluentinc/kafka-javascript';
import {
  KafkaRuntime,
  Topology,
  bytesSerde,
  changelogTopic,
  jsonSerde,
  stringSerde,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  type ProcessingGuarantee,
} from '../src/engine/index.ts';
import { connectConsumer, connectProducer, consume, disconnect, ensureTopics, flush, produce, tryProduce, txn } from '../src/engine/kafka-client.ts';

const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const COMMIT_INTERVAL_MS = 100;
const KEYS = 1000;
let counter = 0;
const unique = (p: string) => `bench-${p}-${Date.now().toString(36)}-${counter++}`;

type Kind = 'pass-through' | 'count';
type Side = 'engine' | 'raw' | 'kafka-streams';
const SIDES: readonly Side[] = ['engine', 'raw', 'kafka-streams'];

interface Job {
  side: Side;
  kind: Kind;
  guarantee: ProcessingGuarantee;
  input: string;
  /** Created by the parent before the child starts, so the parent can watch it for the first output. */
  output: string;
  applicationId: string;
  records: number;
  partitions: number;
  ksThreads: number;
}

/** What a child reports. */
interface ChildResult {
  /** First processed record → commit of the last one. */
  seconds: number;
  /** Epoch ms when the runtime was started (KafkaRuntime.start, KafkaStreams.start, the raw loop's setup). */
  startAt: number;
  peakRssMb: number;
  /** Engine only: start-up phases (ms from start()). */
  phases?: ReadonlyArray<{ phase: string; atMs: number }>;
}

interface Result extends ChildResult {
  /** ms from the runtime's start to the first output visible to a read_committed reader. */
  firstFromStartMs: number;
  /** ms from the child's spawn to that first output. */
  firstFromSpawnMs: number;
}

// ---------------------------------------------------------------------------------------------
// Children

/** Set by the first record a child's processing sees (engine processors, raw loop). */
let firstProcessedAt: number | undefined;
const markFirst = () => void (firstProcessedAt ??= performance.now());

class CountProcessor implements Processor<string, Buffer, string, Buffer> {
  private store!: KeyValueStore<string, number>;
  init(ctx: ProcessorContext<string, Buffer>): void {
    this.store = ctx.getStateStore('counts');
  }
  process(record: Parameters<Processor<string, Buffer>['process']>[0], ctx: Parameters<Processor<string, Buffer, string, Buffer>['process']>[1]): void {
    markFirst();
    this.store.put(record.key, (this.store.get(record.key) ?? 0) + 1);
    ctx.forward(record);
  }
}

function topologyFor(kind: Kind, input: string, output: string): Topology {
  const t = new Topology().addSource('in', { topics: input, keySerde: stringSerde, valueSerde: bytesSerde });
  if (kind === 'pass-through') {
    const pass: Processor<string, Buffer, string, Buffer> = {
      process: (r, ctx) => {
        markFirst();
        ctx.forward(r);
      },
    };
    return t.addProcessor('pass', { parents: ['in'], supplier: () => pass }).addSink('out', { topic: output, parents: ['pass'], keySerde: stringSerde, valueSerde: bytesSerde });
  }
  return t
    .addProcessor('count', { parents: ['in'], supplier: () => new CountProcessor() })
    .addStateStore({ name: 'counts', keySerde: stringSerde, valueSerde: jsonSerde<number>() }, ['count'])
    .addSink('out', { topic: output, parents: ['count'], keySerde: stringSerde, valueSerde: bytesSerde });
}

async function runEngine(job: Job): Promise<ChildResult> {
  const { kind, guarantee, input, output, records, partitions } = job;
  let phases: ChildResult['phases'];
  const startAt = Date.now();
  const runtime = new KafkaRuntime({
    topology: topologyFor(kind, input, output),
    brokers: BROKERS,
    applicationId: job.applicationId,
    guarantee,
    commitIntervalMs: COMMIT_INTERVAL_MS,
    topics: { [output]: partitions },
    hooks: { startup: (e) => void (phases = e.phases) },
  });
  await runtime.start();
  for (;;) {
    const m = runtime.metrics();
    if (m.partitions.length === partitions && m.partitions.reduce((n, p) => n + Math.max(0, p.committed), 0) >= records) break;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  const seconds = (performance.now() - firstProcessedAt!) / 1000;
  await runtime.stop();
  return { seconds, startAt, peakRssMb: 0, phases };
}

/** The same work with the raw client: consume, produce (plus changelog writes for the count), commit. */
async function runRaw(job: Job): Promise<ChildResult> {
  const { kind, guarantee, input, output, records, partitions } = job;
  const changelog = changelogTopic(job.applicationId, 'counts');
  const startAt = Date.now();
  if (kind === 'count') await ensureTopics(BROKERS, [{ topic: changelog, partitions, config: { 'cleanup.policy': 'compact' } }]);
  const eos = guarantee === 'exactly_once';
  const producer = await connectProducer({ 'bootstrap.servers': BROKERS, 'enable.idempotence': true, 'linger.ms': 5, 'queue.buffering.max.messages': 1_000_000, 'queue.buffering.max.kbytes': 1_048_576, ...(eos ? { 'transactional.id': `${job.applicationId}-txn`, 'transaction.timeout.ms': 10_000 } : {}) });
  if (eos) await txn.init(producer);
  const consumer = await connectConsumer({ 'bootstrap.servers': BROKERS, 'group.id': job.applicationId, 'isolation.level': 'read_committed', 'enable.auto.commit': false, 'enable.auto.offset.store': false, 'fetch.wait.max.ms': 50 });
  consumer.setDefaultConsumeTimeout(50);
  consumer.subscribe([input]);
  const counts = new Map<string, number>();
  const offsets = new Map<number, number>();
  let done = 0;
  let lastCommit = performance.now();
  let open = false;
  while (done < records) {
    const messages = await consume(consumer, 1000);
    if (messages.length > 0) markFirst();
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
  const seconds = (performance.now() - firstProcessedAt!) / 1000;
  await disconnect(consumer);
  await disconnect(producer);
  return { seconds, startAt, peakRssMb: 0 };
}

async function runNodeChild(job: Job): Promise<void> {
  const result = await (job.side === 'engine' ? runEngine(job) : runRaw(job));
  process.send!({ ...result, peakRssMb: process.resourceUsage().maxRSS / 1024 } satisfies ChildResult);
}

// ---------------------------------------------------------------------------------------------
// Kafka Streams (Java)

const KS_PROJECT = fileURLToPath(new URL('./kafka-streams/', import.meta.url));
const KS_BUILD = fileURLToPath(new URL('../.cache/kafka-streams-bench/', import.meta.url));
const KS_SOURCES = [join(KS_PROJECT, 'pom.xml'), join(KS_PROJECT, 'src/main/java/metis/bench/KafkaStreamsBench.java')];

/** Builds the Kafka Streams program unless its build is newer than its sources; returns its classpath. */
function kafkaStreamsClasspath(): string {
  const classpathFile = join(KS_BUILD, 'classpath.txt');
  const built = existsSync(classpathFile) ? statSync(classpathFile).mtimeMs : 0;
  if (KS_SOURCES.some((f) => statSync(f).mtimeMs > built)) {
    console.error('building the Kafka Streams baseline (mvn -q -B package in bench/kafka-streams) ...');
    // Debian's Maven prints colour resets even in batch mode: strip them.
    const log = execFileSync('mvn', ['-q', '-B', '-f', join(KS_PROJECT, 'pom.xml'), 'package'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    process.stderr.write(log.replace(/\x1b\[[0-9;]*m/g, ''));
  }
  return `${join(KS_BUILD, 'classes')}:${readFileSync(classpathFile, 'utf8').trim()}`;
}

async function runKafkaStreams(job: Job, classpath: string): Promise<ChildResult> {
  const stateDir = mkdtempSync(join(tmpdir(), 'bench-ks-'));
  const args = [BROKERS, job.kind, job.guarantee, job.input, job.output, job.applicationId, String(job.records), String(job.ksThreads), stateDir];
  const child = spawn('java', ['-cp', classpath, 'metis.bench.KafkaStreamsBench', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const [code] = (await once(child, 'exit')) as [number];
  rmSync(stateDir, { recursive: true, force: true });
  if (code !== 0) throw new Error(`Kafka Streams run exited with ${code}: ${out}`);
  return JSON.parse(out.trim().split('\n').pop()!) as ChildResult;
}

// ---------------------------------------------------------------------------------------------
// Parent

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

/**
 * Watches the output topic from its beginning as a read_committed reader: resolves with the epoch ms
 * at which the first record arrived (committed, for exactly-once). Ready once it is assigned.
 */
async function watchFirstOutput(topic: string, partitions: number): Promise<{ first: Promise<number>; stop: () => void }> {
  const consumer = await connectConsumer({ 'bootstrap.servers': BROKERS, 'group.id': unique('watch'), 'isolation.level': 'read_committed', 'enable.auto.commit': false, 'fetch.wait.max.ms': 10 });
  consumer.setDefaultConsumeTimeout(10);
  consumer.assign(Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 })));
  let stopped = false;
  const first = (async () => {
    try {
      while (!stopped) if ((await consume(consumer, 1)).length > 0) return Date.now();
      return Number.NaN;
    } finally {
      await disconnect(consumer);
    }
  })();
  return { first, stop: () => void (stopped = true) };
}

async function measure(job: Job, ksClasspath: string | undefined): Promise<Result> {
  await ensureTopics(BROKERS, [{ topic: job.output, partitions: job.partitions }]);
  const watch = await watchFirstOutput(job.output, job.partitions);
  const spawnAt = Date.now();
  let result: ChildResult;
  try {
    if (job.side === 'kafka-streams') {
      result = await runKafkaStreams(job, ksClasspath!);
    } else {
      const child = fork(fileURLToPath(import.meta.url), ['--child', JSON.stringify(job)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
      const message = once(child, 'message');
      const [code] = (await once(child, 'exit')) as [number];
      if (code !== 0) throw new Error(`${job.side} run exited with ${code}`);
      [result] = (await message) as [ChildResult];
    }
  } finally {
    watch.stop();
  }
  const firstAt = await watch.first;
  await deleteTopics([job.output, changelogTopic(job.applicationId, 'counts'), `${job.applicationId}-dlq`]);
  return { ...result, firstFromStartMs: firstAt - result.startAt, firstFromSpawnMs: firstAt - spawnAt };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const ratio = (a: number, b: number) => (Number.isFinite(a / b) ? (a / b).toFixed(2) : '–');

export default async function main(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      reps: { type: 'string', default: '3' },
      records1k: { type: 'string', default: '50000' },
      records10k: { type: 'string', default: '10000' },
      partitions: { type: 'string', default: '4' },
      'ks-threads': { type: 'string', default: '1' },
      sides: { type: 'string', default: SIDES.join(',') },
      phases: { type: 'boolean', default: false },
    },
  });
  const reps = Number(values.reps);
  const partitions = Number(values.partitions);
  const ksThreads = Number(values['ks-threads']);
  const sides = values.sides.split(',') as Side[];
  for (const s of sides) if (!SIDES.includes(s)) throw new Error(`--sides: unknown side ${s} (${SIDES.join(', ')})`);
  const ksClasspath = sides.includes('kafka-streams') ? kafkaStreamsClasspath() : undefined;
  const label: Record<Side, string> = { engine: 'engine', raw: 'raw client', 'kafka-streams': `Kafka Streams (${ksThreads} thr)` };

  console.log(`engine benchmark: broker ${BROKERS}, ${partitions} partitions, commit interval ${COMMIT_INTERVAL_MS} ms, median of ${reps}, load average ${loadAverage()}`);
  const others = sides.filter((s) => s !== 'engine');
  const header = [
    'value', 'guarantee', 'topology', 'records',
    ...sides.map((s) => `${label[s]} rec/s`),
    ...(sides.includes('engine') ? others.map((s) => `engine/${label[s]}`) : []),
    ...sides.map((s) => `${label[s]} first output ms (start / spawn)`),
    ...sides.map((s) => `${label[s]} peak RSS MB`),
  ];
  console.log(`| ${header.join(' | ')} |`);
  console.log(`|${header.map(() => '---').join('|')}|`);
  const phaseBlocks: string[] = [];
  for (const [valueBytes, records] of [[1024, Number(values.records1k)], [10240, Number(values.records10k)]] as const) {
    if (records <= 0) continue;
    const input = await prepareInput(records, valueBytes, partitions);
    console.error(`prepared ${records} records of ${valueBytes} bytes in ${input}`);
    for (const guarantee of ['exactly_once', 'at_least_once'] as const) {
      for (const kind of ['pass-through', 'count'] as const) {
        const results = new Map<Side, Result[]>(sides.map((s) => [s, []]));
        for (let r = 0; r < reps; r++) {
          // Rotate the order so no side always runs first (on a colder or warmer broker).
          const order = sides.map((_, i) => sides[(i + r) % sides.length]);
          for (const side of order) {
            const job: Job = { side, kind, guarantee, input, output: unique('out'), applicationId: unique('app'), records, partitions, ksThreads };
            results.get(side)!.push(await measure(job, ksClasspath));
          }
        }
        const rate = (s: Side) => records / median(results.get(s)!.map((x) => x.seconds));
        const first = (s: Side) => `${Math.round(median(results.get(s)!.map((x) => x.firstFromStartMs)))} / ${Math.round(median(results.get(s)!.map((x) => x.firstFromSpawnMs)))}`;
        const row = [
          `${valueBytes / 1024} KB`, guarantee, kind, String(records),
          ...sides.map((s) => String(Math.round(rate(s)))),
          ...(sides.includes('engine') ? others.map((s) => ratio(rate('engine'), rate(s))) : []),
          ...sides.map(first),
          ...sides.map((s) => String(Math.round(Math.max(...results.get(s)!.map((x) => x.peakRssMb))))),
        ];
        console.log(`| ${row.join(' | ')} |`);
        if (values.phases && sides.includes('engine')) phaseBlocks.push(phaseTable(`${valueBytes / 1024} KB ${guarantee} ${kind}`, results.get('engine')!));
      }
    }
    await deleteTopics([input]);
  }
  console.log(`(load average at the end ${loadAverage()}; first output = ms until a read_committed reader of the output topic got its first record, from the runtime's start / from the process's spawn; peak RSS = maxRSS (Node) or VmHWM (JVM) of the child process, max over the repetitions)`);
  for (const block of phaseBlocks) console.log(block);
}

/** The engine's start-up phases: median ms from start() over the repetitions, in order of that median. */
function phaseTable(title: string, runs: Result[]): string {
  const byPhase = new Map<string, number[]>();
  for (const run of runs) for (const p of run.phases ?? []) byPhase.set(p.phase, [...(byPhase.get(p.phase) ?? []), p.atMs]);
  const lines = [...byPhase].map(([phase, ms]) => ({ phase, ms: median(ms) })).sort((a, b) => a.ms - b.ms);
  return [`\nengine start-up phases, ${title} (median ms from start()):`, ...lines.map((l) => `${String(Math.round(l.ms)).padStart(7)}  ${l.phase}`)].join('\n');
}

function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

if (process.argv[2] === '--child') {
  await runNodeChild(JSON.parse(process.argv[3]) as Job);
  process.exit(0);
}
