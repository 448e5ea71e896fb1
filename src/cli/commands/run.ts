/**
 * `metis-streams run`: one dataset end to end in this process (LocalRuntime + PGlite), with a
 * progress bar per step and a final summary. `--demo` starts a small OAI-PMH endpoint on 127.0.0.1
 * serving generated EDM records (a few invalid on purpose) and harvests it. `runHere` is also how
 * `rerun` and `depublish` run a task in this process when given `--data-dir`.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { openPglite } from '../../store/db.ts';
import { startEmbedded, type EmbeddedPipeline } from '../../pipeline/embedded.ts';
import { createMetisPorts } from '../../pipeline/ports/create-metis-ports.ts';
import type { PipelineService } from '../../pipeline/service.ts';
import type { PipelineStore, TaskRow } from '../../store/pipeline-store.ts';
import { startDemo, type Demo } from '../../pipeline/demo.ts';
import type { CommandContext } from '../command-context.ts';
import { checkArchive, checkEntities } from '../preflight.ts';
import { loggerFrom, metisConfigFrom } from '../processing.ts';
import { renderSummary, startProgressDisplay } from '../progress.ts';
import { summaryFacts } from '../summary-facts.ts';
import { taskSpecFromConfig } from '../task-spec.ts';
import { UsageError } from '../config/usage-error.ts';

export default async function run(ctx: CommandContext): Promise<number> {
  const { config: c, sources, stderr } = ctx;
  if (c.resume) {
    const given = [c.demo && '--demo', c.oai && '--oai', c.archive && '--archive'].filter(Boolean);
    if (given.length > 0) throw new UsageError(`--resume: the task keeps its own source (not with ${given.join(', ')})`);
    try {
      return await runHere(ctx, (_, pipeline, store) => resumeNewest(store, pipeline, c.dataDir));
    } finally {
      setTimeout(() => process.exit(), 2_000).unref();
    }
  }
  // Everything is validated before anything starts.
  const spec = taskSpecFromConfig(c, 'run');
  checkArchive(c, sources);
  await checkEntities(c, sources);
  let demo: Demo | undefined;
  if (c.demo) {
    demo = await startDemo({ records: c.records });
    spec.source = { type: 'oai', url: demo.oaiUrl, metadataPrefix: 'edm' };
    stderr.write(`demo OAI-PMH endpoint with ${c.records} generated records at ${demo.oaiUrl}\n`);
    // Remembered so that --resume can tell a demo task (its endpoint ends with this run) from others.
    mkdirSync(c.dataDir, { recursive: true });
    appendFileSync(resolve(c.dataDir, DEMO_ENDPOINTS), `${demo.oaiUrl}\n`);
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

/** `--resume`: the newest task of the database that has not ended (a Ctrl-C stopped it). */
async function resumeNewest(store: PipelineStore, pipeline: EmbeddedPipeline, dataDir: string): Promise<TaskRow> {
  const open = (await store.listTasks({ limit: 1000 })).find((t) => !ENDED.has(t.state));
  if (!open) throw new UsageError(`--resume: no unfinished task in ${dataDir}`);
  const demos = existsSync(resolve(dataDir, DEMO_ENDPOINTS)) ? readFileSync(resolve(dataDir, DEMO_ENDPOINTS), 'utf8').split('\n') : [];
  if (open.spec.source.type === 'oai' && demos.includes(open.spec.source.url))
    throw new UsageError(`--resume: task ${open.taskId} harvested a --demo endpoint, which ended with its run; run the demo again`);
  return pipeline.resume(open.taskId);
}

const ENDED = new Set(['completed', 'failed', 'cancelled']);
/** The --demo endpoints of the runs in a data folder, one a line. */
const DEMO_ENDPOINTS = 'demo-endpoints.txt';

/**
 * Opens the embedded database in `--data-dir`, starts the pipeline in this process, makes the task
 * (`start`), shows its progress and prints the summary. Resolves to the exit code: 0 completed, 1
 * failed or cancelled, 130 interrupted: Ctrl-C (or SIGTERM) stops the pipeline and leaves the task
 * unfinished, for `run --data-dir DIR --resume` to go on with it.
 */
export async function runHere(
  { config: c, stdout, stderr }: CommandContext,
  start: (service: PipelineService, pipeline: EmbeddedPipeline, store: PipelineStore) => Promise<TaskRow>,
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
        const task = await start(pipeline.service, pipeline, pipeline.store);
        // Ctrl-C (or SIGTERM) stops waiting: the pipeline stops and the database closes cleanly with
        // the task unfinished (what is committed stays; `--resume` goes on with it). A second one
        // quits at once.
        let interrupted = false;
        let stopWaiting!: () => void;
        const stopped = new Promise<void>((r) => (stopWaiting = r));
        const interrupt = () => {
          if (interrupted) process.exit(130);
          interrupted = true;
          stderr.write('\nstopping; Ctrl-C again quits at once\n');
          stopWaiting();
        };
        process.on('SIGINT', interrupt);
        process.on('SIGTERM', interrupt);
        try {
          const waiting = new AbortController();
          const final = await Promise.race([
            pipeline.service.waitForTask(task.taskId, {
              onTick: (s) => progress.update(s),
              pollMs: 250,
              // A big dataset takes as long as it takes.
              timeoutMs: Number.POSITIVE_INFINITY,
              signal: waiting.signal,
            }),
            stopped.then(async () => {
              waiting.abort();
              await pipeline.stop();
              return (await pipeline.service.status(task.taskId))!;
            }),
          ]);
          progress.stop(final);
          if (interrupted) {
            const done = final.task.terminalCount;
            stderr.write(
              `interrupted: task ${task.taskId} stopped with ${done} records finished; go on with: metis-streams run --data-dir ${c.dataDir} --resume\n`,
            );
            return 130;
          }
          const where = `PGlite database in ${c.dataDir}/pglite (tables record_result, step_progress, error_report, tier_stats, published_record); thumbnails in ${metis.thumbnailDir}`;
          const facts = await summaryFacts(db, final, { entityApi: c.entityApiUrl !== undefined });
          stdout.write(renderSummary(final, where, facts) + '\n');
          return final.task.state === 'completed' ? 0 : 1;
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
