/**
 * One measured run of `npm run bench pipeline`, in a fresh child process so that its CPU time, its
 * peak RSS and its loaded modules are its own: `node --import tsx bench/_pipeline-run.ts '<json>'`.
 *
 * The pipeline's modules come from `root` (this checkout, or an extracted earlier version of it: the
 * baseline measured in the same run), this file from the current checkout. Prints one line
 * `RESULT <json>` with records/s, the first published record, peak RSS per process, CPU seconds per
 * process over the run (this process, every worker, the Kafka broker read from its /proc entry by PID,
 * the PostgreSQL backends of the run's database) and the bytes the run left in the database.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Session } from 'node:inspector/promises';
import { firstRecordJourney, observeKafka, traceLocalLog } from './first-trace.ts';

export interface RunSpec {
  /** Checkout whose src/ and test/support/ run. */
  root: string;
  /** Label of that checkout in the output ('current', 'baseline'). */
  tree: string;
  kind: 'embedded' | 'kafka1' | 'kafka2';
  media: boolean;
  records: number;
  partitions: number;
  oaiUrl: string;
  /** Extra fields of the task's source (e.g. the harvest mode), only for trees that know them. */
  source?: Record<string, unknown>;
  /** The plan is the harvest step alone (harvest speed). */
  harvestOnly?: boolean;
  dir: string;
  profileDir?: string;
  /** Print the first published record's journey hop by hop (first-trace.ts). */
  traceFirst?: boolean;
}

export interface StepBytes {
  step: string;
  rows: number;
  /** Characters of XML content as written (octet_length). */
  contentBytes: number;
  /** What PostgreSQL stored for those columns (pg_column_size: after its compression, before TOAST pages). */
  storedBytes: number;
  /** Messages and data columns (JSON). */
  otherBytes: number;
}

export interface RunResult {
  tree: string;
  kind: RunSpec['kind'];
  media: boolean;
  records: number;
  seconds: number;
  recordsPerSecond: number;
  firstPublishedMs: number | undefined;
  /** Process label → peak RSS MB (VmHWM). */
  peakRssMb: Record<string, number>;
  /** Process label → CPU seconds (user + system, all threads) between submission and the task's end. */
  cpuSeconds: Record<string, number>;
  /** Bytes of record content etc. per step. */
  stepBytes: StepBytes[];
  /** Table → bytes (pg_total_relation_size: heap, TOAST, indexes) after the run. */
  tableBytes: Record<string, number>;
  /** WAL bytes written during the run (server-wide on the shared PostgreSQL server: others' writes included). */
  walBytes: number | undefined;
  state: string;
  /** The first published record's journey (with `traceFirst`). */
  trace?: string;
}

const CLK_TCK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const HERE = fileURLToPath(new URL('../', import.meta.url));

/**
 * User + system CPU seconds of a process (all its threads, live and exited) and of its children
 * that ended and were waited for (the media step's tools: ffprobe, the PDF tools), or undefined when gone.
 */
export function procCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14–17 of stat (utime, stime, cutime, cstime); f[0] is field 3.
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / CLK_TCK;
  } catch {
    return undefined;
  }
}

export function procPeakRssMb(pid: number): number | undefined {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Math.round(Number(m[1]) / 1024) : undefined;
  } catch {
    return undefined;
  }
}

/** The shared Kafka broker's PID (started by scripts/infra-up.sh in this checkout), if it runs here. */
function brokerPid(): number | undefined {
  try {
    const pid = Number(readFileSync(join(HERE, '.infra/kafka/kafka.pid'), 'utf8').trim());
    return procCpuSeconds(pid) === undefined ? undefined : pid;
  } catch {
    return undefined;
  }
}

/** CPU of a changing set of processes: the first reading of each is its start, unless it appeared later. */
class CpuMeter {
  private readonly first = new Map<number, number>();
  private readonly last = new Map<number, number>();
  private readonly label = new Map<number, string>();

  constructor(private readonly t0Pids: Set<number>) {}

  sample(pid: number, label: string): void {
    const s = procCpuSeconds(pid);
    if (s === undefined) return;
    if (!this.first.has(pid)) this.first.set(pid, this.t0Pids.has(pid) ? s : 0);
    this.last.set(pid, s);
    this.label.set(pid, label);
  }

  totals(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [pid, s] of this.last) {
      const l = this.label.get(pid)!;
      out[l] = (out[l] ?? 0) + (s - this.first.get(pid)!);
    }
    return out;
  }
}

type Db = { query<R>(text: string, params?: unknown[]): Promise<{ rows: R[] }>; close(): Promise<void> };

