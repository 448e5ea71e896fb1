/**
 * The store a reading command (status, tasks, records, record, report) reads: the PostgreSQL server
 * (Kafka mode), or, when `--data-dir` (or METIS_DATA_DIR, or the config file) names one, the embedded
 * database `run` left there. Neither Kafka nor its client is needed.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connectPg, openPglite, type Db } from '../store/db.ts';
import type { CommandContext } from './command-context.ts';

export class ReadStoreError extends Error {}

export interface ReadStore {
  db: Db;
  /** Where it reads, for messages: `PGlite database in DIR` or `PostgreSQL postgres://host/db`. */
  where: string;
  embedded: boolean;
}

/** Opens the store; a missing or busy embedded database is a `ReadStoreError` saying what to do. */
export async function openReadStore({ config: c, sources, command }: CommandContext): Promise<ReadStore> {
  if (sources.dataDir !== 'default') {
    const dir = join(c.dataDir, 'pglite');
    // Opening a missing folder would create an empty database there.
    if (!existsSync(join(dir, 'PG_VERSION')))
      throw new ReadStoreError(
        `no embedded database in ${c.dataDir} (metis-streams run --data-dir ${c.dataDir} makes one)`,
      );
    // PGlite serves one process: while a run has the database open (it writes postmaster.pid and
    // removes it on close), a second opener could corrupt it. A running `run` shows progress itself.
    if (existsSync(join(dir, 'postmaster.pid')))
      throw new ReadStoreError(
        `the embedded database in ${c.dataDir} is open in another process (a run still running?); ` +
          `if none is, a run stopped without closing it: remove ${join(dir, 'postmaster.pid')}` +
          (command === 'status' ? '' : ' (metis-streams serve --data-dir reads it while it runs tasks)'),
      );
    return { db: await openPglite(dir), where: `PGlite database in ${dir}`, embedded: true };
  }
  return {
    db: connectPg(c.pgUrl, { max: 2 }),
    where: `PostgreSQL ${c.pgUrl.replace(/\/\/[^@/]*@/, '//')}`,
    embedded: false,
  };
}

/**
 * Runs `fn` on the store and closes it. A database that cannot be reached, or holds no tasks table, is
 * an error saying where it looked (and, for PostgreSQL, that --data-dir reads run's embedded database).
 */
export async function withReadStore<T>(ctx: CommandContext, fn: (store: ReadStore) => Promise<T>): Promise<T> {
  const store = await openReadStore(ctx);
  try {
    return await fn(store);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '3D000')
      throw new ReadStoreError(
        `cannot read ${store.where} (${(err as Error).message}); for the embedded database of run, give --data-dir DIR`,
        { cause: err },
      );
    // 42P01: undefined table. Nothing was ever submitted there.
    if (code === '42P01') throw new ReadStoreError(`no tasks in ${store.where} (nothing was ever run there)`);
    throw err;
  } finally {
    await store.db.close();
  }
}

/**
 * A reading command's body on the store: a store that cannot be read (missing, busy, unreachable, empty)
 * is one line on stderr naming the command, and exit code 1.
 */
export async function reading(ctx: CommandContext, fn: (store: ReadStore) => Promise<number>): Promise<number> {
  try {
    return await withReadStore(ctx, fn);
  } catch (err) {
    if (!(err instanceof ReadStoreError)) throw err;
    ctx.stderr.write(`metis-streams ${ctx.command}: ${err.message}\n`);
    return 1;
  }
}
