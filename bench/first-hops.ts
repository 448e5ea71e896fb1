/**
 * `npm run bench first-hops [--hops=8] [--records=15] [--gap-ms=400] [--reps=2] [--commit-interval=100]
 *   [--consumer-config=JSON] [--sink-ms=0] [--baseline=REV]`
 *
 * The engine's latency per topic hop when the pipeline is idle, i.e. what a task's first record pays
 * on every hop under exactly-once: one KafkaRuntime runs a chain of `hops` pass-through processors
 * (topic h0 → h1 → … → h<hops>, 4 partitions each, as the pipeline runs all its stages in one
 * runtime), records are produced into h0 one at a time, `gap-ms` apart, and a read_committed consumer
 * of every topic notes when each record became visible there. Printed: the median time from one
 * hop's visibility to the next's, the end-to-end median, and the runtime's commits (count, mean
 * latency). `--baseline=REV` runs `src/engine` of that commit too (it imports only itself), the two
 * alternating, `reps` runs each.
 *
 * `--sink-ms=N` adds what the pipeline has beside its chain: every processor also writes an event to
 * one more topic, read by a commit participant (an external transactional sink, as the pipeline's
 * PostgreSQL sink) whose `commit` takes N ms, as a database transaction would.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

type Engine = typeof import('../src/engine/index.ts');
type Client = typeof import('../src/engine/kafka-client.ts');

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const PARTITIONS = 4;

function arg(args: string[], name: string, dflt: string): string {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a ? a.slice(a.indexOf('=') + 1) : dflt;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

interface Run {
  tree: string;
  /** Per hop: ms from visible in h<i> to visible in h<i+1>, one entry per record. */
  hops: number[][];
  endToEnd: number[];
  commits: number;
  commitMeanMs: number;
}

async function runOnce(tree: string, root: string, hops: number, records: number, gapMs: number, commitIntervalMs: number, consumerConfig: Record<string, string | number>, sinkMs: number): Promise<Run> {
  const engine = (await import(pathToFileURL(join(root, 'src/engine/index.ts')).href)) as Engine;
  const client = (await import(pathToFileURL(join(ROOT, 'src/engine/kafka-client.ts')).href)) as Client;
  const { Topology, KafkaRuntime, stringSerde, bytesSerde } = engine;
  const name = `first_hops_${process.pid}_${Date.now().toString(36)}`;
  const topic = (i: number) => `${name}.h${i}`;
  const t = new Topology();
  for (let i = 0; i < hops; i++) {
    t.addSource(`s${i}`, { topics: topic(i), keySerde: stringSerde, valueSerde: bytesSerde });
    t.addProcessor(`p${i}`, {
      parents: [`s${i}`],
      supplier: () => ({
        // Asynchronous like the pipeline's processors (a settled promise, no work).
        process: async (r: any, ctx: any) => {
          await new Promise((res) => setImmediate(res));
          ctx.forward(r);
        },
      }),
    });
    t.addSink(`k${i}`, { topic: topic(i + 1), parents: [`p${i}`], keySerde: stringSerde, valueSerde: bytesSerde });
    if (sinkMs > 0) t.addSink(`e${i}`, { topic: `${name}.events`, parents: [`p${i}`], keySerde: stringSerde, valueSerde: bytesSerde });
  }
  if (sinkMs > 0) {
    t.addSource('events', { topics: `${name}.events`, keySerde: stringSerde, valueSerde: bytesSerde });
    t.addProcessor('rows', {
      parents: ['events'],
      supplier: () => ({
        process: () => undefined,
        commit: () => new Promise<void>((res) => setTimeout(res, sinkMs)),
      }),
    });
  }
  const all = Array.from({ length: hops + 1 }, (_, i) => topic(i));
  const runtime = new KafkaRuntime({
    topology: t,
    brokers: BROKERS,
    applicationId: name,
    guarantee: 'exactly_once',
    commitIntervalMs,
    consumerConfig,
    topics: Object.fromEntries([...all, ...(sinkMs > 0 ? [`${name}.events`] : [])].map((x) => [x, PARTITIONS])),
  });
  await runtime.start();
  while (runtime.metrics().partitions.length < (hops + (sinkMs > 0 ? 1 : 0)) * PARTITIONS) await new Promise((r) => setTimeout(r, 20));
  const observer = await client.connectConsumer({
    'bootstrap.servers': BROKERS,
    'group.id': `${name}-observer`,
    'isolation.level': 'read_committed',
    'enable.auto.commit': false,
    'auto.offset.reset': 'earliest',
    'fetch.wait.max.ms': 5,
  });
  observer.assign(all.flatMap((x) => Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: x, partition, offset: 0 }))));
  observer.setDefaultConsumeTimeout(5);
  const seen = new Map<string, number[]>();
  let observing = true;
  const loop = (async () => {
    while (observing) {
      const ms = await client.consume(observer, 1000);
      const now = performance.now();
      for (const m of ms) {
        const i = Number(m.topic.slice(m.topic.lastIndexOf('.h') + 2));
        const key = m.key!.toString();
        const row = seen.get(key) ?? [];
        row[i] = now;
        seen.set(key, row);
      }
      if (ms.length === 0) await new Promise((r) => setImmediate(r));
    }
  })();
  const producer = await client.connectProducer({ 'bootstrap.servers': BROKERS, 'linger.ms': 0 });
  const commits0 = runtime.metrics().commits;
  for (let n = 0; n < records; n++) {
    const key = `r${n}`;
    const sent = performance.now();
    seen.set(key, []);
    producer.produce(topic(0), null, Buffer.from('x'), key);
    producer.flush(1000, () => undefined);
    const deadline = sent + 20_000;
    while (seen.get(key)![hops] === undefined && performance.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    await new Promise((r) => setTimeout(r, gapMs));
  }
  const commits1 = runtime.metrics().commits;
  observing = false;
  await loop;
  await client.disconnect(observer);
  await client.disconnect(producer);
  await runtime.stop();
  const hopTimes: number[][] = Array.from({ length: hops }, () => []);
  const endToEnd: number[] = [];
  for (const row of seen.values()) {
    for (let i = 0; i < hops; i++) if (row[i] !== undefined && row[i + 1] !== undefined) hopTimes[i]!.push(row[i + 1]! - row[i]!);
    if (row[0] !== undefined && row[hops] !== undefined) endToEnd.push(row[hops]! - row[0]!);
  }
  const count = commits1.count - commits0.count;
  return { tree, hops: hopTimes, endToEnd, commits: count, commitMeanMs: count ? (commits1.totalLatencyMs - commits0.totalLatencyMs) / count : 0 };
}

