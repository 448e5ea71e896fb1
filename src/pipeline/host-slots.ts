/**
 * A host's concurrency slots shared by every worker of a deployment, as PostgreSQL advisory locks:
 * slot `i` of host `h` is the session lock (key(namespace, h), i), i < limit. A worker holds one
 * database session (its own connection) and takes a free slot with one statement that tries the
 * slots in turn (`pg_try_advisory_lock`, stopped at the first success by LIMIT 1). All the slots
 * free: it waits and tries again (20 ms, doubling to 250 ms, with jitter).
 *
 * Why locks in the database: the workers already share it, a slot is freed by the database when the
 * session of the worker holding it ends (a crashed or fenced worker's slots come back; a zombie that
 * still runs keeps them, as it still sends requests), and no request starts above the limit whatever
 * the partition assignment. Costs: two round trips per request (take, free) on one connection.
 * When the session breaks (a database restart), its locks are gone: requests in flight then no longer
 * count until they end, so during that moment the limit can be exceeded by what was in flight; a new
 * session is opened on the next request, and while the database is unreachable requests wait.
 *
 * Session locks are re-entrant (the same session gets a lock it already holds again), so the slots
 * this session holds are excluded by the statement, and all statements of the session run one at a
 * time, in order, so that list is exact.
 */
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Db, DbSession } from '../store/db.ts';
import { once } from '../steps/http/request-gate.ts';
import type { SharedSlots } from './host-limiter.ts';

const TAKE = `SELECT s FROM generate_series(0, $2::int - 1) AS s
  WHERE NOT (s = ANY($3::int[])) AND pg_try_advisory_lock($1::int, s) LIMIT 1`;
const FREE = 'SELECT pg_advisory_unlock($1::int, $2::int)';

export class PgHostSlots implements SharedSlots {
  private session?: Promise<DbSession>;
  /** Bumped when a session is replaced: releases of the old one's slots are void. */
  private epoch = 0;
  private readonly held = new Map<number, Set<number>>();
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly db: Pick<Db, 'openSession'>,
    /** Keeps deployments (consumer groups) apart: each has its own slots. */
    private readonly namespace: string,
    private readonly logger?: Logger,
  ) {}

  async acquire(host: string, limit: number, signal?: AbortSignal): Promise<() => void> {
    const key = lockKey(this.namespace, host);
    for (let attempt = 0; ; attempt++) {
      signal?.throwIfAborted();
      if (this.closed) throw new Error('host slots closed');
      let taken: { slot: number; epoch: number } | undefined;
      try {
        taken = await this.serial(async () => {
          const session = await this.open();
          const held = this.held.get(key) ?? new Set<number>();
          const r = await session.query<{ s: number }>(TAKE, [key, limit, [...held]]);
          if (r.rows.length === 0) return undefined;
          held.add(r.rows[0].s);
          this.held.set(key, held);
          return { slot: r.rows[0].s, epoch: this.epoch };
        });
      } catch (err) {
        this.drop(err);
      }
      if (taken) {
        const release = once(() => void this.free(key, taken.slot, taken.epoch));
        if (signal?.aborted) {
          release();
          signal.throwIfAborted();
        }
        return release;
      }
      const ms = Math.min(250, 20 * 2 ** Math.min(attempt, 4));
      await sleep(ms / 2 + Math.random() * (ms / 2), undefined, { signal });
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    const session = this.session;
    this.session = undefined;
    await this.chain.catch(() => undefined);
    if (session) await (await session.catch(() => undefined))?.close();
  }

  private free(key: number, slot: number, epoch: number): Promise<void> {
    return this.serial(async () => {
      if (epoch !== this.epoch || !this.session) return;
      const session = await this.session;
      await session.query(FREE, [key, slot]);
      this.held.get(key)?.delete(slot);
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
    opening.catch(() => {
      if (this.session === opening) this.replace();
    });
    return opening;
  }

  /** The session is gone (or unusable): its locks went with it. */
  private replace(): void {
    const old = this.session;
    this.session = undefined;
    this.epoch++;
    this.held.clear();
    void old?.then((s) => s.close()).catch(() => undefined);
  }

  private drop(err: unknown): void {
    this.logger?.warn({ err }, 'host slots: database session failed; a new one is opened on the next request');
    this.replace();
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.chain.then(fn, fn);
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** A host's lock key: 32 bits of a hash of the namespace and the host (a collision only shares slots). */
export function lockKey(namespace: string, host: string): number {
  return createHash('sha256').update(`${namespace}\u0000${host}`).digest().readInt32BE(0);
}
