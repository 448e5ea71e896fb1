/**
 * `npm run bench memory-worker -- [--records=1000] [--threads=K] [--verb=ListRecords|ListIdentifiers]
 *   [--node-args="--flag …"] [--env=NAME=value,NAME2=value] [--page-size=50] [--compiled=<rev>|<dist>]
 *   [--sample-every=N [--gc] [--heap-snapshots=DIR]]` (issue #13 target 3)
 *
 * What one Kafka pipeline worker's resident memory is made of, before its first record and at its
 * peak: starts ONE worker process (test/support/pipeline-worker.ts, as `bench pipeline` and the soak
 * start it; `node --require bench/memory-probe.cjs`), waits until it owns every partition, then runs
 * N generated records without media through every step (exactly-once, fresh database and topics,
 * deleted afterwards) from the demo OAI-PMH server in a process of its own.
 *
 * Printed, idle before the first record and at the sample with the highest RSS (every 5 s during the
 * run, VmRSS every 250 ms): VmRSS / VmHWM, /proc/<pid>/smaps_rollup (anonymous, file-backed), the
 * mappings of /proc/<pid>/smaps grouped (the main malloc arena `[heap]`, 64 MB-aligned malloc thread
 * arenas, WebAssembly memories, other anonymous, files), and per V8 isolate (main thread, each step
 * thread; from the probe) the heap's committed and used bytes, its new space, malloced memory,
 * external and array-buffer bytes and the WebAssembly memories it instantiated; then the run's
 * records/s and the worker's CPU seconds per record. `--threads` sets the step pool's size (the probe
 * replaces os.availableParallelism()); `--env` adds variables to the worker's environment
 * (e.g. MALLOC_ARENA_MAX=2); `--node-args` adds node flags; `--compiled=<tree>/dist` runs the
 * compiled worker (bench/memory-compiled-worker.mjs on a `tsc -p tsconfig.build.json` build, no
 * TypeScript loader: what `metis-streams worker` runs) instead of the tsx one; `--compiled=<rev>`
 * builds that git revision first (bench/memory-build.ts).
 *
 * What grows: `--sample-every=N` takes the same readings every N records done (instead of the peak)
 * and prints them as a table with their least-squares slope per 10,000 records, so V8 heap growth is
 * told apart from malloc arenas and other native memory. `--gc` starts the worker with --expose-gc
 * and has every isolate run a full collection before each reading (used heap = live heap; the
 * collections' time is left out of records/s, not out of the CPU). `--heap-snapshots=DIR` also writes
 * a heap snapshot of the main thread at each reading (`DIR/r<N>-main.heapsnapshot`), for `npm run
 * bench memory-heap-diff -- <earlier> <later>`.
 */
import { readFileSync, readdirSync, rmSync, mkdtempSync, mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_STEPS } from '../src/model/index.ts';
import { createTestDatabase } from '../test/support/pg.ts';
import { startDemoServersProcess } from '../test/support/demo-servers-process.ts';
import { kafkaService, spawnWorker, waitForBalancedGroup } from '../test/support/pipeline-harness.ts';
import { uniqueName } from '../test/support/services.ts';
import { pipelineTopics } from '../src/pipeline/topics.ts';
import { procCpuSeconds } from './_pipeline-run.ts';
import { deleteRunTopics } from './_kafka-topics.ts';
import { slope } from './soak.ts';
import { compiledDist } from './memory-build.ts';

const PARTITIONS = 4;
const PROBE = fileURLToPath(new URL('./memory-probe.cjs', import.meta.url));
const COMPILED = fileURLToPath(new URL('./memory-compiled-worker.mjs', import.meta.url));
const MB = 1024 * 1024;

function flag(args: string[], name: string): string | undefined {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? undefined : a.slice(a.indexOf('=') + 1);
}

function status(pid: number): { rss: number; hwm: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? NaN);
  return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
}

function rollup(pid: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8').split('\n')) {
    const m = /^(\w+):\s+(\d+) kB/.exec(line);
    if (m) out[m[1]!] = Number(m[2]) / 1024;
  }
  return out;
}

interface Mapping {
  start: bigint;
  end: bigint;
  perms: string;
  path: string;
  rss: number;
}

