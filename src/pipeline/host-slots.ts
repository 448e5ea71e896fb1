/**
 * A host's concurrency slots shared by every worker of a deployment, as PostgreSQL advisory locks:
 * slot `i` of host `h` is the session lock (key(namespace, h), i), i < limit. A worker holds one
 * database session (its own connection); a slot is held by that session while a request of the
 * worker uses it, so the requests in progress over all workers never exceed the limit, and the
 * database frees the slots of a worker whose session ends (a crashed or fenced worker; a zombie that
 * still runs keeps them, as it still sends requests).
 *
 * What a request costs (measured by `npm run bench host-slots`): a take and a free are one round
 * trip each on the session, whose statements run one at a time, so taking and freeing per request
 * capped a worker at ~700–1,000 requests/s and cost 150–300 µs of database CPU per request. Hence:
 * - **Lease.** A slot freed by a request is handed straight to the next request of this worker to
 *   the same host (none within `IDLE_MS`: it is freed), with no statement, for as long as the slot
 *   was taken from the database less than `LEASE_MS` ago; then it goes back to the database and is
 *   taken again like any other.
 * - **Batching.** One statement takes as many free slots as this worker has requests waiting.
 * - **Fairness.** A worker that finds no free slot marks the host as waited for (a shared lock on
 *   (key, -1), held while it has requests waiting); a worker giving a slot back at the end of its
 *   lease learns from the same statement whether another worker is waiting, and then takes no slot
 *   of that host for `YIELD_MS`, longer than a waiter's longest pause between tries, so the waiter
 *   gets it (leases would otherwise keep every slot with the busiest worker).
 * - A worker whose own requests hold every slot waits for them, not for the database.
 * Waiting workers still poll (20 ms, doubling to 200 ms, with jitter): PostgreSQL's notifications
 * would need the session's client, which `DbSession` does not expose.
 *
 * When the session breaks (a database restart), its locks are gone: requests in flight then no
 * longer count until they end, so during that moment the limit can be exceeded by what was in
 * flight (and a slot handed over before the client learns that its session was killed); a new
 * session is opened by the next try. A statement (or a connection) unanswered for 10 s gives the
 * session up. While the database cannot be reached, a request waits for at most `outageBudgetMs`
 * (default: the pipeline's retry budget, 5 min) of failed tries, then fails with RETRY_BUDGET_SPENT
 * (a task error) instead of waiting for ever; waiting for slots other workers hold has no bound.
 *
 * Session locks are re-entrant (the same session gets a lock it already holds again), so the slots
 * this session holds are excluded by the take, and all statements of the session run one at a time,
 * in order, so that list is exact.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db, DbSession } from '../store/db.ts';
import { once } from '../steps/http/request-gate.ts';
import { DEFAULT_PIPELINE_OPTIONS } from './context.ts';
import type { SharedSlots } from './host-limiter.ts';
import { budgetSpent } from './transient.ts';

const TAKE = `SELECT s FROM generate_series(0, $2::int - 1) AS s
  WHERE NOT (s = ANY($3::int[])) AND pg_try_advisory_lock($1::int, s) LIMIT $4`;
/** Frees a slot; `contended`: another session marks the host as waited for (its shared lock on (key, -1)). */
const FREE = `SELECT pg_advisory_unlock($1::int, $2::int) AS freed,
  CASE WHEN pg_try_advisory_lock($1::int, -1) THEN NOT pg_advisory_unlock($1::int, -1) ELSE true END AS contended`;
const MARK = 'SELECT pg_try_advisory_lock_shared($1::int, -1) AS marked';
const UNMARK = 'SELECT pg_advisory_unlock_shared($1::int, -1)';

/** How long a slot taken from the database serves this worker's requests before it goes back. */
export const LEASE_MS = 500;
/** How long a worker takes no slot of a host after giving one back to a waiting worker. */
export const YIELD_MS = 300;
/** How long a slot no request uses stays with this worker (the next request may follow at once). */
export const IDLE_MS = 10;
const MAX_POLL_MS = 200;
/** A statement of the session (or its connection) unanswered this long: the session is given up. */
const STATEMENT_TIMEOUT_MS = 10_000;

export interface HostSlotsOptions {
  /** How long a request waits for a slot while the database cannot be reached. Default: the retry budget (5 min). */
  outageBudgetMs?: number;
}

interface Slot {
  slot: number;
  epoch: number;
  takenAt: number;
}

interface Waiter {
  since: number;
  give(slot: Slot): void;
  fail(err: unknown): void;
}

interface HostState {
  host: string;
  key: number;
  limit: number;
  /** Slots this session holds (in use, idle or being freed): excluded from a take. */
  held: Set<number>;
  /** Slots no request uses, to be freed at the end of this turn unless a request takes them. */
  idle: Slot[];
  waiters: Waiter[];
  polling: boolean;
  marked: boolean;
  yieldUntil: number;
  /** Ends the poll loop's pause early (a slot of this worker came back). */
  wake?: () => void;
}