export default async function main(args: string[]): Promise<void> {
  const hops = Number(arg(args, 'hops', '8'));
  const records = Number(arg(args, 'records', '15'));
  const gapMs = Number(arg(args, 'gap-ms', '400'));
  const reps = Number(arg(args, 'reps', '2'));
  const commitIntervalMs = Number(arg(args, 'commit-interval', '100'));
  const baseline = arg(args, 'baseline', '');
  const consumerConfig = JSON.parse(arg(args, 'consumer-config', '{}')) as Record<string, string | number>;
  const sinkMs = Number(arg(args, 'sink-ms', '0'));
  const trees = [{ tree: 'current', root: ROOT }];
  let dir: string | undefined;
  if (baseline) {
    dir = mkdtempSync(join(tmpdir(), 'first-hops-'));
    const tar = execFileSync('git', ['-C', ROOT, 'archive', '--format=tar', baseline, 'src/engine'], { maxBuffer: 1 << 30 });
    mkdirSync(join(dir, 'tree'));
    execFileSync('tar', ['-x', '-C', join(dir, 'tree')], { input: tar });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'tree', 'node_modules'));
    trees.push({ tree: `baseline ${baseline}`, root: join(dir, 'tree') });
  }
  const load0 = loadavg()[0];
  const runs: Run[] = [];
  try {
    for (let rep = 0; rep < reps; rep++)
      for (const t of rep % 2 ? [...trees].reverse() : trees) {
        const r = await runOnce(t.tree, t.root, hops, records, gapMs, commitIntervalMs, consumerConfig, sinkMs);
        runs.push(r);
        console.log(`${t.tree}: end to end median ${median(r.endToEnd).toFixed(0)} ms over ${hops} hops (${r.endToEnd.length} records), per hop ${r.hops.map((h) => median(h).toFixed(0)).join(' / ')} ms; ${r.commits} commits, mean ${r.commitMeanMs.toFixed(1)} ms; load ${loadavg()[0].toFixed(1)}`);
      }
  } finally {
    if (dir) rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n| engine | runs | end to end ms (median) | per hop ms (median) | commits per record | commit latency ms (mean) |\n|---|---:|---:|---:|---:|---:|`);
  for (const t of trees) {
    const rs = runs.filter((r) => r.tree === t.tree);
    const e2e = median(rs.flatMap((r) => r.endToEnd));
    const hop = median(rs.flatMap((r) => r.hops.flat()));
    const commits = rs.reduce((n, r) => n + r.commits, 0) / (records * rs.length);
    const lat = rs.reduce((n, r) => n + r.commitMeanMs * r.commits, 0) / Math.max(1, rs.reduce((n, r) => n + r.commits, 0));
    console.log(`| ${t.tree} | ${rs.length} | ${e2e.toFixed(0)} | ${hop.toFixed(0)} | ${commits.toFixed(1)} | ${lat.toFixed(1)} |`);
  }
  console.log(`\n${hops} hops, ${PARTITIONS} partitions, ${records} records ${gapMs} ms apart per run, commit interval ${commitIntervalMs} ms${sinkMs > 0 ? `, a commit participant taking ${sinkMs} ms per commit` : ''}, load average ${load0.toFixed(1)} → ${loadavg()[0].toFixed(1)}`);
  process.exit(0);
}
