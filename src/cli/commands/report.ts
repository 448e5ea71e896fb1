/**
 * `metis-streams report TASK_ID`: a task's full report: the summary, then every error group (by cause
 * and host), tiers and problem patterns. `--csv`: every exact group as CSV (step, level, message,
 * count, sample ids), as Metis's error report downloads; `--json`: groups, tiers and patterns as JSON.
 */
import { errorGroups, errorReportCsv, tierSummary } from '../../store/operator-queries.ts';
import { PipelineService } from '../../pipeline/service.ts';
import { PipelineStore } from '../../store/pipeline-store.ts';
import { taskProblemPatterns } from '../../pipeline/problem-patterns.ts';
import type { CommandContext } from '../command-context.ts';
import { groupByCause } from '../error-groups.ts';
import { renderSummary } from '../progress.ts';
import { reading } from '../read-store.ts';
import { summaryFacts } from '../summary-facts.ts';

export default async function report(ctx: CommandContext): Promise<number> {
  const { config: c, positionals, stdout, stderr } = ctx;
  const taskId = positionals[0];
  return reading(ctx, async ({ db, where }) => {
    const service = new PipelineService(new PipelineStore(db), { send: async () => {} });
    const s = await service.status(taskId);
    if (!s) {
      stderr.write(`metis-streams report: no task ${taskId} in ${where}\n`);
      return 1;
    }
    const filter = c.step ? { step: c.step } : {};
    if (c.csv) {
      stdout.write(await errorReportCsv(db, taskId, filter));
      return 0;
    }
    if (c.json) {
      const [groups, tiers, patterns] = await Promise.all([
        errorGroups(db, taskId, { ...filter, limit: null }),
        tierSummary(db, taskId),
        taskProblemPatterns(db, taskId),
      ]);
      stdout.write(
        JSON.stringify(
          { task: s.task, progress: s.progress, errors: groups, causes: groupByCause(groups.items), tiers, patterns },
          null,
          2,
        ) + '\n',
      );
      return 0;
    }
    const all = (await errorGroups(db, taskId, { ...filter, limit: null })).items;
    const shown = { ...s, errors: all };
    stdout.write(
      renderSummary(shown, where, { ...(await summaryFacts(db, s)), groupsPerStep: Number.MAX_SAFE_INTEGER }) + '\n',
    );
    return 0;
  });
}
