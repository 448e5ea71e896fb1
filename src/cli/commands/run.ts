/**
 * `metis-streams run`: one dataset end to end in this process (LocalRuntime + PGlite), with a
 * progress bar per step and a final summary. `--demo` starts a small OAI-PMH endpoint on 127.0.0.1
 * serving generated EDM records (a few invalid on purpose) and harvests it.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { openPglite } from '../../store/db.ts';
import { startEmbedded } from '../../pipeline/embedded.ts';
import { createMetisPorts } from '../../pipeline/ports/create-metis-ports.ts';
import { startDemoOaiServer } from '../../steps/harvest/oai/demo-server.ts';
import { startDemoMediaServer } from '../../pipeline/demo-media-server.ts';
import type { CommandContext } from '../command-context.ts';
import { checkArchive, checkEntities } from '../preflight.ts';
import { loggerFrom, metisConfigFrom } from '../processing.ts';
import { renderSummary, startProgressDisplay } from '../progress.ts';
import { taskSpecFromConfig } from '../task-spec.ts';

export default async function run({ config: c, sources, stdout, stderr }: CommandContext): Promise<number> {
  // Everything is validated before anything starts.
  const spec = taskSpecFromConfig(c, 'run');
  checkArchive(c, sources);
  await checkEntities(c, sources);
  let demo: Awaited<ReturnType<typeof startDemoOaiServer>> | undefined;
  let demoMedia: Awaited<ReturnType<typeof startDemoMediaServer>> | undefined;
  if (c.demo) {
    demoMedia = await startDemoMediaServer();
    demo = await startDemoOaiServer({ size: c.records, pageSize: 50, dataset: { mediaBaseUrl: demoMedia.url } });
    spec.source = { type: 'oai', url: demo.url, metadataPrefix: 'edm' };
    stderr.write(`demo OAI-PMH endpoint with ${c.records} generated records at ${demo.url}\n`);
  }
  try {
    mkdirSync(c.dataDir, { recursive: true });
    const db = await openPglite(resolve(c.dataDir, 'pglite'));
    try {
      // The demo's media links point at the demo server on loopback.
      const metis = metisConfigFrom(c, db, { allowLoopback: c.demo });
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
          const task = await pipeline.service.submit(spec);
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
            progress.stop();
            const where = `PGlite database in ${c.dataDir}/pglite (tables record_result, step_progress, error_report, tier_stats, published_record); thumbnails in ${metis.thumbnailDir}`;
            stdout.write(renderSummary(final, where) + '\n');
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
  } finally {
    await demo?.close();
    await demoMedia?.close();
  }
}