/** Resident MB of the process's mappings, grouped (see the header). */
function smapsGroups(pid: number, wasmBytes: number): Record<string, number> {
  const maps: Mapping[] = [];
  let cur: Mapping | undefined;
  for (const line of readFileSync(`/proc/${pid}/smaps`, 'utf8').split('\n')) {
    const h = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (h) {
      cur = { start: BigInt(`0x${h[1]}`), end: BigInt(`0x${h[2]}`), perms: h[3]!, path: h[4] ?? '', rss: 0 };
      maps.push(cur);
      continue;
    }
    const r = /^Rss:\s+(\d+) kB/.exec(line);
    if (r && cur) cur.rss = Number(r[1]) / 1024;
  }
  const arena = 64n * BigInt(MB);
  const g: Record<string, number> = {};
  const add = (k: string, v: number) => (g[k] = (g[k] ?? 0) + v);
  for (let i = 0; i < maps.length; i++) {
    const m = maps[i]!;
    if (m.path.startsWith('/')) add(m.path.includes('node_modules') ? 'files: node_modules (.so, .node)' : m.path.endsWith('/node') ? 'files: node binary' : 'files: other', m.rss);
    else if (m.path === '[heap]') add('malloc main arena ([heap])', m.rss);
    else if (m.path.startsWith('[stack')) add('stacks', m.rss);
    else if (m.path) add(`other ${m.path}`, m.rss);
    else {
      // A glibc thread arena: a 64 MB reservation aligned to 64 MB, its used part read-write.
      const next = maps[i + 1];
      const isArena =
        m.start % arena === 0n &&
        (m.end - m.start === arena || (next !== undefined && next.start === m.end && next.perms.startsWith('---') && next.end - m.start === arena));
      add(isArena ? 'malloc thread arenas' : 'anonymous (V8 heaps, WebAssembly, large mallocs, librdkafka, thread stacks)', m.rss);
    }
  }
  g['  of which WebAssembly memories (committed, per probe)'] = wasmBytes / MB;
  return g;
}

interface IsolateReport {
  tag: string;
  gc: boolean;
  snapshot?: string;
  thread: number;
  main: boolean;
  heap: Record<string, number>;
  spaces: Record<string, { size: number; used: number; physical: number }>;
  external: number;
  arrayBuffers: number;
  wasm: number;
  wasmCount: number;
}

/** What the probe does before it reports (see bench/memory-probe.cjs). */
interface ProbeCommand {
  gc?: boolean;
  snapshot?: string;
}

let probeSeq = 0;

async function isolates(pid: number, file: string, cmd: ProbeCommand = {}): Promise<IsolateReport[]> {
  const tag = `${Date.now()}-${++probeSeq}`;
  writeFileSync(`${file}.cmd`, JSON.stringify({ ...cmd, tag }));
  process.kill(pid, 'SIGUSR2');
  // The main thread answers at once (after its collection and snapshot), step threads when their
  // event loop is free: wait for the main thread's line, then until no line came for 1.5 s.
  const read = () =>
    (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [])
      .map((l) => JSON.parse(l) as IsolateReport)
      .filter((r) => r.tag === tag);
  const t0 = performance.now();
  let rs = read();
  let lastChange = performance.now();
  while (performance.now() - t0 < 180_000) {
    await new Promise((r) => setTimeout(r, 100));
    const now = read();
    if (now.length !== rs.length) lastChange = performance.now();
    rs = now;
    if (rs.some((r) => r.main) && performance.now() - lastChange > 1500) break;
  }
  return rs.sort((a, b) => a.thread - b.thread);
}

function threadNames(pid: number): string {
  const counts = new Map<string, number>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      const n = readFileSync(`/proc/${pid}/task/${t}/comm`, 'utf8').trim().replace(/\d+$/, '#');
      counts.set(n, (counts.get(n) ?? 0) + 1);
    } catch {
      /* gone */
    }
  }
  return [...counts].map(([n, c]) => `${n}×${c}`).join(' ');
}

interface Snapshot {
  label: string;
  rss: number;
  hwm: number;
  rollup: Record<string, number>;
  groups: Record<string, number>;
  isolates: IsolateReport[];
  threads: string;
}