async function storage(db: Db, taskId: string): Promise<Pick<RunResult, 'stepBytes' | 'tableBytes'>> {
  const steps = await db.query<{ step: string; rows: string; content: string; stored: string; other: string }>(
    `SELECT step, count(*) AS rows, coalesce(sum(octet_length(content)), 0) AS content,
            coalesce(sum(pg_column_size(content)), 0) AS stored,
            coalesce(sum(octet_length(messages::text)), 0) + coalesce(sum(octet_length(data::text)), 0) AS other
       FROM record_result WHERE task_id = $1 GROUP BY step`,
    [taskId],
  );
  const tables = await db.query<{ name: string; bytes: string }>(
    `SELECT c.relname AS name, pg_total_relation_size(c.oid) AS bytes FROM pg_class c
      WHERE c.relkind = 'r' AND c.relnamespace = 'public'::regnamespace`,
  );
  return {
    stepBytes: steps.rows.map((r) => ({ step: r.step, rows: Number(r.rows), contentBytes: Number(r.content), storedBytes: Number(r.stored), otherBytes: Number(r.other) })),
    tableBytes: Object.fromEntries(tables.rows.filter((r) => Number(r.bytes) > 16384).map((r) => [r.name, Number(r.bytes)])),
  };
}

async function walLsn(db: Db): Promise<bigint | undefined> {
  try {
    const r = await db.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn');
    const [hi, lo] = r.rows[0]!.lsn.split('/');
    return (BigInt(`0x${hi}`) << 32n) + BigInt(`0x${lo}`);
  } catch {
    return undefined;
  }
}

