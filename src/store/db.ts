/**
 * One small SQL seam over two engines: a PostgreSQL server through `pg` (Kafka mode) and PGlite
 * (PostgreSQL compiled to WebAssembly, in-process: the embedded default). The same SQL runs on
 * both; everything else in `src/store` is written against `Db` only.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';
import { errors } from '../errors/index.ts';

export interface QueryResult<R> {
  rows: R[];
  rowCount: number;
}

export interface Queryable {
  /** Runs one parameterized statement ($1, $2, ...). */
  query<R = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<R>>;
}

export interface Db extends Queryable {
  readonly kind: 'pg' | 'pglite';
  /** Runs several statements separated by `;` (no parameters): migrations. */
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction: committed if it resolves, rolled back if it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * A connection of its own, outside the pool, for state that lives as long as a session (advisory
   * locks). PostgreSQL only. `broken` tells when the server dropped it: its session state is gone.
   */
  openSession?(): Promise<DbSession>;
}

export interface DbSession extends Queryable {
  readonly broken: boolean;
  close(): Promise<void>;
}

export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/metis_streams';

/** Connects to a PostgreSQL server (`url` defaults to the local server; the CLI passes METIS_PG_URL). */
export function connectPg(url: string = DEFAULT_PG_URL, opts: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  // A dropped idle connection must not crash the process; the next query gets a fresh one.
  pool.on('error', () => {});
  let closed: Promise<void> | undefined;
  return {
    kind: 'pg',
    async query<R>(text: string, params?: unknown[]) {
      const r = await pool.query(text, params as unknown[]);
      return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      const client = await pool.connect();
      // A connection the server drops while checked out emits 'error' on the client, which nobody
      // else listens to while it is not idle: without this the process dies (the query still rejects).
      const ignore = () => {};
      client.on('error', ignore);
      let broken: Error | undefined;
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          async query<R>(text: string, params?: unknown[]) {
            const r = await client.query(text, params as unknown[]);
            return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
          },
        };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        // A connection that cannot even roll back is broken: destroyed, not handed to the next caller.
        await client.query('ROLLBACK').catch((e: Error) => (broken = e));
        throw err;
      } finally {
        client.removeListener('error', ignore);
        client.release(broken);
      }
    },
    close() {
      closed ??= pool.end();
      return closed;
    },
    async openSession() {
      const client = new pg.Client({ connectionString: url });
      let broken = false;
      client.on('error', () => (broken = true));
      client.on('end', () => (broken = true));
      await client.connect();
      return {
        get broken() {
          return broken;
        },
        async query<R>(text: string, params?: unknown[]) {
          const r = await client.query(text, params as unknown[]);
          return { rows: r.rows as R[], rowCount: r.rowCount ?? 0 };
        },
        close: () => client.end().catch(() => undefined),
      };
    },
  };
}

/**
 * Opens an in-process PGlite database: in memory, or persisted in `dataDir`.
 *
 * In memory, durability is relaxed (no fsync, asynchronous commit). A persisted database also holds
 * earlier runs and the published index, so it stays crash-safe: fsync and full-page writes on; only
 * `synchronous_commit=off`, which may lose the last commits before a crash but never corrupts (the
 * embedded runtime's log is in memory: a crashed run is submitted again anyway).
 *
 * A persisted database is used by one process at a time (PGlite is single-process; a second one
 * writing the same folder loses the first one's data): `<dataDir>.lock` holds the owner's pid, and
 * opening it while that process lives fails with DATA_DIR_IN_USE. A lock left by a dead process is
 * taken over.
 */
export async function openPglite(dataDir?: string): Promise<Db> {
  const unlock = dataDir ? lockDataDir(dataDir) : undefined;
  let db: PGlite;
  try {
    db = new PGlite({
      dataDir,
      relaxedDurability: !dataDir,
      postgresqlconf: dataDir
        ? ['synchronous_commit=off']
        : ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'],
    });
    await db.waitReady;
  } catch (err) {
    unlock?.();
    throw err;
  }
  let closed: Promise<void> | undefined;
  const wrap = (q: { query: PGlite['query'] }): Queryable => ({
    async query<R>(text: string, params?: unknown[]) {
      const r = await q.query<R>(text, params);
      return { rows: r.rows, rowCount: r.affectedRows ?? r.rows.length };
    },
  });
  return {
    kind: 'pglite',
    ...wrap(db),
    async exec(sql: string) {
      await db.exec(sql);
    },
    transaction<T>(fn: (tx: Queryable) => Promise<T>) {
      return db.transaction((tx) => fn(wrap(tx)));
    },
    close() {
      closed ??= db.close().finally(() => unlock?.());
      return closed;
    },
  };
}

/** Takes `<dataDir>.lock` for this process (see openPglite); returns its release. */
function lockDataDir(dataDir: string): () => void {
  const lock = `${dataDir.replace(/[\\/]+$/, '')}.lock`;
  mkdirSync(dirname(lock), { recursive: true });
  const mine = String(process.pid);
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, mine, { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const owner = Number(readFileSync(lock, 'utf8').trim());
      // This process already holds it (an earlier handle): allowed, it is still one process.
      if (owner === process.pid) return () => {};
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) throw errors.DATA_DIR_IN_USE({ dir: dataDir, pid: owner });
      unlinkSync(lock); // left by a process that is gone
    }
  }
  return () => {
    try {
      if (readFileSync(lock, 'utf8').trim() === mine) unlinkSync(lock);
    } catch {
      // already gone
    }
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