async function snapshot(label: string, pid: number, file: string, cmd: ProbeCommand = {}): Promise<Snapshot> {
  const iso = await isolates(pid, file, cmd);
  const st = status(pid);
  return {
    label,
    ...st,
    rollup: rollup(pid),
    groups: smapsGroups(pid, iso.reduce((a, r) => a + r.wasm, 0)),
    isolates: iso,
    threads: threadNames(pid),
  };
}

function print(s: Snapshot): void {
  const f = (x: number) => x.toFixed(1);
  console.log(`\n== ${s.label}: VmRSS ${f(s.rss)} MB, VmHWM ${f(s.hwm)} MB`);
  const r = s.rollup;
  console.log(`smaps_rollup: Rss ${f(r.Rss!)}, Anonymous ${f(r.Anonymous!)}, file-backed ${f(r.Rss! - r.Anonymous!)} MB`);
  for (const [k, v] of Object.entries(s.groups)) console.log(`  ${k}: ${f(v)} MB`);
  console.log(`threads: ${s.threads}`);
  let sum = 0;
  for (const i of s.isolates) {
    const h = i.heap;
    const ns = i.spaces['new_space'];
    sum += h.total_physical_size! / MB;
    console.log(
      `  isolate ${i.main ? 'main' : `thread ${i.thread}`}: heap committed ${f(h.total_physical_size! / MB)} MB (total ${f(h.total_heap_size! / MB)}), used ${f(h.used_heap_size! / MB)}, ` +
        `new space ${f((ns?.physical ?? 0) / MB)} (used ${f((ns?.used ?? 0) / MB)}), malloced ${f(h.malloced_memory! / MB)} (peak ${f(h.peak_malloced_memory! / MB)}), ` +
        `external ${f(i.external / MB)}, arrayBuffers ${f(i.arrayBuffers / MB)}, wasm ${f(i.wasm / MB)} MB in ${i.wasmCount}`,
    );
  }
  console.log(`  V8 heaps committed, all isolates: ${f(sum)} MB`);
}

/** One row of `--sample-every`: where the memory is at `done` records. */
interface Sample {
  done: number;
  t: number;
  s: Snapshot;
}

const ANON = 'anonymous (V8 heaps, WebAssembly, large mallocs, librdkafka, thread stacks)';

function sampleRow(x: Sample): string {
  const g = x.s.groups;
  const main = x.s.isolates.find((i) => i.main);
  const threads = x.s.isolates.filter((i) => !i.main);
  const sum = (f: (i: IsolateReport) => number) => threads.reduce((a, i) => a + f(i), 0) / MB;
  const files = Object.entries(g)
    .filter(([k]) => k.startsWith('files:'))
    .reduce((a, [, v]) => a + v, 0);
  const cells = [
    x.done,
    x.t.toFixed(0),
    x.s.rss.toFixed(1),
    (g['malloc main arena ([heap])'] ?? 0).toFixed(1),
    (g['malloc thread arenas'] ?? 0).toFixed(1),
    (g[ANON] ?? 0).toFixed(1),
    files.toFixed(1),
    main ? (main.heap.total_physical_size! / MB).toFixed(1) : '–',
    main ? (main.heap.used_heap_size! / MB).toFixed(1) : '–',
    main ? ((main.spaces['old_space']?.used ?? 0) / MB).toFixed(1) : '–',
    main ? (main.heap.malloced_memory! / MB).toFixed(1) : '–',
    main ? (main.external / MB).toFixed(1) : '–',
    main ? (main.arrayBuffers / MB).toFixed(1) : '–',
    `${threads.length}: ${sum((i) => i.heap.total_physical_size!).toFixed(1)}`,
    sum((i) => i.heap.used_heap_size!).toFixed(1),
  ];
  return `| ${cells.join(' | ')} |`;
}

const SAMPLE_HEAD =
  '| records | s | VmRSS | [heap] arena | thread arenas | other anon | files | main heap committed | main heap used | main old space used | main malloced | main external | main arrayBuffers | step threads: heaps committed | step heaps used |\n' +
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|';