/** Polls until the task ends; notes when the first record was published. */
async function follow(root: string, db: Db, service: { status(id: string): Promise<unknown> }, taskId: string, t0: number, timeoutMs: number, tick: () => Promise<void>) {
  const { PipelineStore } = await load<typeof import('../src/store/pipeline-store.ts')>(root, 'src/store/pipeline-store.ts');
  const store = new PipelineStore(db as never);
  let firstPublishedMs: number | undefined;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await tick();
    const task = await store.getTask(taskId);
    if (firstPublishedMs === undefined) {
      const p = (await store.progress(taskId)).find((x) => x.step === 'publish');
      if (p && p.success + p.warn + p.fail > 0) firstPublishedMs = performance.now() - t0;
    }
    if (task && ['completed', 'failed', 'cancelled'].includes(task.state)) {
      await service.status(taskId);
      return { state: task.state, seconds: (performance.now() - t0) / 1000, firstPublishedMs };
    }
    if (Date.now() > deadline) throw new Error(`task ${taskId} did not finish within ${timeoutMs} ms (state ${task?.state})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function load<T>(root: string, path: string): Promise<T> {
  return import(pathToFileURL(join(root, path)).href) as Promise<T>;
}

function result(
  spec: RunSpec,
  r: Pick<RunResult, 'state' | 'seconds' | 'firstPublishedMs'>,
  peakRssMb: Record<string, number>,
  cpuSeconds: Record<string, number>,
  bytes: Pick<RunResult, 'stepBytes' | 'tableBytes'>,
  wal0: bigint | undefined,
  wal1: bigint | undefined,
): RunResult {
  const { tree, kind, media, records } = spec;
  const walBytes = wal0 !== undefined && wal1 !== undefined ? Number(wal1 - wal0) : undefined;
  return { tree, kind, media, records, ...r, recordsPerSecond: records / r.seconds, peakRssMb, cpuSeconds, ...bytes, walBytes };
}

export async function run(spec: RunSpec): Promise<RunResult> {
  const { root } = spec;
  const model = await load<typeof import('../src/model/index.ts')>(root, 'src/model/index.ts');
  const steps = spec.harvestOnly ? ['harvest' as const] : spec.media ? [...model.DEFAULT_STEPS] : model.DEFAULT_STEPS.filter((s) => s !== 'media');
  const task = {
    dataset: { id: '9400', name: 'Bench', country: 'Italy', language: 'it' },
    source: { type: 'oai' as const, url: spec.oaiUrl, metadataPrefix: 'edm', ...spec.source },
    steps,
  };
  const timeoutMs = Math.max(600_000, spec.records * 500);
  const cacheDir = join(spec.dir, `cache-${spec.tree}`);
  const { createMetisPorts, defaultMetisConfig } = await load<typeof import('../src/pipeline/ports/create-metis-ports.ts')>(root, 'src/pipeline/ports/create-metis-ports.ts');
  const broker = brokerPid();

  if (spec.kind === 'embedded') {
    const { openPglite } = await load<typeof import('../src/store/db.ts')>(root, 'src/store/db.ts');
    const { startEmbedded } = await load<typeof import('../src/pipeline/embedded.ts')>(root, 'src/pipeline/embedded.ts');
    const db = await openPglite();
    const ports = await createMetisPorts(defaultMetisConfig({ db, cacheDir, thumbnailDir: join(spec.dir, `thumbs-${spec.tree}`), allowLoopback: true }));
    const pipeline = await startEmbedded({ db, ports: ports.ports, partitions: spec.partitions });
    const seen = spec.traceFirst ? traceLocalLog(pipeline.runtime.log) : undefined;
    const session = spec.profileDir ? new Session() : undefined;
    if (session) {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
    }
    try {
      const wal0 = await walLsn(db);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const t0Epoch = Date.now();
      const t = await pipeline.service.submit(task);
      const r = await follow(root, db, pipeline.service, t.taskId, t0, timeoutMs, async () => {});
      const cpu = process.cpuUsage(cpu0);
      const wal1 = await walLsn(db);
      if (session) {
        const { profile } = await session.post('Profiler.stop');
        writeFileSync(join(spec.profileDir!, `${spec.tree}-embedded-${spec.media ? 'media' : 'nomedia'}.cpuprofile`), JSON.stringify(profile));
        session.disconnect();
      }
      const res = result(spec, r, { process: procPeakRssMb(process.pid) ?? 0 }, { process: (cpu.user + cpu.system) / 1e6 }, await storage(db, t.taskId), wal0, wal1);
      return seen ? { ...res, trace: firstRecordJourney(seen, t0Epoch, r.firstPublishedMs) } : res;
    } finally {
      await pipeline.stop();
      await ports.close();
      await db.close();
    }
  }

  const harness = await load<typeof import('../test/support/pipeline-harness.ts')>(root, 'test/support/pipeline-harness.ts');
  const { createTestDatabase } = await load<typeof import('../test/support/pg.ts')>(root, 'test/support/pg.ts');
  const { uniqueName } = await load<typeof import('../test/support/services.ts')>(root, 'test/support/services.ts');
  const { pipelineTopics } = await load<typeof import('../src/pipeline/topics.ts')>(root, 'src/pipeline/topics.ts');
  const workersN = spec.kind === 'kafka1' ? 1 : 2;
  const tdb = await createTestDatabase('metis_bench_pipe');
  const name = uniqueName('bench_pipe');
  const cfg = {
    pgUrl: tdb.url,
    brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
    appId: name,
    topicPrefix: name,
    workDir: join(spec.dir, name),
    partitions: spec.partitions,
    nodeArgs: spec.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${join(spec.profileDir, `${spec.tree}-${spec.kind}-${spec.media ? 'media' : 'nomedia'}-{instance}`)}`] : [],
  };
  const workers = Array.from({ length: workersN }, (_, i) => harness.spawnWorker(cfg, `${name}-w${i + 1}`));
  const client = await harness.kafkaService(tdb.db, cfg.brokers, name);
  try {
    await Promise.all(workers.map((w) => w.ready));
    // Measure the pipeline, not the group's start: every worker has its partitions (stores restored).
    await harness.waitForBalancedGroup(cfg.brokers, name, workersN, pipelineTopics(name).fetch, spec.partitions);
    const backends = async () => (await tdb.db.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = current_database()')).rows.map((r) => r.pid);
    const t0Pids = new Set<number>([...workers.map((w) => w.proc.pid!), ...(await backends()), ...(broker ? [broker] : [])]);
    const meter = new CpuMeter(t0Pids);
    const sampleAll = async () => {
      workers.forEach((w, i) => meter.sample(w.proc.pid!, `worker ${i + 1}`));
      if (broker) meter.sample(broker, 'broker');
      for (const pid of await backends()) meter.sample(pid, 'PostgreSQL');
    };
    await sampleAll();
    const { STEP_NAMES } = await load<typeof import('../src/model/index.ts')>(root, 'src/model/index.ts');
    const observer = spec.traceFirst ? await observeKafka(cfg.brokers, pipelineTopics(name).all(STEP_NAMES), spec.partitions) : undefined;
    const wal0 = await walLsn(tdb.db);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const t0Epoch = Date.now();
    const t = await client.service.submit(task);
    let lastSample = 0;
    const r = await follow(root, tdb.db, client.service, t.taskId, t0, timeoutMs, async () => {
      if (performance.now() - lastSample < 250) return;
      lastSample = performance.now();
      await sampleAll();
    });
    await sampleAll();
    const cpu = process.cpuUsage(cpu0);
    const wal1 = await walLsn(tdb.db);
    const rss = Object.fromEntries(workers.map((w, i) => [`worker ${i + 1}`, Math.round((w.peakRssKb() ?? 0) / 1024)]));
    await observer?.stop();
    const res = result(spec, r, rss, { ...meter.totals(), 'bench client': (cpu.user + cpu.system) / 1e6 }, await storage(tdb.db, t.taskId), wal0, wal1);
    return observer ? { ...res, trace: firstRecordJourney(observer.seen, t0Epoch, r.firstPublishedMs) } : res;
  } finally {
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await client.close();
    await tdb.drop();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const spec = JSON.parse(process.argv[2]!) as RunSpec;
  run(spec).then(
    (r) => {
      process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`${(err as Error)?.stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
