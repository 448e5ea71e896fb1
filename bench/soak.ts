/**
 * `npm run bench soak [--records=200000] [--workers=2] [--page-size=50] [--verb=ListRecords]
 *   [--csv=FILE] [--stall-minutes=10] [--max-minutes=M] [--trace-gc] [--compiled=<rev>|<dist>]
 *   [--threads=K] [--env=NAME=value,…] [--node-args="--flag …"]` (issue #11 item 9, #13; not in CI)
 *
 * A long run of the whole chain without media (harvest → … → publish, exactly-once) on Kafka worker
 * processes (test/support/pipeline-worker.ts, as `bench pipeline` starts them) against the shared
 * broker and PostgreSQL, with a fresh database and topic prefix. The records come from the demo
 * OAI-PMH server in a process of its own (test/support/demo-servers-process.ts), harvested with
 * ListRecords (records in the listing's pages) unless `--verb=ListIdentifiers`.
 *
 * Every 10 s it samples, per worker: resident set (VmRSS), open file descriptors (/proc/<pid>/fd),
 * CPU seconds, and the worker's PostgreSQL connections (pg_stat_activity of the run's database; each
 * worker connects with its own `application_name`); plus records done (the task's terminal count) and
 * the load average (/proc/loadavg). The samples go to a CSV file (`--csv`, default in the temporary
 * folder). Printed: per worker the RSS slope by least squares (MB per 10,000 records and MB per hour)
 * over the steady part (after the first 10% of the records) and from 10,000 to 100,000 records, RSS
 * at 10,000 / 100,000 / all records, file descriptors and connections min/max, records/s of the first
 * 10% against the last 10% of the records, total time, and the task's final state and counts.
 *
 * Fails (exit 1, "SOAK FAILED: …") when a worker process exits, when no record finishes for
 * `--stall-minutes`, when the task ends other than completed with every record terminal, or when it
 * has not ended after `--max-minutes` (then the samples so far are still reported and written).
 * `--trace-gc` starts the workers with node's `--trace-gc` and prints, per worker and V8 isolate (main
 * thread, step-pool threads), the heap in use after its full (mark-compact) collections early and late
 * in the run: whether a growing RSS is JavaScript heap or memory outside it.
 *
 * `--compiled` runs compiled workers (bench/memory-compiled-worker.mjs on a `tsc -p
 * tsconfig.build.json` build of a git revision, see bench/memory-build.ts, or of a given dist/ folder;
 * what `metis-streams worker` runs) instead of tsx ones, whose RSS carries ~120 MB per tsx loader
 * thread. `--threads` sets the step pool's size, `--env` adds variables to the workers' environment
 * (e.g. MALLOC_ARENA_MAX=2), `--node-args` adds node flags (e.g. --max-semi-space-size=4).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_STEPS } from '../src/model/index.ts';
import { createTestDatabase } from '../test/support/pg.ts';
import { startDemoServersProcess } from '../test/support/demo-servers-process.ts';
import {
  errorGroups,
  kafkaService,
  progressCounts,
  spawnWorker,
  waitForBalancedGroup,
} from '../test/support/pipeline-harness.ts';
import { uniqueName } from '../test/support/services.ts';
import { pipelineTopics } from '../src/pipeline/topics.ts';
import { procCpuSeconds } from './_pipeline-run.ts';
import { deleteRunTopics } from './_kafka-topics.ts';
import { compiledDist } from './memory-build.ts';

const COMPILED_WORKER = fileURLToPath(new URL('./memory-compiled-worker.mjs', import.meta.url));

const SAMPLE_MS = 10_000;
const PARTITIONS = 4;

interface WorkerSample {
  rssMb: number;
  fds: number;
  dbConns: number;
  cpuS: number;
}

interface Sample {
  t: number;
  done: number;
  load1: number;
  dbConnsTotal: number;
  workers: WorkerSample[];
}

function flag(args: string[], name: string): string | undefined {
  const a = args.find((x) => x.startsWith(`--${name}=`));
  return a === undefined ? undefined : a.slice(a.indexOf('=') + 1);
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const load1 = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

/** Least-squares slope of y over x (NaN with fewer than 2 distinct x). */
export function slope(xs: number[], ys: number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxx === 0 ? NaN : sxy / sxx;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** Seconds from submission at which `done` first reached `target`, interpolated between polls. */
function crossing(progress: Array<{ t: number; done: number }>, target: number): number {
  for (let i = 0; i < progress.length; i++) {
    const p = progress[i]!;
    if (p.done < target) continue;
    const q = progress[i - 1];
    return q && p.done > q.done ? q.t + ((target - q.done) / (p.done - q.done)) * (p.t - q.t) : p.t;
  }
  return NaN;
}

function slopeLine(samples: Sample[], w: number, from: number, to: number): string {
  const s = samples.filter((x) => x.done >= from && x.done <= to);
  if (s.length < 3) return `too few samples (${s.length})`;
  const perRecord = slope(
    s.map((x) => x.done),
    s.map((x) => x.workers[w]!.rssMb),
  );
  const perSecond = slope(
    s.map((x) => x.t),
    s.map((x) => x.workers[w]!.rssMb),
  );
  return `${(perRecord * 10_000).toFixed(2)} MB per 10,000 records, ${(perSecond * 3600).toFixed(1)} MB per hour (${s.length} samples)`;
}

function csv(samples: Sample[], workers: number): string {
  const head = ['t_s', 'records_done', 'load1', 'db_conns_total'];
  for (let w = 1; w <= workers; w++) head.push(`w${w}_rss_mb`, `w${w}_fds`, `w${w}_db_conns`, `w${w}_cpu_s`);
  const rows = samples.map((s) =>
    [
      s.t.toFixed(1),
      s.done,
      s.load1.toFixed(2),
      s.dbConnsTotal,
      ...s.workers.flatMap((x) => [x.rssMb.toFixed(1), x.fds, x.dbConns, x.cpuS.toFixed(1)]),
    ].join(','),
  );
  return `${[head.join(','), ...rows].join('\n')}\n`;
}

export default async function soak(args: string[]): Promise<void> {
  const n = Number(flag(args, 'records') ?? 200_000);
  const workerCount = Number(flag(args, 'workers') ?? 2);
  const pageSize = Number(flag(args, 'page-size') ?? 50);
  const verb = flag(args, 'verb') ?? 'ListRecords';
  const stallMs = Number(flag(args, 'stall-minutes') ?? 10) * 60_000;
  const maxMs = Number(flag(args, 'max-minutes') ?? Infinity) * 60_000;
  const traceGc = args.includes('--trace-gc');
  const csvPath = resolve(flag(args, 'csv') ?? join(tmpdir(), `metis-soak-${n}-${Date.now().toString(36)}.csv`));
  const brokers = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
  const dir = mkdtempSync(join(tmpdir(), 'metis-bench-soak-'));
  const compiledFlag = flag(args, 'compiled');
  const compiled = compiledFlag === undefined ? undefined : compiledDist(compiledFlag);
  const threads = flag(args, 'threads');
  const extraEnv = Object.fromEntries(
    (flag(args, 'env') ?? '')
      .split(',')
      .filter(Boolean)
      .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
  );
  const nodeArgs = [...(flag(args, 'node-args') ?? '').split(' ').filter(Boolean), ...(traceGc ? ['--trace-gc'] : [])];
  if (threads !== undefined && !compiled) throw new Error('--threads needs --compiled (the tsx worker takes one per core)');
  // The demo servers start before the workers' variables are set: they are the workers' alone.
  const servers = await startDemoServersProcess({ size: n, pageSize });
  // spawnWorker passes this process's environment on to the workers. Compiled: node runs the
  // compiled worker script, and spawnWorker's `--import tsx <script>` become its unused arguments.
  Object.assign(process.env, extraEnv, compiled ? { METIS_DIST: compiled } : {}, threads !== undefined ? { METIS_THREADS: threads } : {});
  if (compiled) nodeArgs.push(COMPILED_WORKER);
  const tdb = await createTestDatabase('metis_bench_soak');
  const name = uniqueName('bench_soak');
  const appName = (w: number) => `${name}-w${w + 1}`;
  const workers = Array.from({ length: workerCount }, (_, w) =>
    spawnWorker(
      {
        pgUrl: `${tdb.url}?application_name=${appName(w)}`,
        brokers,
        appId: name,
        topicPrefix: name,
        workDir: join(dir, `w${w + 1}`),
        partitions: PARTITIONS,
        nodeArgs,
      },
      appName(w),
    ),
  );
  let died: string | undefined;
  let stopping = false;
  workers.forEach(
    (w) =>
      void w.exited.then((code) => {
        if (!stopping)
          died ??= `worker ${w.id} (pid ${w.proc.pid}) exited with ${code} during the run:\n${w.output().slice(-3000)}`;
      }),
  );
  const client = await kafkaService(tdb.db, brokers, name);
  const samples: Sample[] = [];
  const progress: Array<{ t: number; done: number }> = [];
  let failure: string | undefined;
  try {
    await Promise.all(workers.map((w) => w.ready));
    await waitForBalancedGroup(brokers, name, workerCount, pipelineTopics(name).fetch, PARTITIONS);
    const t0 = performance.now();
    const since = () => (performance.now() - t0) / 1000;
    const sample = async (done: number) => {
      const conns = await tdb.db.query<{ app: string; n: string }>(
        'SELECT application_name AS app, count(*) AS n FROM pg_stat_activity WHERE datname = current_database() GROUP BY 1',
      );
      const byApp = new Map(conns.rows.map((r) => [r.app, Number(r.n)]));
      samples.push({
        t: since(),
        done,
        load1: load1(),
        dbConnsTotal: [...byApp.values()].reduce((a, b) => a + b, 0),
        workers: workers.map((w, i) => ({
          rssMb: rssMb(w.proc.pid!),
          fds: readdirSync(`/proc/${w.proc.pid}/fd`).length,
          dbConns: byApp.get(appName(i)) ?? 0,
          cpuS: procCpuSeconds(w.proc.pid!) ?? NaN,
        })),
      });
    };
    await sample(0);
    const steps = DEFAULT_STEPS.filter((s) => s !== 'media');
    const task = await client.service.submit({
      dataset: { id: '9600', name: 'Soak', country: 'Italy', language: 'it' },
      source: { type: 'oai', url: servers.oaiUrl, metadataPrefix: 'edm', verb: verb as 'ListRecords' },
      steps,
    });
    console.log(
      `soak: ${n} records, ${workerCount} workers${compiled ? ` (compiled: ${compiled})` : ' (tsx)'}, step threads ${threads ?? 'default'}, env ${JSON.stringify(extraEnv)}, node args ${JSON.stringify(nodeArgs.filter((a) => a !== COMPILED_WORKER))}, ` +
        `${steps.length} steps (no media), ${verb} pages of ${pageSize}, task ${task.taskId}, database ${tdb.name}, topics ${name}.*`,
    );
    let lastSample = performance.now();
    let lastChange = performance.now();
    let row = await client.service.store.getTask(task.taskId);
    for (;;) {
      if (died) throw new Error(died);
      row = await client.service.store.getTask(task.taskId);
      const done = row?.terminalCount ?? 0;
      if (done !== progress.at(-1)?.done) lastChange = performance.now();
      progress.push({ t: since(), done });
      const ended = row && ['completed', 'failed', 'cancelled'].includes(row.state);
      if (ended || performance.now() - lastSample >= SAMPLE_MS) {
        lastSample = performance.now();
        await sample(done);
        const s = samples.at(-1)!;
        console.log(
          `${s.t.toFixed(0).padStart(6)} s ${String(done).padStart(7)} records  load ${s.load1.toFixed(1)}  ` +
            s.workers.map((x, i) => `w${i + 1} ${x.rssMb.toFixed(0)} MB ${x.fds} fds ${x.dbConns} db`).join('  '),
        );
      }
      if (ended) break;
      if (performance.now() - lastChange > stallMs)
        throw new Error(
          `stalled: no record finished for ${stallMs / 60_000} minutes (${done} of ${n} done, task ${row?.state})`,
        );
      if (performance.now() - t0 > maxMs) {
        report(n, samples, progress, since(), workerCount);
        throw new Error(
          `the task had not ended after --max-minutes=${maxMs / 60_000} (${done} of ${n} records done, task ${row?.state})`,
        );
      }
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const total = since();
    writeFileSync(csvPath, csv(samples, workerCount));
    const counts = await progressCounts(tdb.db, task.taskId);
    report(n, samples, progress, total, workerCount);
    const groups = (await errorGroups(tdb.db, task.taskId)).map((g) => g.split('|'));
    groups.sort((a, b) => Number(b.at(-1)) - Number(a.at(-1)));
    console.log(
      `error groups (${groups.length}), largest: ${groups
        .slice(0, 6)
        .map((g) => `${g[0]} ${g[1]} ×${g.at(-1)} "${g.slice(2, -1).join('|').slice(0, 90)}"`)
        .join('; ')}`,
    );
    console.log(
      `task ${row!.state}${row!.reason ? ` (${row!.reason})` : ''}: ${row!.terminalCount} of ${n} records terminal (expected total ${row!.expectedTotal})`,
    );
    console.log(
      `per step (success/warn/fail/cancelled): ${Object.entries(counts)
        .map(([k, c]) => `${k} ${c.success}/${c.warn}/${c.fail}/${c.cancelled}`)
        .join(', ')}`,
    );
    console.log(`samples (every ${SAMPLE_MS / 1000} s): ${csvPath}`);
    if (traceGc) workers.forEach((w, i) => console.log(`worker ${i + 1} ${gcSummary(w.output())}`));
    if (row!.state !== 'completed' || row!.terminalCount !== n)
      failure = `task ${row!.state} with ${row!.terminalCount} of ${n} records terminal`;
    else if (died) failure = died;
  } catch (err) {
    failure = (err as Error).message;
    if (samples.length) {
      writeFileSync(csvPath, csv(samples, workerCount));
      console.log(`samples so far: ${csvPath}`);
    }
  } finally {
    stopping = true;
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await client.close();
    await tdb.drop();
    await servers.close();
    await deleteRunTopics(brokers, name).catch((err: unknown) =>
      console.error(`could not delete topics ${name}.*: ${(err as Error).message}`),
    );
    rmSync(dir, { recursive: true, force: true });
  }
  if (failure) {
    console.error(`SOAK FAILED: ${failure}`);
    process.exit(1);
  }
}

/**
 * Per isolate in `--trace-gc` output: full collections and the heap in use after them (MB), median of
 * the first and of the last quarter of them, and the largest.
 */
function gcSummary(output: string): string {
  const byIsolate = new Map<string, number[]>();
  for (const m of output.matchAll(/\[\d+:(0x[0-9a-f]+)\][^\n]*?Mark-Compact[^\n]*? -> ([\d.]+) \(/g)) {
    byIsolate.set(m[1]!, [...(byIsolate.get(m[1]!) ?? []), Number(m[2])]);
  }
  const parts = [...byIsolate.values()]
    .sort((a, b) => b.length - a.length)
    .map((xs) => {
      const q = Math.max(1, Math.floor(xs.length / 4));
      return `${xs.length} full GCs, heap after: first quarter ${median(xs.slice(0, q)).toFixed(0)} MB, last quarter ${median(xs.slice(-q)).toFixed(0)} MB, max ${Math.max(...xs).toFixed(0)} MB`;
    });
  return `V8 isolates (${parts.length}, most collected first): ${parts.join('; ')}`;
}

function report(
  n: number,
  samples: Sample[],
  progress: Array<{ t: number; done: number }>,
  total: number,
  workerCount: number,
): void {
  const steadyFrom = Math.round(n / 10);
  const at = (x: number) => samples.find((s) => s.done >= x);
  console.log(
    `\ntotal ${total.toFixed(0)} s, ${(n / total).toFixed(1)} records/s; load average (1 min) during the run: median ${median(samples.map((s) => s.load1)).toFixed(1)}, min ${Math.min(...samples.map((s) => s.load1)).toFixed(1)}, max ${Math.max(...samples.map((s) => s.load1)).toFixed(1)}`,
  );
  const t10 = crossing(progress, n / 10);
  const t90 = crossing(progress, (9 * n) / 10);
  const tEnd = crossing(progress, n);
  const rate = (a: number, b: number) => (b - a ? ((n / 10) * 1) / (b - a) : NaN).toFixed(1);
  console.log(
    `records/s: first 10% ${rate(0, t10)} (0 → ${t10.toFixed(0)} s from submission, start-up included), 10% → 90% ${((8 * n) / 10 / (t90 - t10)).toFixed(1)}, ` +
      `last 10% ${rate(t90, tEnd)} (${t90.toFixed(0)} → ${tEnd.toFixed(0)} s); last 10% / first 10%: ${(t10 / (tEnd - t90)).toFixed(2)}`,
  );
  for (let w = 0; w < workerCount; w++) {
    const rss = [10_000, 100_000, n]
      .filter((x, i, a) => x <= n && a.indexOf(x) === i)
      .map((x) => {
        const s = at(x);
        return s ? `${s.workers[w]!.rssMb.toFixed(0)} MB at ${x} (sample at ${s.done})` : `– at ${x}`;
      });
    const col = (f: (x: WorkerSample) => number) => samples.map((s) => f(s.workers[w]!));
    console.log(
      `worker ${w + 1}: RSS ${rss.join(', ')}; peak sampled ${Math.max(...col((x) => x.rssMb)).toFixed(0)} MB`,
    );
    console.log(
      `  RSS slope after the first 10% (${steadyFrom}–${n} records): ${slopeLine(samples, w, steadyFrom, n)}`,
    );
    if (n >= 100_000) console.log(`  RSS slope 10,000 → 100,000 records: ${slopeLine(samples, w, 10_000, 100_000)}`);
    console.log(
      `  open file descriptors min/max ${Math.min(...col((x) => x.fds))}/${Math.max(...col((x) => x.fds))}, PostgreSQL connections min/max ${Math.min(...col((x) => x.dbConns))}/${Math.max(...col((x) => x.dbConns))}, CPU ${(samples.at(-1)!.workers[w]!.cpuS - samples[0]!.workers[w]!.cpuS).toFixed(0)} s`,
    );
  }
  const conns = samples.map((s) => s.dbConnsTotal);
  console.log(
    `PostgreSQL connections to the run's database, all clients (workers + this benchmark): min/max ${Math.min(...conns)}/${Math.max(...conns)}`,
  );
}
