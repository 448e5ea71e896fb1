/** `metis-streams tasks`: tasks newest first, from PostgreSQL or (`--data-dir`) run's embedded database. */
import { listTasks } from '../../store/operator-queries.ts';
import type { CommandContext } from '../command-context.ts';
import { reading } from '../read-store.ts';
import { duration, table } from '../table.ts';

export default async function tasks(ctx: CommandContext): Promise<number> {
  const { config: c, stdout } = ctx;
  return reading(ctx, async ({ db, where }) => {
    const page = await listTasks(db, {
      limit: c.rows,
      ...(c.taskState && { states: [c.taskState] }),
      ...(c.taskDataset && { datasetId: c.taskDataset }),
    });
    if (c.json) {
      stdout.write(JSON.stringify(page, null, 2) + '\n');
      return 0;
    }
    if (page.items.length === 0) {
      stdout.write(`no tasks in ${where}\n`);
      return 0;
    }
    const rows = page.items.map((t) => [
      t.taskId,
      t.datasetId,
      t.state,
      t.spec.source.type,
      `${t.terminalCount}/${t.expectedTotal ?? '?'}`,
      new Date(t.createdAt).toISOString().replace(/\.\d+Z$/, 'Z'),
      duration(t.startedAt ?? t.createdAt, t.finishedAt),
      t.reason ?? '',
    ]);
    stdout.write(table(['TASK', 'DATASET', 'STATE', 'SOURCE', 'RECORDS', 'CREATED', 'TOOK', 'REASON'], rows) + '\n');
    if (page.total > page.items.length) stdout.write(`(${page.items.length} of ${page.total}; --rows N for more)\n`);
    return 0;
  });
}
