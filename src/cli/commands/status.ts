/**
 * `metis-streams status TASK_ID`: a task's progress, grouped errors and tiers, read from the store
 * only: from the PostgreSQL server (Kafka mode) or, with `--data-dir`, from the embedded database
 * `run` left there. It needs neither Kafka nor its client.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { connectPg, openPglite, type Db } from '../../store/db.ts';
import { PipelineStore } from '../../store/pipeline-store.ts';
import { PipelineService } from '../../pipeline/service.ts';
import type { CommandContext } from '../command-context.ts';
import { renderSummary } from '../progress.ts';

export default async function status({
  config: c,
  sources,
  positionals,
  stdout,
  stderr,
}: CommandContext): Promise<number> {
  const taskId = positionals[0];
  const embedded = sources.dataDir !== 'default';
  let db: Db;
  let where: string;
  if (embedded) {
    const dir = join(c.dataDir, 'pglite');
    // Opening a missing folder would create an empty database there.
    if (!existsSync(join(dir, 'PG_VERSION'))) {
      stderr.write(
        `metis-streams status: no embedded database in ${c.dataDir} (metis-streams run --data-dir ${c.dataDir} makes one)\n`,
      );
      return 1;
    }
    // PGlite serves one process: while a run has the database open (it writes postmaster.pid and
    // removes it on close), a second opener could corrupt it. A running `run` shows progress itself.
    if (existsSync(join(dir, 'postmaster.pid'))) {
      stderr.write(
        `metis-streams status: the embedded database in ${c.dataDir} is open in another process (a run still running?); ` +
          `if none is, a run stopped without closing it: remove ${join(dir, 'postmaster.pid')}\n`,
      );
      return 1;
    }
    db = await openPglite(dir);
    where = `PGlite database in ${dir}`;
  } else {
    db = connectPg(c.pgUrl, { max: 2 });
    where = `PostgreSQL ${c.pgUrl.replace(/\/\/[^@/]*@/, '//')}`;
  }
  try {
    const service = new PipelineService(new PipelineStore(db), { send: async () => {} });
    let s: Awaited<ReturnType<PipelineService['status']>>;
    try {
      s = await service.status(taskId);
    } catch (err) {
      const code = (err as { code?: string }).code;
      // 42P01: undefined table. Nothing was ever submitted there.
      if (code === '42P01') s = undefined;
      else if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === '3D000')
        throw new Error(
          `cannot read ${where} (${(err as Error).message}); for the embedded database of run, give --data-dir DIR`,
          { cause: err },
        );
      else throw err;
    }
    if (!s) {
      stderr.write(`metis-streams status: no task ${taskId} in ${where}\n`);
      return 1;
    }
    stdout.write(renderSummary(s, where) + '\n');
    return 0;
  } finally {
    await db.close();
  }
}
