/**
 * Politeness holds for every kind of request to a host (issue #11 item 5): a real HTTP server on
 * 127.0.0.1 counts the requests it is serving at once, for media fetches, link checks and archive
 * downloads made through the pipeline's ports (the runtime's HostLimiter as their gate), and for two
 * "workers" (two limiters, each with its own database session) sharing one host's slots in the real
 * PostgreSQL server. Each request is held by the server for a while, so an unlimited client would
 * show more than the limit at once (the ungated control run shows it does). The shared slots: a
 * killed session's slots come back, a worker keeping a host busy does so with a few statements (a
 * lease, not a take and a free per request) yet leaves a waiting worker its turn, and a request
 * waits for an unreachable database only for its budget.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HostLimiter } from '../../src/pipeline/host-limiter.ts';
import { LEASE_MS, PgHostSlots } from '../../src/pipeline/host-slots.ts';
import { createMetisPorts, defaultMetisConfig, type MetisPortsHandle } from '../../src/pipeline/ports/create-metis-ports.ts';
import { createSafeFetcher } from '../../src/steps/http/safe-fetch.ts';
import { connectPg, openPglite, type Db, type DbSession } from '../../src/store/db.ts';
import type { TaskRow } from '../../src/store/pipeline-store.ts';
import { buildRecord } from '../tiers/edm-builder.ts';
import { buildZip } from '../support/zip-writer.ts';
import { requirePostgres } from '../support/services.ts';
import { createTestDatabase, type TestDatabase } from '../support/pg.ts';

const task = { taskId: 'host-limits', datasetId: '12', spec: { params: {} } } as unknown as TaskRow;
const HOLD_MS = 60;

/** Counts requests in progress (from arrival until the response is closed), per kind (first path segment). */
async function startCountingServer(zip: Buffer) {
  const now = new Map<string, number>();
  const peak = new Map<string, number>();
  const served = new Map<string, number>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const kind = (req.url ?? '/').split('/')[1];
    now.set(kind, (now.get(kind) ?? 0) + 1);
    peak.set(kind, Math.max(peak.get(kind) ?? 0, now.get(kind)!));
    served.set(kind, (served.get(kind) ?? 0) + 1);
    res.once('close', () => now.set(kind, now.get(kind)! - 1));
    setTimeout(() => {
      if (kind === 'archive') {
        res.writeHead(200, { 'content-type': 'application/zip', 'content-length': zip.length });
        res.end(zip);
      } else {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('not an image');
      }
    }, HOLD_MS);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    peak: (kind: string) => peak.get(kind) ?? 0,
    served: (kind: string) => served.get(kind) ?? 0,
    reset() {
      peak.clear();
      served.clear();
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

const LIMIT = 3;

describe('every request to a host goes through its limit', () => {
  let server: Awaited<ReturnType<typeof startCountingServer>>;
  let db: Db;
  let ports: MetisPortsHandle;
  let dir: string;
  before(async () => {
    server = await startCountingServer(
      await buildZip([
        { name: 'a.xml', data: Buffer.from(buildRecord({ type: 'TEXT' }, '/12/a')) },
        { name: 'b.xml', data: Buffer.from(buildRecord({ type: 'TEXT' }, '/12/b')) },
      ]),
    );
    dir = mkdtempSync(join(tmpdir(), 'host-limits-'));
    db = await openPglite();
    ports = await createMetisPorts(
      defaultMetisConfig({ db, cacheDir: join(dir, 'c'), thumbnailDir: join(dir, 't'), allowLoopback: true, threads: 0 }),
    );
    ports.ports.gateRequests!(new HostLimiter({ maxConcurrent: LIMIT, ratePerSecond: 10_000 }).gate);
  });
  after(async () => {
    await ports.close();
    await db.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const records = (kind: string, n: number, links: number) =>
    Array.from({ length: n }, (_, i) => ({
      recordId: `/12/${kind}${i}`,
      content: buildRecord(
        {
          type: 'IMAGE',
          isShownAt: `${server.base}/${kind}/${i}/landing`,
          hasView: Array.from({ length: links }, (_, j) => `${server.base}/${kind}/${i}/${j}.jpg`),
        },
        `/12/${kind}${i}`,
      ),
    }));

  it('media: 4 records of 8 resources at once, at most the limit in progress', async () => {
    const media = await ports.ports.steps.forTask(task, 'media');
    const outcomes = await Promise.all(records('media', 4, 8).map((r) => media(r)));
    assert.equal(outcomes.length, 4);
    assert.ok(server.served('media') >= 32, `every resource was requested (${server.served('media')})`);
    assert.ok(server.peak('media') <= LIMIT, `peak ${server.peak('media')} > ${LIMIT}`);
    assert.equal(server.peak('media'), LIMIT, 'the limit was used');
  });

  it('link check: 4 records of 9 links at once, at most the limit in progress (ungated: more)', async () => {
    const check = await ports.ports.steps.forTask(task, 'linkcheck');
    const outcomes = await Promise.all(records('links', 4, 8).map((r) => check(r)));
    for (const o of outcomes) assert.equal((o.data as { links: unknown[] }).links.length, 9);
    assert.equal(server.served('links'), 36);
    assert.ok(server.peak('links') <= LIMIT, `peak ${server.peak('links')} > ${LIMIT}`);
    assert.equal(server.peak('links'), LIMIT, 'the limit was used');
    // Control: the same links without a gate overlap beyond the limit at this server.
    const fetcher = createSafeFetcher({ allowLoopback: true });
    try {
      await Promise.all(
        Array.from({ length: 12 }, async (_, i) => (await fetcher.open(`${server.base}/ungated/${i}`)).discard()),
      );
    } finally {
      await fetcher.close();
    }
    assert.ok(server.peak('ungated') > LIMIT, `ungated peak ${server.peak('ungated')}`);
  });

  it('archive downloads: 6 harvests of one archive at once, at most the limit downloading', async () => {
    const walks = Array.from({ length: 6 }, async (_, i) => {
      const paths: string[] = [];
      for await (const e of ports.ports.archive.entries(`${server.base}/archive/${i}.zip`)) paths.push(e.path);
      return paths.sort();
    });
    for (const paths of await Promise.all(walks)) assert.deepEqual(paths, ['a.xml', 'b.xml']);
    assert.equal(server.served('archive'), 6);
    assert.ok(server.peak('archive') <= LIMIT, `peak ${server.peak('archive')} > ${LIMIT}`);
    assert.equal(server.peak('archive'), LIMIT, 'the limit was used');
  });
});

describe('workers share a host’s slots in PostgreSQL', () => {
  let server: Awaited<ReturnType<typeof startCountingServer>>;
  let tdb: TestDatabase;
  before(async () => {
    await requirePostgres();
    server = await startCountingServer(Buffer.alloc(0));
    tdb = await createTestDatabase('metis_host_slots');
  });
  after(async () => {
    await server.close();
    await tdb.drop();
  });

  /** Two workers, each with half the partitions: local turns ceil(3 × 0.5) = 2 each, 4 together. */
  async function twoWorkers(kind: string, shared: boolean) {
    const slots = shared ? [new PgHostSlots(tdb.db, 'test'), new PgHostSlots(tdb.db, 'test')] : [];
    const limiters = [0, 1].map((i) => new HostLimiter({ maxConcurrent: LIMIT, ratePerSecond: 10_000 }, {}, slots[i]));
    const fetchers = limiters.map((l) => createSafeFetcher({ allowLoopback: true, gate: l.gate }));
    for (const l of limiters) l.setShare(0.5);
    try {
      await Promise.all(
        fetchers.flatMap((f, w) =>
          Array.from({ length: 15 }, async (_, i) => (await f.open(`${server.base}/${kind}/${w}/${i}`)).discard()),
        ),
      );
    } finally {
      await Promise.all(fetchers.map((f) => f.close()));
      await Promise.all(slots.map((s) => s.close()));
    }
  }

  it('two workers never exceed the host’s limit together (divided shares would: 4 > 3)', async () => {
    await twoWorkers('shared', true);
    assert.equal(server.served('shared'), 30);
    assert.ok(server.peak('shared') <= LIMIT, `peak ${server.peak('shared')} > ${LIMIT}`);
    assert.equal(server.peak('shared'), LIMIT, 'the limit was used');
    // Control: the local turns alone (no shared slots) add up to more than the limit.
    await twoWorkers('divided', false);
    assert.ok(server.peak('divided') > LIMIT, `divided peak ${server.peak('divided')}`);
  });

  it('a worker’s slots come back when its session ends; a waiter takes one', async () => {
    const a = new PgHostSlots(tdb.db, 'ends');
    const b = new PgHostSlots(tdb.db, 'ends');
    try {
      const held = await Promise.all([0, 1].map(() => a.acquire('h', 2)));
      assert.equal(held.length, 2);
      let got = false;
      const waiting = b.acquire('h', 2).then((release) => {
        got = true;
        return release;
      });
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(got, false, 'both slots are held');
      held[0]();
      (await waiting)();
      assert.equal(got, true);
      // A crashed worker: its session ends with its slots held.
      await a.acquire('h', 2);
      await a.close();
      const both = await Promise.all([0, 1].map(() => b.acquire('h', 2)));
      assert.equal(both.length, 2);
      const aborted = new AbortController();
      const third = b.acquire('h', 2, aborted.signal);
      aborted.abort(new Error('stop waiting'));
      await assert.rejects(third);
    } finally {
      await a.close();
      await b.close();
    }
  });
  it('a killed session’s slots come back to the other worker; the killed worker gets a new session', async () => {
    const a = new PgHostSlots(tdb.db, 'killed');
    const b = new PgHostSlots(tdb.db, 'killed');
    try {
      const held = await Promise.all([0, 1].map(() => a.acquire('h', 2)));
      const pids = await advisoryHolders();
      assert.equal(pids.length, 1, 'one session holds the slots');
      let got = 0;
      const waiting = Promise.all([0, 1].map(() => b.acquire('h', 2).then((r) => (got++, r))));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(got, 0, 'both slots are held');
      await tdb.db.query('SELECT pg_terminate_backend($1)', [pids[0]]);
      const bHeld = await waiting;
      assert.equal(got, 2, 'both slots came back with the killed session');
      // The killed session's releases are void (they must not free b's slots).
      for (const r of held) r();
      let aGot = false;
      const aWaiting = a.acquire('h', 2).then((r) => ((aGot = true), r));
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(aGot, false, 'b still holds both slots');
      bHeld[0]();
      (await aWaiting)();
      bHeld[1]();
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('a worker keeping a host busy takes its slots a few times, not twice per request', async () => {
    const counted = countStatements(tdb.db);
    const slots = new PgHostSlots(counted.db, 'lease');
    const limiter = new HostLimiter({ maxConcurrent: 4, ratePerSecond: 1e9 }, {}, slots);
    const n = 400;
    let next = 0;
    const started = Date.now();
    try {
      await Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next++ < n) await limiter.run('h', () => new Promise((r) => setImmediate(r)));
        }),
      );
    } finally {
      await slots.close();
    }
    // Each of the 4 slots is taken (and freed) once per lease at most; the old way: 2 per request.
    const leases = 4 * (Math.ceil((Date.now() - started) / LEASE_MS) + 1);
    assert.ok(counted.statements() <= 2 * leases + 4, `${counted.statements()} statements for ${n} requests`);
    assert.ok(counted.statements() < n / 4, `${counted.statements()} statements for ${n} requests`);
  });

  it('a busy worker’s leases leave a waiting worker its turn', async () => {
    const a = new PgHostSlots(tdb.db, 'fair');
    const b = new PgHostSlots(tdb.db, 'fair');
    let stop = false;
    // Worker a: two callers, one slot, each request follows the previous one at once.
    const busy = Promise.all(
      [0, 1].map(async () => {
        while (!stop) {
          const release = await a.acquire('h', 1);
          await new Promise((r) => setTimeout(r, 2));
          release();
        }
      }),
    );
    try {
      await new Promise((r) => setTimeout(r, 100));
      const started = Date.now();
      for (let i = 0; i < 3; i++) {
        const deadline = AbortSignal.timeout(10_000);
        (await b.acquire('h', 1, deadline))();
      }
      // Before leases a free slot went to whichever worker polled first; now a lease ends, the
      // holder sees the waiter and yields: 3 turns for b within a few leases.
      assert.ok(Date.now() - started < 10_000);
    } finally {
      stop = true;
      await busy;
      await a.close();
      await b.close();
    }
  });

  it('waits for a slot held by others as long as it takes, for an unreachable database only its budget', async () => {
    // Refusing connections: a port nobody listens on.
    const gone = connectPg('postgres://postgres@127.0.0.1:1/none');
    const slots = new PgHostSlots(gone, 'outage', undefined, { outageBudgetMs: 500 });
    const started = Date.now();
    try {
      await assert.rejects(slots.acquire('h', 2), (err: { code?: string; message: string }) => {
        assert.equal(err.code, 'RETRY_BUDGET_SPENT', err.message);
        assert.match(err.message, /a slot for requests to h/);
        return true;
      });
      assert.ok(Date.now() - started >= 500, 'not before the budget');
    } finally {
      await slots.close();
      await gone.close();
    }
    // The database back within the budget: the request gets its slot.
    let refusals = 3;
    const flaky: Pick<Db, 'openSession'> = {
      openSession: () => (refusals-- > 0 ? gone.openSession!() : tdb.db.openSession!()),
    };
    const back = new PgHostSlots(flaky, 'outage', undefined, { outageBudgetMs: 60_000 });
    // Held by another worker for longer than the budget: still waited for.
    const holder = new PgHostSlots(tdb.db, 'outage', undefined, { outageBudgetMs: 200 });
    try {
      (await back.acquire('h', 1))();
      assert.ok(refusals < 0, 'the refused sessions were tried');
      const held = await holder.acquire('h', 1);
      const waiter = new PgHostSlots(tdb.db, 'outage', undefined, { outageBudgetMs: 200 });
      try {
        let got = false;
        const waiting = waiter.acquire('h', 1).then((r) => ((got = true), r));
        await new Promise((r) => setTimeout(r, 700));
        assert.equal(got, false);
        held();
        (await waiting)();
      } finally {
        await waiter.close();
      }
    } finally {
      await back.close();
      await holder.close();
    }
  });

  /** Backends of the test database holding advisory locks. */
  async function advisoryHolders(): Promise<number[]> {
    const r = await tdb.db.query<{ pid: number }>(
      `SELECT DISTINCT l.pid FROM pg_locks l JOIN pg_database d ON d.oid = l.database
        WHERE l.locktype = 'advisory' AND l.granted AND d.datname = current_database()`,
    );
    return r.rows.map((x) => x.pid);
  }
});

/** The database, with a count of the statements of its sessions. */
function countStatements(db: Db) {
  let statements = 0;
  const counted: Pick<Db, 'openSession'> = {
    async openSession(): Promise<DbSession> {
      const s = await db.openSession!();
      return {
        get broken() {
          return s.broken;
        },
        query<R>(text: string, params?: unknown[]) {
          statements++;
          return s.query<R>(text, params);
        },
        close: () => s.close(),
      };
    },
  };
  return { db: counted, statements: () => statements };
}
