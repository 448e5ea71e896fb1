/** `metis-streams records TASK_ID`: a task's records with their outcome per step and their tiers. */
import { listRecords } from '../../store/operator-queries.ts';
import { getTaskRow } from '../task-lookup.ts';
import type { CommandContext } from '../command-context.ts';
import { reading } from '../read-store.ts';
import { table } from '../table.ts';

const MARK = { success: 'ok', warn: 'warn', fail: 'FAIL', cancelled: 'cancel' } as const;

export default async function records(ctx: CommandContext): Promise<number> {
  const { config: c, positionals, stdout, stderr } = ctx;
  const taskId = positionals[0];
  return reading(ctx, async ({ db, where }) => {
    const task = await getTaskRow(db, taskId);
    if (!task) {
      stderr.write(`metis-streams records: no task ${taskId} in ${where}\n`);
      return 1;
    }
    const page = await listRecords(db, taskId, {
      limit: c.rows,
      ...(c.recordStatus && { status: c.recordStatus }),
      ...(c.step && { step: c.step }),
      ...(c.errorText && { error: c.errorText }),
    });
    if (c.json) {
      stdout.write(JSON.stringify(page, null, 2) + '\n');
      return 0;
    }
    if (page.items.length === 0) {
      stdout.write(`no records of task ${taskId} match\n`);
      return 0;
    }
    const rows = page.items.map((r) => [
      r.recordId,
      ...task.plan.map((s) => (r.steps[s] ? MARK[r.steps[s]] : '-')),
      r.contentTier === null ? '-' : `${r.contentTier}/${r.metadataTier}`,
    ]);
    stdout.write(table(['RECORD', ...task.plan, 'TIERS'], rows) + '\n');
    stdout.write(
      `(${page.items.length} of ${page.total}${page.total > page.items.length ? '; --rows N for more' : ''}; one record's journey: metis-streams record ID --task ${taskId})\n`,
    );
    return 0;
  });
}