export class PgHostSlots implements SharedSlots {
  private session?: Promise<DbSession>;
  /** The open session, once connected: a lease is handed over only while it is not broken. */
  private live?: DbSession;
  /** Bumped when a session is replaced: the old one's slots and marks are void. */
  private epoch = 0;
  private readonly hosts = new Map<number, HostState>();
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;
  /** Since when every try to reach the database failed (undefined: the last one worked). */
  private failingSince?: number;
  private lastError: unknown;
  private readonly outageBudgetMs: number;

  constructor(
    private readonly db: Pick<Db, 'openSession'>,
    /** Keeps deployments (consumer groups) apart: each has its own slots. */
    private readonly namespace: string,
    private readonly logger?: Logger,
    options: HostSlotsOptions = {},
  ) {
    this.outageBudgetMs = options.outageBudgetMs ?? DEFAULT_PIPELINE_OPTIONS.retryBudgetMs;
  }

  acquire(host: string, limit: number, signal?: AbortSignal): Promise<() => void> {
    signal?.throwIfAborted();
    if (this.closed) return Promise.reject(new Error('host slots closed'));
    const key = lockKey(this.namespace, host);
    let s = this.hosts.get(key);
    if (!s) {
      s = { host, key, limit, held: new Set(), idle: [], waiters: [], polling: false, marked: false, yieldUntil: 0 };
      this.hosts.set(key, s);
    }
    s.limit = limit;
    const state = s;
    return new Promise<() => void>((resolve, reject) => {
      const onAbort = () => {
        const i = state.waiters.indexOf(waiter);
        if (i >= 0) state.waiters.splice(i, 1);
        reject(signal!.reason);
      };
      const waiter: Waiter = {
        since: Date.now(),
        give: (slot) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(once(() => this.release(state, slot)));
        },
        fail: (err) => {
          signal?.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      state.waiters.push(waiter);
      this.pump(state);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.hosts.values()) {
      for (const w of s.waiters.splice(0)) w.fail(new Error('host slots closed'));
      s.wake?.();
    }
    const session = this.session;
    this.session = undefined;
    await this.chain.catch(() => undefined);
    if (session) await (await session.catch(() => undefined))?.close();
  }

  /** A request ended: its slot goes to the next waiting request (lease still young) or back soon. */
  private release(s: HostState, slot: Slot): void {
    // The session that held it is gone, and its locks with it.
    if (!this.sessionAlive() || slot.epoch !== this.epoch) return;
    if (Date.now() - slot.takenAt >= LEASE_MS) {
      void this.free(s, slot);
      return;
    }
    s.idle.push(slot);
    this.pump(s);
    if (s.idle.includes(slot))
      setTimeout(() => {
        const i = s.idle.indexOf(slot);
        if (i < 0) return;
        s.idle.splice(i, 1);
        void this.free(s, slot);
      }, IDLE_MS);
  }

  /** Serves waiting requests from idle slots of a young lease; starts the poll loop for the rest. */
  private pump(s: HostState): void {
    const now = Date.now();
    this.sessionAlive();
    while (s.waiters.length > 0 && s.idle.length > 0) {
      const slot = s.idle.shift()!;
      if (slot.epoch !== this.epoch) continue;
      if (now - slot.takenAt >= LEASE_MS) {
        void this.free(s, slot);
        continue;
      }
      s.waiters.shift()!.give(slot);
    }
    if (s.waiters.length > 0 && !s.polling) {
      s.polling = true;
      void this.poll(s).finally(() => {
        s.polling = false;
        if (s.waiters.length > 0 && !this.closed) this.pump(s);
      });
    }
  }

  /** Takes slots from the database for the waiting requests, pausing while none is free. */
  private async poll(s: HostState): Promise<void> {
    for (let attempt = 0; s.waiters.length > 0 && !this.closed; ) {
      let pauseMs: number;
      const now = Date.now();
      if (now < s.yieldUntil) {
        pauseMs = s.yieldUntil - now;
      } else if (s.held.size >= s.limit) {
        // Every slot is this worker's: one comes back when a request ends (`wake`).
        pauseMs = MAX_POLL_MS;
      } else {
        let got: Slot[] | undefined;
        try {
          got = await this.serial(async () => {
            const session = await this.open();
            const epoch = this.epoch;
            const want = Math.min(s.waiters.length, s.limit - s.held.size);
            if (want <= 0) return [];
            const r = await session.query<{ s: number }>(TAKE, [s.key, s.limit, [...s.held], want]);
            // Given up meanwhile (no answer in time): the locks go with that session when it closes.
            if (epoch !== this.epoch) return [];
            const takenAt = Date.now();
            for (const row of r.rows) s.held.add(row.s);
            return r.rows.map((row) => ({ slot: row.s, epoch: this.epoch, takenAt }));
          });
          this.failingSince = undefined;
        } catch (err) {
          this.drop(err);
          this.failingSince ??= now;
          this.lastError = err;
          this.failWaitersPastBudget(s);
        }
        for (const slot of got ?? []) {
          const w = s.waiters.shift();
          if (w) w.give(slot);
          else this.release(s, slot);
        }
        if (s.waiters.length === 0) break;
        if (got && got.length > 0) {
          attempt = 0;
          continue;
        }
        if (got && !s.marked) await this.mark(s);
        const ms = Math.min(this.failingSince !== undefined ? 1000 : MAX_POLL_MS, 20 * 2 ** Math.min(attempt++, 4));
        pauseMs = ms / 2 + Math.random() * (ms / 2);
      }
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          if (s.wake === done) s.wake = undefined;
          resolve();
        };
        const timer = setTimeout(done, pauseMs);
        s.wake = done;
      });
    }
    if (s.marked && s.waiters.length === 0) await this.unmark(s);
  }

  private failWaitersPastBudget(s: HostState): void {
    const now = Date.now();
    const since = this.failingSince ?? now;
    const spent = s.waiters.filter((w) => now - Math.max(w.since, since) >= this.outageBudgetMs);
    if (spent.length === 0) return;
    s.waiters = s.waiters.filter((w) => !spent.includes(w));
    const err = budgetSpent(`a slot for requests to ${s.host} (database unreachable)`, this.outageBudgetMs, this.lastError);
    for (const w of spent) w.fail(err);
  }

  private mark(s: HostState): Promise<void> {
    return this.serial(async () => {
      const session = await this.open();
      const epoch = this.epoch;
      const r = await session.query<{ marked: boolean }>(MARK, [s.key]);
      if (epoch === this.epoch) s.marked = r.rows[0].marked;
    }).catch((err: unknown) => this.drop(err));
  }

  private unmark(s: HostState): Promise<void> {
    const epoch = this.epoch;
    return this.serial(async () => {
      if (!s.marked || epoch !== this.epoch || !this.session || s.waiters.length > 0) return;
      await (await this.session).query(UNMARK, [s.key]);
      s.marked = false;
    }).catch((err: unknown) => this.drop(err));
  }

  /** Gives a slot back to the database; a waiting worker elsewhere makes this one yield the host. */
  private free(s: HostState, slot: Slot): Promise<void> {
    return this.serial(async () => {
      if (slot.epoch !== this.epoch || !this.session) return;
      const session = await this.session;
      const r = await session.query<{ contended: boolean }>(FREE, [s.key, slot.slot]);
      if (slot.epoch !== this.epoch) return; // the slot number may be held again in a new session
      s.held.delete(slot.slot);
      if (r.rows[0].contended) s.yieldUntil = Date.now() + YIELD_MS;
      s.wake?.();
    }).catch((err: unknown) => this.drop(err));
  }

  private open(): Promise<DbSession> {
    if (this.session) {
      const current = this.session;
      return current.then((s) => {
        if (!s.broken) return s;
        this.replace();
        return this.open();
      });
    }
    if (!this.db.openSession) throw new Error('shared host slots need a PostgreSQL server');
    const opening = this.db.openSession();
    this.session = opening;
    opening.then(
      (s) => {
        if (this.session === opening) this.live = s;
      },
      () => {
        if (this.session === opening) this.replace();
      },
    );
    return opening;
  }

  /** The session is gone (or unusable): its locks went with it. */
  private replace(): void {
    const old = this.session;
    this.session = undefined;
    this.live = undefined;
    this.epoch++;
    for (const s of this.hosts.values()) {
      s.held.clear();
      s.idle = [];
      s.marked = false;
    }
    void old?.then((s) => s.close()).catch(() => undefined);
  }

  /**
   * False (and the session replaced) when the client knows its session broke: its locks are gone,
   * so the slots it held must not be handed over. A session killed but not yet known to be is the
   * moment of a database restart described above.
   */
  private sessionAlive(): boolean {
    if (!this.live?.broken) return true;
    this.replace();
    return false;
  }

  private drop(err: unknown): void {
    if (this.failingSince === undefined)
      this.logger?.warn({ err }, 'host slots: database session failed; a new one is opened on the next try');
    this.replace();
  }

  /** Runs `fn` after the session's earlier statements; one that hangs fails after STATEMENT_TIMEOUT_MS. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = () =>
      new Promise<T>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`host slots: no answer from the database within ${STATEMENT_TIMEOUT_MS} ms`)),
          STATEMENT_TIMEOUT_MS,
        );
        fn().then(resolve, reject).finally(() => clearTimeout(timer));
      });
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** A host's lock key: 32 bits of a hash of the namespace and the host (a collision only shares slots). */
export function lockKey(namespace: string, host: string): number {
  return createHash('sha256').update(`${namespace}\u0000${host}`).digest().readInt32BE(0);
}
