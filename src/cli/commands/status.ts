/**
 * `metis-streams status TASK_ID`: a task's progress, grouped errors and tiers, read from the store
 * only: from the PostgreSQL server (Kafka mode) or, with `--data-dir`, from the embedded database
 * `run` left there. `--watch` redraws the bars until the task ends, then prints the summary.
 */
import { PipelineService, type TaskStatus } from '../../pipeline/service.ts';
import { PipelineStore } from '../../store/pipeline-store.ts';
import { TERMINAL_TASK_STATES } from '../../model/task-states.ts';
import type { CommandContext } from '../command-context.ts';
import { renderSummary, startProgressDisplay } from '../progress.ts';
import { reading } from '../read-store.ts';
import { summaryFacts } from '../summary-facts.ts';

export default async function status(ctx: CommandContext): Promise<number> {
  const { config: c, positionals, stdout, stderr } = ctx;
  const taskId = positionals[0];
  return reading(ctx, async ({ db, where }) => {
    const service = new PipelineService(new PipelineStore(db), { send: async () => {} });
    let s = await service.status(taskId);
    if (!s) {
      stderr.write(`metis-streams status: no task ${taskId} in ${where}\n`);
      return 1;
    }
    if (c.watch && !TERMINAL_TASK_STATES.includes(s.task.state)) {
      const progress = startProgressDisplay(stderr as NodeJS.WriteStream);
      let stop = false;
      const interrupt = () => {
        stop = true;
      };
      process.once('SIGINT', interrupt);
      try {
        while (!stop && s && !TERMINAL_TASK_STATES.includes(s.task.state)) {
          progress.update(s);
          await new Promise((r) => setTimeout(r, 500));
          s = (await service.status(taskId)) as TaskStatus;
        }
      } finally {
        process.off('SIGINT', interrupt);
        progress.stop();
      }
    }
    stdout.write(renderSummary(s, where, await summaryFacts(db, s)) + '\n');
    return 0;
  });
}
