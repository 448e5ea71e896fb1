/**
 * `npm run bench host-slots [--n=400] [--hold-ms=0,5] [--reps=3] [--baseline=REV]`: what sharing a
 * host's concurrency slots in PostgreSQL (`host-slots.ts`) costs per request, next to the same
 * limiter without shared slots (in-process only, as in embedded mode) and next to `--baseline`'s
 * `host-limiter.ts` + `host-slots.ts` (default c990df6: one take and one free per request), all in
 * the same run on the real PostgreSQL server (`METIS_PG_URL`).
 *
 * Each configuration sends `n` requests to one host through 1 or 2 limiters ("workers", each with
 * its own database session and half of the partitions: `setShare(1 / workers)`), `concurrency`
 * callers per worker, host limit 4 (and 3, where the two workers' local turns, 2 + 2, exceed the
 * limit, so they contend for slots in the database). A request is a timer of `hold-ms` (0: the
 * limiter's own cost only). Printed per configuration, medians over `reps`: requests/s; the wait
 * for a grant (median and p99; at concurrency 1, what the limiter adds to a request when nothing
 * else waits); statements on the slots' sessions per request (round trips); CPU of their
 * PostgreSQL backends per request (from /proc, same machine: 10 ms ticks, so below ~25 µs at
 * n = 400 it shows 0); the peak of requests in progress over all workers, which must never exceed
 * the limit ("in-process only" has no shared slots: each worker alone holds the whole limit); and
 * the least-served worker's part of the requests. Each caller sends its next request as soon as
 * the previous one ends: the case where a worker keeps a host busy.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { connectPg, type Db, type DbSession } from '../src/store/db.ts';
import { HostLimiter as CurrentLimiter, type SharedSlots } from '../src/pipeline/host-limiter.ts';
import { PgHostSlots as CurrentSlots } from '../src/pipeline/host-slots.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLK_TCK = 100;

interface Limiter {
  setShare(share: number): void;
  acquire(urlOrHost: string, signal?: AbortSignal): Promise<() => void>;
}
interface Impl {
  name: string;
  limiter: (limit: number, slots?: SharedSlots) => Limiter;
  slots?: (db: Db, namespace: string) => SharedSlots;
}

function arg(args: string[], name: string): string | undefined {
  const a = args.find((x) => x === `--${name}` || x.startsWith(`--${name}=`));
  return a === undefined ? undefined : (a.split('=')[1] ?? '');
}

/** `rev`'s host-limiter.ts and host-slots.ts, their `../` imports pointed at this checkout. */
async function loadBaseline(rev: string, dir: string): Promise<Impl> {
  const pipeline = join(dir, 'pipeline');
  mkdirSync(pipeline, { recursive: true });
  for (const f of ['host-limiter.ts', 'host-slots.ts']) {
    const text = execFileSync('git', ['-C', ROOT, 'show', `${rev}:src/pipeline/${f}`], { encoding: 'utf8' });
    writeFileSync(join(pipeline, f), text.replaceAll("from '../", `from '${pathToFileURL(join(ROOT, 'src')).href}/`));
  }
  const lim = (await import(pathToFileURL(join(pipeline, 'host-limiter.ts')).href)) as { HostLimiter: typeof CurrentLimiter };
  const sl = (await import(pathToFileURL(join(pipeline, 'host-slots.ts')).href)) as { PgHostSlots: typeof CurrentSlots };
  return {
    name: `baseline ${rev}`,
    limiter: (limit, slots) => new lim.HostLimiter({ maxConcurrent: limit, ratePerSecond: 1e9 }, {}, slots),
    slots: (db, ns) => new sl.PgHostSlots(db, ns),
  };
}

/** A Db whose sessions count their statements and know their backend's pid. */
function countingDb(db: Db) {
  const sessions: Array<{ pid: number; statements: number }> = [];
  const wrapped: Db = {
    ...db,
    async openSession(): Promise<DbSession> {
      const s = await db.openSession!();
      const pid = (await s.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid;
      const entry = { pid, statements: 0 };
      sessions.push(entry);
      return {
        get broken() {
          return s.broken;
        },
        query<R>(text: string, params?: unknown[]) {
          entry.statements++;
          return s.query<R>(text, params);
        },
        close: () => s.close(),
      };
    },
  };
  const cpuMs = (pid: number) => {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
    } catch {
      return NaN;
    }
  };
  return { db: wrapped, sessions, cpuMs };
}

interface Result {
  rps: number;
  waitMedianMs: number;
  waitP99Ms: number;
  statementsPerRequest: number;
  dbCpuUsPerRequest: number;
  peak: number;
  /** The least-served worker's part of the requests (0.5: even between 2 workers). */
  minShare: number;
}

