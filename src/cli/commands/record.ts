/**
 * `metis-streams record RECORD_ID`: one record's journey through a task: its outcome and messages at
 * each step and its tiers; `--step S` prints its content after S; `--diff A,B` (or `--diff A B`) a
 * line diff of its content after A and after B. Without `--task`, the newest task that processed it.
 */
import { recordContent, recordDiff, recordJourney } from '../../store/operator-queries.ts';
import { latestTaskOfRecord } from '../../store/record-lookup.ts';
import { STEP_NAMES, type StepName } from '../../model/index.ts';
import type { CommandContext } from '../command-context.ts';
import { UsageError } from '../config/usage-error.ts';
import { reading } from '../read-store.ts';

export default async function record(ctx: CommandContext): Promise<number> {
  const { config: c, positionals, stdout, stderr } = ctx;
  const [recordId, second] = positionals;
  const diff = diffSteps(c.diff, second);
  if (diff && c.step) throw new UsageError('give --step or --diff, not both');
  return reading(ctx, async ({ db, where }) => {
    const taskId = c.taskId ?? (await latestTaskOfRecord(db, recordId));
    if (!taskId) {
      stderr.write(`metis-streams record: no task processed ${recordId} in ${where}\n`);
      return 1;
    }
    const journey = await recordJourney(db, taskId, recordId);
    if (!journey) {
      stderr.write(`metis-streams record: task ${taskId} has no record ${recordId} in ${where}\n`);
      return 1;
    }
    if (diff) {
      const d = await recordDiff(db, taskId, recordId, diff[0], diff[1]);
      if ('missing' in d) {
        stderr.write(
          `metis-streams record: ${recordId} has no content after ${d.missing} in task ${taskId} (${kept(journey)})\n`,
        );
        return 1;
      }
      stdout.write(
        c.json ? JSON.stringify(d, null, 2) + '\n' : d.unified.endsWith('\n') ? d.unified : d.unified + '\n',
      );
      return 0;
    }
    if (c.step) {
      const content = await recordContent(db, taskId, recordId, c.step);
      if (content === undefined) {
        stderr.write(
          `metis-streams record: ${recordId} has no content after ${c.step} in task ${taskId} (${kept(journey)})\n`,
        );
        return 1;
      }
      stdout.write(
        c.json
          ? JSON.stringify({ taskId, recordId, step: c.step, content }) + '\n'
          : content.endsWith('\n')
            ? content
            : content + '\n',
      );
      return 0;
    }
    if (c.json) {
      stdout.write(JSON.stringify({ taskId, ...journey }, null, 2) + '\n');
      return 0;
    }
    const out = [`record ${recordId}  task ${taskId}  ${journey.status} at ${journey.lastStep}`];
    for (const s of journey.steps) {
      out.push(`  ${s.step.padEnd(18)} ${s.status}${s.hasContent ? '' : '  (no content kept)'}`);
      for (const m of s.messages) out.push(`      ${m.level} ${m.code}: ${m.message}`);
    }
    if (journey.tiers)
      out.push(
        `  tiers: content ${journey.tiers.content}, metadata ${journey.tiers.metadata}${journey.tiers.license ? `, licence ${journey.tiers.license}` : ''}`,
      );
    out.push(
      `content after a step: --step S; changes between two steps: --diff A,B (steps with content: ${kept(journey)})`,
    );
    stdout.write(out.join('\n') + '\n');
    return 0;
  });
}

const kept = (j: { steps: Array<{ step: string; hasContent: boolean }> }): string =>
  j.steps
    .filter((s) => s.hasContent)
    .map((s) => s.step)
    .join(', ') || 'none';

/** `--diff A,B`, or `--diff A B` (B comes as a positional). */
function diffSteps(diff: StepName[] | undefined, second: string | undefined): [StepName, StepName] | undefined {
  if (!diff) {
    if (second !== undefined)
      throw new UsageError(
        `unexpected argument ${JSON.stringify(second)} (usage: metis-streams record RECORD_ID [--step S | --diff A,B])`,
      );
    return undefined;
  }
  const steps = [...diff];
  if (second !== undefined) {
    if (!(STEP_NAMES as readonly string[]).includes(second))
      throw new UsageError(`--diff: "${second}" is not a step name`);
    steps.push(second as StepName);
  }
  if (steps.length !== 2) throw new UsageError(`--diff: give two steps A,B, got ${steps.length}`);
  return [steps[0], steps[1]];
}
