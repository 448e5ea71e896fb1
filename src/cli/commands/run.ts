/**
 * `metis-streams run`: one dataset end to end in this process (LocalRuntime + PGlite), with a
 * progress bar per step and a final summary. `--demo` starts a small OAI-PMH endpoint on 127.0.0.1
 * serving generated EDM records (a few invalid on purpose) and harvests it. `runHere` is also how
 * `rerun` and `depublish` run a task in this process when given `--data-dir`.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { openPglite } from '../../store/db.ts';
import { startEmbedded } from '../../pipeline/embedded.ts';
import { createMetisPorts } from '../../pipeline/ports/create-metis-ports.ts';
import type { PipelineService } from '../../pipeline/service.ts';
import type { TaskRow } from '../../store/pipeline-store.ts';
import { startDemo, type Demo } from '../../pipeline/demo.ts';
import type { CommandContext } from '../command-context.ts';
import { checkArchive, checkEntities } from '../preflight.ts';
import { loggerFrom, metisConfigFrom } from '../processing.ts';
import { renderSummary, startProgressDisplay } from '../progress.ts';
import { summaryFacts } from '../summary-facts.ts';
import { taskSpecFromConfig } from '../task-spec.ts';

export default async function run(ctx: CommandContext): Promise<number> {
  const { config: c, sources, stderr } = ctx;
  // Everything is validated before anything starts.
  const spec = taskSpecFromConfig(c, 'run');
  checkArchive(c, sources);
  await checkEntities(c, sources);
  let demo: Demo | undefined;
  if (c.demo) {
    demo = await startDemo({ records: c.records });
    spec.source = { type: 'oai', url: demo.oaiUrl, metadataPrefix: 'edm' };
    stderr.write(`demo OAI-PMH endpoint with ${c.records} generated records at ${demo.oaiUrl}\n`);
  }
  try {
    return await runHere(ctx, (service) => service.submit(spec), {
      // The demo's links point at its servers on loopback; its entities describe its own organisations and dates.
      allowLoopback: c.demo,
      ...(demo && { entities: demo.entities }),
    });
  } finally {
    await demo?.close();
    // The summary is printed: nothing left to wait for (an abandoned DNS lookup or keep-alive socket
    // of a provider must not hold the process for minutes). main sets the exit code first.
    setTimeout(() => process.exit(), 2_000).unref();
  }
}

/**
 * Opens the embedded database in `--data-dir`, starts the pipeline in this process, makes the task
 * (`start`), shows its progress and prints the summary. Resolves to the exit code: 0 completed, 1
 * failed or cancelled, 130 interrupted.
 */
export async function runHere(
  { config: c, stdout, stderr }: CommandContext,
  start: (service: PipelineService) => Promise<TaskRow>,
  opts: { allowLoopback?: boolean; entities?: string } = {},
): Promise<number> {
  mkdirSync(c.dataDir, { recursive: true });
  const db = await openPglite(resolve(c.dataDir, 'pglite'));
  try {
    const metis = metisConfigFrom(c, db, opts);
    const ports = await createMetisPorts(metis);
    try {
      const pipeline = await startEmbedded({
        db,
        ports: ports.ports,
        hostLimits: c.hostLimits,
        logger: loggerFrom(c),
      });
      try {
        const progress = startProgressDisplay(stderr as NodeJS.WriteStream);
        const task = await start(pipeline.service);
        // Ctrl-C (or SIGTERM) cancels the task and closes the database cleanly (status can read it
        // afterwards); a second one quits at once.
        let interrupted = false;
        const interrupt = () => {
          if (interrupted) process.exit(130);
          interrupted = true;
          stderr.write('\ncancelling the task; Ctrl-C again quits at once\n');
          pipeline.service.cancel(task.taskId).catch(() => {});
        };
        process.on('SIGINT', interrupt);
        process.on('SIGTERM', interrupt);
        try {
          const final = await pipeline.service.waitForTask(task.taskId, {
            onTick: (s) => progress.update(s),
            pollMs: 250,
            // A big dataset takes as long as it takes.
            timeoutMs: Number.POSITIVE_INFINITY,
          });
          progress.stop(final);
          const where = `PGlite database in ${c.dataDir}/pglite (tables record_result, step_progress, error_report, tier_stats, published_record); thumbnails in ${metis.thumbnailDir}`;
          const facts = await summaryFacts(db, final, { entityApi: c.entityApiUrl !== undefined });
          stdout.write(renderSummary(final, where, facts) + '\n');
          return interrupted ? 130 : final.task.state === 'completed' ? 0 : 1;
        } finally {
          process.off('SIGINT', interrupt);
          process.off('SIGTERM', interrupt);
        }
      } finally {
        await pipeline.stop();
      }
    } finally {
      await ports.close();
    }
  } finally {
    await db.close();
  }
}