async function runOnce(
  impl: Impl | 'local',
  base: Db,
  cfg: { workers: number; concurrency: number; limit: number; n: number; holdMs: number },
  ns: string,
): Promise<Result> {
  const counting = countingDb(base);
  const slots = impl === 'local' ? [] : Array.from({ length: cfg.workers }, () => impl.slots!(counting.db, ns));
  const limiters = Array.from({ length: cfg.workers }, (_, i) =>
    impl === 'local'
      ? new CurrentLimiter({ maxConcurrent: cfg.limit, ratePerSecond: 1e9 })
      : impl.limiter(cfg.limit, slots[i]),
  );
  for (const l of limiters) l.setShare(1 / cfg.workers);
  const host = 'bench.example.org';
  // Open the sessions (and warm them) outside the timed part.
  for (const l of limiters) (await l.acquire(host))();
  await sleep(20);
  const statements0 = counting.sessions.reduce((a, s) => a + s.statements, 0);
  const cpu0 = counting.sessions.reduce((a, s) => a + counting.cpuMs(s.pid), 0);
  let next = 0;
  let now = 0;
  let peak = 0;
  const waits: number[] = [];
  const served = limiters.map(() => 0);
  const started = performance.now();
  await Promise.all(
    limiters.flatMap((l, w) =>
      Array.from({ length: cfg.concurrency }, async () => {
        while (next < cfg.n) {
          next++;
          const t0 = performance.now();
          const release = await l.acquire(host);
          waits.push(performance.now() - t0);
          served[w]++;
          peak = Math.max(peak, ++now);
          if (cfg.holdMs > 0) await sleep(cfg.holdMs);
          else await Promise.resolve();
          now--;
          release();
        }
      }),
    ),
  );
  const elapsed = performance.now() - started;
  // Let the last frees reach the database before counting.
  await sleep(50);
  const statements = counting.sessions.reduce((a, s) => a + s.statements, 0) - statements0;
  const cpu = counting.sessions.reduce((a, s) => a + counting.cpuMs(s.pid), 0) - cpu0;
  await Promise.all(slots.map((s) => s.close()));
  waits.sort((a, b) => a - b);
  return {
    rps: (cfg.n / elapsed) * 1000,
    waitMedianMs: waits[Math.floor(waits.length / 2)],
    waitP99Ms: waits[Math.min(waits.length - 1, Math.floor(waits.length * 0.99))],
    statementsPerRequest: statements / cfg.n,
    dbCpuUsPerRequest: (cpu * 1000) / cfg.n,
    peak,
    minShare: Math.min(...served) / cfg.n,
  };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

export default async function main(args: string[]): Promise<void> {
  const n = Number(arg(args, 'n') ?? 400);
  const holds = (arg(args, 'hold-ms') ?? '0,5').split(',').map(Number);
  const reps = Number(arg(args, 'reps') ?? 3);
  const rev = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', arg(args, 'baseline') ?? 'c990df6'], { encoding: 'utf8' }).trim();
  const dir = mkdtempSync(join(tmpdir(), 'metis-bench-slots-'));
  const db = connectPg(process.env.METIS_PG_URL ?? undefined, { max: 2 });
  const impls: Array<Impl | 'local'> = [
    'local',
    await loadBaseline(rev, dir),
    {
      name: 'current',
      limiter: (limit, slots) => new CurrentLimiter({ maxConcurrent: limit, ratePerSecond: 1e9 }, {}, slots),
      slots: (d, ns) => new CurrentSlots(d, ns),
    },
  ];
  const configs: Array<{ workers: number; concurrency: number; limit: number }> = [];
  for (const workers of [1, 2]) for (const concurrency of [1, 4, 16]) configs.push({ workers, concurrency, limit: 4 });
  configs.push({ workers: 2, concurrency: 16, limit: 3 });
  const load0 = loadavg()[0];
  console.log(
    `host slots: ${n} requests per configuration, medians of ${reps}; ${cpus().length} cores, load ${load0.toFixed(1)}, Node ${process.version}; baseline ${rev}`,
  );
  console.log('hold ms | workers × callers | limit | limiter | req/s | wait p50 / p99 ms | statements/req | DB CPU µs/req | peak | least-served worker');
  let run = 0;
  try {
    for (const holdMs of holds) {
      for (const cfg of configs) {
        const byImpl = new Map<string, Result[]>();
        for (let rep = 0; rep < reps; rep++) {
          // Alternate the order so no implementation always runs first.
          const order = rep % 2 ? [...impls].reverse() : impls;
          for (const impl of order) {
            const name = impl === 'local' ? 'in-process only' : impl.name;
            const r = await runOnce(impl, db, { ...cfg, n, holdMs }, `bench-${process.pid}-${run++}`);
            byImpl.set(name, [...(byImpl.get(name) ?? []), r]);
          }
        }
        for (const [name, rs] of byImpl) {
          const m = (f: (r: Result) => number) => median(rs.map(f));
          console.log(
            [
              holdMs,
              `${cfg.workers} × ${cfg.concurrency}`,
              cfg.limit,
              name,
              m((r) => r.rps).toFixed(0),
              `${m((r) => r.waitMedianMs).toFixed(3)} / ${m((r) => r.waitP99Ms).toFixed(3)}`,
              m((r) => r.statementsPerRequest).toFixed(2),
              m((r) => r.dbCpuUsPerRequest).toFixed(0),
              Math.max(...rs.map((r) => r.peak)) + (Math.max(...rs.map((r) => r.peak)) > cfg.limit && name !== 'in-process only' ? ' OVER THE LIMIT' : ''),
              cfg.workers > 1 ? `${(m((r) => r.minShare) * 100).toFixed(0)}%` : '–',
            ].join(' | '),
          );
        }
      }
    }
  } finally {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`load average at the end: ${loadavg()[0].toFixed(1)} (start ${load0.toFixed(1)})`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main(process.argv.slice(2));
