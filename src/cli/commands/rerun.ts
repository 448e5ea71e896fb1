/**
 * `metis-streams rerun TASK_ID --from-step STEP`: a new task that runs an earlier task's records again
 * from STEP, reading what the earlier task stored after the step before it (Metis's "re-run from a
 * step"). On Kafka (the default) it is submitted to the workers and its id printed; with `--data-dir`
 * it runs in this process on run's embedded database, with progress and summary.
 */
import { STEP_ORDER, type StepName } from '../../model/index.ts';
import type { PipelineService } from '../../pipeline/service.ts';
import type { TaskRow } from '../../store/pipeline-store.ts';
import type { CommandContext } from '../command-context.ts';
import { UsageError } from '../config/usage-error.ts';
import { withKafkaService } from '../kafka-service.ts';
import { checkSpec } from '../task-spec.ts';
import { runHere } from './run.ts';

export default async function rerun(ctx: CommandContext): Promise<number> {
  const { config: c, sources, positionals, stdout } = ctx;
  const taskId = positionals[0];
  const from = c.fromStep;
  if (!from) throw new UsageError('give --from-step STEP (the first step to run again)');
  if (from === 'harvest')
    throw new UsageError('--from-step: harvest reads no stored outputs: submit a new task instead');
  const start = (service: PipelineService) => rerunTask(service, taskId, from, c.steps, c.maxInFlight);
  if (sources.dataDir !== 'default') return runHere(ctx, start, { allowLoopback: c.allowLoopback });
  const task = await withKafkaService(c, start);
  stdout.write(`${task.taskId}\n`);
  return 0;
}

/** Makes the re-run task: checks the earlier task and the steps first, so a mistake is a usage error. */
async function rerunTask(
  service: PipelineService,
  taskId: string,
  from: StepName,
  steps: StepName[] | undefined,
  maxInFlight: number | undefined,
): Promise<TaskRow> {
  const prev = await service.store.getTask(taskId);
  if (!prev) throw new UsageError(`no task ${taskId}`);
  const chain: StepName[] = prev.plan.filter((s) => s !== 'linkcheck');
  const at = chain.indexOf(from);
  if (at < 1)
    throw new UsageError(
      `--from-step: task ${taskId} ran ${chain.join(', ')}; a re-run starts at one of ${chain.slice(1).join(', ') || '(none)'}`,
    );
  const after = chain[at - 1];
  const rest =
    steps ??
    prev.plan.filter(
      (s) =>
        s === 'linkcheck' ||
        STEP_ORDER.indexOf(s as (typeof STEP_ORDER)[number]) >= STEP_ORDER.indexOf(from as (typeof STEP_ORDER)[number]),
    );
  const spec = checkSpec({
    ...prev.spec,
    steps: rest,
    source: { type: 'previous', taskId, step: after },
    limits: { ...prev.spec.limits, ...(maxInFlight !== undefined && { maxInFlight }) },
  });
  return service.submit(spec);
}
