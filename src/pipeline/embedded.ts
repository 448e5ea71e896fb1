/**
 * Embedded mode: the pipeline topology on the engine's LocalRuntime, with PGlite (or any `Db`) as the
 * database, in one process. No broker, no server: the README's first command runs this.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino, type Logger } from 'pino';
import { LocalRuntime } from '../engine/index.ts';
import type { Db } from '../store/db.ts';
import { PipelineStore } from '../store/pipeline-store.ts';
import { DEFAULT_PIPELINE_OPTIONS, type PipelineContext, type PipelineOptions } from './context.ts';
import { HostLimiter, type HostLimits } from './host-limiter.ts';
import type { MetisPorts } from './ports/port-types.ts';
import type { TaskRow } from '../store/pipeline-store.ts';
import type { TaskCommand } from '../model/index.ts';
import { PipelineService } from './service.ts';
import { TaskCache } from './task-cache.ts';
import { TaskSlots } from './task-slots.ts';
import { buildPipelineTopology } from './topology.ts';
import { pipelineTopics } from './topics.ts';

/** How often the failure watch asks the runtime (a failure also ends a wait at once). */
const WATCH_MS = 250;

export interface EmbeddedOptions {
  db: Db;
  ports: MetisPorts;
  /** Partitions per topic (parallel tasks per stage). Default 4. */
  partitions?: number;
  options?: Partial<PipelineOptions>;
  hostLimits?: HostLimits;
  logger?: Logger;
}

export interface EmbeddedPipeline {
  service: PipelineService;
  store: PipelineStore;
  runtime: LocalRuntime;
  /** Rejects with the reason when the runtime stopped on a failure (never resolves otherwise). */
  failed: Promise<never>;
  /**
   * Goes on with a task that an earlier process left unfinished (interrupted): its listing runs again
   * from the source, skipping the records that already have a final outcome; the others (in flight
   * when it stopped) run again, and the sink keeps each outcome once.
   */
  resume(taskId: string): Promise<TaskRow>;
  stop(): Promise<void>;
}

export async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedPipeline> {
  const logger = opts.logger ?? pino({ level: 'warn' });
  const store = new PipelineStore(opts.db);
  await store.migrate();
  const options = { ...DEFAULT_PIPELINE_OPTIONS, ...opts.options };
  const tasks = new TaskCache(store, undefined, { options, logger });
  tasks.start();
  // The local log lives in memory: a fresh application id keeps its offsets apart from earlier runs' in the DB.
  const applicationId = `embedded-${randomUUID()}`;
  const topics = pipelineTopics('metis');
  // One process: the limiter holds every host's whole budget; every request goes through it.
  const limiter = new HostLimiter(opts.hostLimits);
  opts.ports.gateRequests?.(limiter.gate);
  const ctx: PipelineContext = {
    store,
    tasks,
    ports: opts.ports,
    limiter,
    topics,
    options,
    logger,
    applicationId,
    slots: new TaskSlots(),
    finished: new Map(),
  };
  const runtime = new LocalRuntime({
    topology: buildPipelineTopology(ctx),
    applicationId,
    partitions: opts.partitions ?? 4,
    // Memory stays flat over a long run: consumed and committed records are freed.
    dropCommitted: true,
    // One sink partition: each commit round writes all outcomes in one database transaction.
    topics: { [topics.outcomes]: 1 },
    guarantee: 'exactly_once',
    dlqTopic: topics.dlq,
    offsetStore: { load: (group, topic, partition) => store.loadOffset(group, topic, partition) },
    logger,
  });
  await runtime.start();
  // The LocalRuntime stops on a failure (a database commit that failed, a fail-fast record) and
  // rejects its drain waiters: watching drain() makes `failed` reject within WATCH_MS of it.
  let stopping = false;
  const failed = (async (): Promise<never> => {
    for (;;) {
      await runtime.drain();
      if (stopping) return new Promise<never>(() => {});
      await sleep(WATCH_MS, undefined, { ref: false });
    }
  })();
  failed.catch((err: unknown) => logger.error({ err }, 'embedded runtime failed'));
  const service = new PipelineService(
    store,
    { send: async (cmd) => runtime.produce(topics.tasks, cmd.taskId, JSON.stringify(cmd)) },
    failed,
  );
  let stopped: Promise<void> | undefined;
  return {
    service,
    store,
    runtime,
    failed,
    async resume(taskId) {
      const task = await store.getTask(taskId);
      if (!task) throw new Error(`no task ${taskId}`);
      ctx.finished!.set(taskId, await store.finishedSources(taskId, task.plan[task.plan.length - 1]));
      await runtime.produce(topics.tasks, taskId, JSON.stringify({ type: 'start', taskId } satisfies TaskCommand));
      return task;
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        tasks.stop();
        await runtime.stop();
      })();
      return stopped;
    },
  };
}