/** Least-squares slope of y over x, per 10,000 x. */
const slopePer10k = (xs: number[], ys: number[]): number => 10_000 * slope(xs, ys);

export default async function main(args: string[]): Promise<void> {
  const n = Number(flag(args, 'records') ?? 1000);
  const verb = flag(args, 'verb') ?? 'ListRecords';
  const pageSize = Number(flag(args, 'page-size') ?? 50);
  const threads = flag(args, 'threads');
  const sampleEvery = Number(flag(args, 'sample-every') ?? 0);
  const gc = args.includes('--gc');
  const snapshotDir = flag(args, 'heap-snapshots');
  const extraEnv = Object.fromEntries(
    (flag(args, 'env') ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const nodeArgs = (flag(args, 'node-args') ?? '').split(' ').filter(Boolean);
  if (gc) nodeArgs.push('--expose-gc');
  // The compiled worker: node runs this script, and spawnWorker's `--import tsx <script>` become its unused arguments.
  const compiledFlag = flag(args, 'compiled');
  const compiled = compiledFlag === undefined ? undefined : compiledDist(compiledFlag);
  if (compiled) nodeArgs.push(COMPILED);
  if (snapshotDir) mkdirSync(snapshotDir, { recursive: true });
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const dir = mkdtempSync(join(tmpdir(), 'metis-bench-mem-'));
  const probeFile = join(dir, 'probe.jsonl');
  // The demo servers start before the worker's variables are set: they are the worker's alone.
  const servers = await startDemoServersProcess({ size: n, pageSize });
  // spawnWorker passes this process's environment on to the worker.
  Object.assign(
    process.env,
    extraEnv,
    { MEMPROBE_FILE: probeFile },
    compiled ? { METIS_DIST: compiled } : {},
    threads !== undefined ? { MEMPROBE_THREADS: threads, METIS_THREADS: threads } : {},
  );
  const tdb = await createTestDatabase('metis_bench_mem');
  const name = uniqueName('bench_mem');
  const worker = spawnWorker(
    { pgUrl: tdb.url, brokers, appId: name, topicPrefix: name, workDir: join(dir, 'work'), partitions: PARTITIONS, nodeArgs: ['--require', PROBE, ...nodeArgs] },
    `${name}-w1`,
  );
  const client = await kafkaService(tdb.db, brokers, name);
  console.log(
    `memory-worker: ${n} records (${verb}, no media), 1 worker${compiled ? ` (compiled: ${compiled})` : ' (tsx)'}, step threads ${threads ?? 'default'}, env ${JSON.stringify(extraEnv)}, node args ${JSON.stringify(nodeArgs)}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}` +
      (sampleEvery ? `; samples every ${sampleEvery} records${gc ? ' after a full collection' : ''}${snapshotDir ? `, heap snapshots in ${snapshotDir}` : ''}` : ''),
  );
  try {
    await worker.ready;
    await waitForBalancedGroup(brokers, name, 1, pipelineTopics(name).fetch, PARTITIONS);
    const pid = worker.proc.pid!;
    await new Promise((r) => setTimeout(r, 3000));
    const idle = await snapshot('idle, before the first record', pid, probeFile);
    print(idle);
    const cpu0 = procCpuSeconds(pid)!;
    const t0 = performance.now();
    const task = await client.service.submit({
      dataset: { id: '9700', name: 'Memory', country: 'Italy', language: 'it' },
      source: { type: 'oai', url: servers.oaiUrl, metadataPrefix: 'edm', verb: verb as 'ListRecords' },
      steps: DEFAULT_STEPS.filter((s) => s !== 'media'),
    });
    let peak: Snapshot | undefined;
    let lastSnap = 0;
    const rssSeries: Array<{ t: number; done: number; rss: number }> = [];
    const samples: Sample[] = [];
    let nextSample = sampleEvery || Infinity;
    // Time spent in the samples' collections and snapshots is not the pipeline's: left out of records/s.
    let probeMs = 0;
    for (;;) {
      const row = await client.service.store.getTask(task.taskId);
      const st = status(pid);
      const done = row?.terminalCount ?? 0;
      rssSeries.push({ t: (performance.now() - t0) / 1000, done, rss: st.rss });
      if (done >= nextSample) {
        const at = performance.now();
        const label = `at ${done} records`;
        const s = await snapshot(label, pid, probeFile, { gc, snapshot: snapshotDir ? join(resolve(snapshotDir), `r${nextSample}`) : undefined });
        probeMs += performance.now() - at;
        samples.push({ done, t: (at - t0) / 1000, s });
        console.log(`${SAMPLE_HEAD.split('\n')[0]}\n${sampleRow(samples.at(-1)!)}`);
        while (nextSample <= done) nextSample += sampleEvery;
      } else if (!sampleEvery && performance.now() - lastSnap > 5000 && st.rss > (peak?.rss ?? 0)) {
        lastSnap = performance.now();
        const s = await snapshot('peak sampled during the run', pid, probeFile);
        if (s.rss > (peak?.rss ?? 0)) peak = s;
      }
      if (row && ['completed', 'failed', 'cancelled'].includes(row.state)) break;
      if (performance.now() - t0 > 60 * 60_000) throw new Error('run did not end within 60 min');
      await new Promise((r) => setTimeout(r, 250));
    }
    const seconds = (performance.now() - t0 - probeMs) / 1000;
    const cpu = procCpuSeconds(pid)! - cpu0;
    const end = await snapshot('after the run', pid, probeFile, { gc });
    if (peak) print(peak);
    print(end);
    if (samples.length) {
      console.log(`\nsamples (MB; ${gc ? 'each after a full collection in every isolate' : 'no forced collection'}):\n${SAMPLE_HEAD}`);
      for (const x of samples) console.log(sampleRow(x));
      if (samples.length >= 2) {
        const xs = samples.map((x) => x.done);
        const main = (f: (i: IsolateReport) => number) => samples.map((x) => f(x.s.isolates.find((i) => i.main)!) / MB);
        console.log(
          `slope per 10,000 records over the samples (least squares): VmRSS ${slopePer10k(xs, samples.map((x) => x.s.rss)).toFixed(2)} MB, ` +
            `[heap] arena ${slopePer10k(xs, samples.map((x) => x.s.groups['malloc main arena ([heap])'] ?? 0)).toFixed(2)}, ` +
            `thread arenas ${slopePer10k(xs, samples.map((x) => x.s.groups['malloc thread arenas'] ?? 0)).toFixed(2)}, ` +
            `other anon ${slopePer10k(xs, samples.map((x) => x.s.groups[ANON] ?? 0)).toFixed(2)}, ` +
            `main heap committed ${slopePer10k(xs, main((i) => i.heap.total_physical_size!)).toFixed(2)}, used ${slopePer10k(xs, main((i) => i.heap.used_heap_size!)).toFixed(2)}, ` +
            `main external ${slopePer10k(xs, main((i) => i.external)).toFixed(2)}`,
        );
      }
      const snaps = samples.flatMap((x) => x.s.isolates.filter((i) => i.snapshot).map((i) => i.snapshot!));
      if (snaps.length) console.log(`heap snapshots: ${snaps.join(' ')}\n  compare: npm run bench memory-heap-diff -- <earlier> <later>`);
    }
    const maxRss = Math.max(...rssSeries.map((x) => x.rss));
    console.log(
      `\nRESULT records ${n}, ${seconds.toFixed(1)} s${probeMs ? ` (${(probeMs / 1000).toFixed(1)} s of samples left out)` : ''}, ${(n / seconds).toFixed(1)} records/s, worker CPU ${((1000 * cpu) / n).toFixed(2)} ms/record, ` +
        `RSS idle ${idle.rss.toFixed(0)} MB, max sampled ${maxRss.toFixed(0)} MB, VmHWM ${end.hwm.toFixed(0)} MB, end ${end.rss.toFixed(0)} MB, load ${readFileSync('/proc/loadavg', 'utf8').split(' ')[0]}`,
    );
  } finally {
    await worker.kill('SIGTERM');
    await client.close();
    await tdb.drop();
    await servers.close();
    await deleteRunTopics(brokers, name).catch((err: unknown) => console.error(`could not delete topics ${name}.*: ${(err as Error).message}`));
    rmSync(dir, { recursive: true, force: true });
  }
}
