/**
 * A pipeline worker on Kafka: one consumer-group member running the whole pipeline topology with
 * exactly-once processing, writing results to the PostgreSQL server. Start as many as there are
 * partitions to use; they share the work and take over each other's partitions on a crash. A worker
 * whose runtime fails (broker or database restart) starts a new one itself (see `startWorker`).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino, type Logger } from 'pino';
import { KafkaRuntime } from '../engine/index.ts';
import type { Db } from '../store/db.ts';
import { PipelineStore } from '../store/pipeline-store.ts';
import { DEFAULT_PIPELINE_OPTIONS, type PipelineContext, type PipelineOptions } from './context.ts';
import { HostLimiter, type HostLimits } from './host-limiter.ts';
import { PgHostSlots } from './host-slots.ts';
import type { MetisPorts } from './ports/port-types.ts';
import { TaskCache } from './task-cache.ts';
import { TaskSlots } from './task-slots.ts';
import { buildPipelineTopology } from './topology.ts';
import { pipelineTopics } from './topics.ts';
import { STEP_NAMES } from '../model/index.ts';
import { retry } from '../errors/index.ts';
import { waitOut } from './transient.ts';

export interface WorkerOptions {
  db: Db;
  ports: MetisPorts;
  brokers: string;
  /** Consumer group; workers of one deployment share it. Default 'metis-pipeline'. */
  applicationId?: string;
  /** Topic name prefix. Default 'metis'. */
  topicPrefix?: string;
  /** Partitions of each pipeline topic (created when missing). Default 6. */
  partitions?: number;
  /** Debezium topic of the seed's record_execution table; set it to turn that intake on. */
  seedTopic?: string;
  /** Transaction commit interval. Default 100 ms (the engine's): each topic hop waits for one commit. */
  commitIntervalMs?: number;
  /** Stable id of this worker (its transactional id): a restarted worker fences its zombie. */
  instanceId?: string;
  /** How long a failed runtime is restarted with back-off before the worker gives up. Default: `options.retryBudgetMs`. */
  restartBudgetMs?: number;
  options?: Partial<PipelineOptions>;
  hostLimits?: HostLimits;
  logger?: Logger;
}

export interface Worker {
  /** The running runtime (a new one after each heal). */
  readonly runtime: KafkaRuntime;
  store: PipelineStore;
  /** Runtimes started after a failure (0 while the first one runs). */
  readonly restarts: number;
  /**
   * Resolves after `stop()`; rejects when the worker cannot go on: a runtime that failed could not be
   * started again within the restart budget. The process should then exit non-zero at once.
   */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a worker that heals itself: when its runtime fails (a broker restart, the database gone for
 * a while: the engine stops a runtime on a fatal producer error or a failed restore), a new runtime
 * with the same instance id (which fences what is left of the old transaction) is started after a
 * back-off, again and again until one starts, for up to `restartBudgetMs` (default: the retry budget,
 * 5 min) per outage. Work resumes from the committed offsets; nothing is lost or done twice.
 */
export async function startWorker(opts: WorkerOptions): Promise<Worker> {
  const logger = opts.logger ?? pino({ level: 'warn' });
  const store = new PipelineStore(opts.db);
  await store.migrate();
  const options = { ...DEFAULT_PIPELINE_OPTIONS, ...opts.options };
  const tasks = new TaskCache(store, undefined, { options, logger });
  tasks.start();
  const applicationId = opts.applicationId ?? 'metis-pipeline';
  // One id for every runtime of this process: a restarted runtime fences its failed predecessor.
  const instanceId = opts.instanceId ?? randomUUID();
  const topics = pipelineTopics(opts.topicPrefix ?? 'metis');
  const partitions = opts.partitions ?? 6;
  // Every host's concurrency limit holds across workers through slots shared in the database
  // (host-slots.ts); each worker's rate and local turns are its share of the partitions that make
  // requests to remote hosts (tasks: listing, archive download; fetch: GetRecord; media; link
  // check), updated as soon as partitions are assigned or revoked (host-limiter.ts says why).
  const slots = opts.db.openSession ? new PgHostSlots(opts.db, applicationId, logger, { outageBudgetMs: options.retryBudgetMs }) : undefined;
  const limiter = new HostLimiter(opts.hostLimits, undefined, slots);
  opts.ports.gateRequests?.(limiter.gate);
  const requesting = new Set([topics.tasks, topics.fetch, topics.step('media'), topics.step('linkcheck')]);
  const owned = new Set<string>();
  const updateShare = () => limiter.setShare(owned.size / (requesting.size * partitions));
  updateShare();
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
    seedTopic: opts.seedTopic,
  };
  const newRuntime = () =>
    new KafkaRuntime({
      topology: buildPipelineTopology(ctx),
      applicationId,
      brokers: opts.brokers,
      instanceId,
      guarantee: 'exactly_once',
      commitIntervalMs: opts.commitIntervalMs,
      dlqTopic: topics.dlq,
      topics: Object.fromEntries(
        [...topics.all(STEP_NAMES), ...(opts.seedTopic ? [opts.seedTopic] : [])].map((t) => [t, partitions]),
      ),
      defaultPartitions: partitions,
      // The database's offsets decide where a task starts: during an outage an assignment (or a
      // rewind after a failed commit) waits for them instead of failing the runtime.
      offsetStore: {
        load: (group, topic, partition) =>
          waitOut(ctx, () => store.loadOffset(group, topic, partition), { what: `loading the offset of ${topic}[${partition}]` }),
      },
      logger,
      hooks: {
        assigned(tps) {
          for (const tp of tps) if (requesting.has(tp.topic)) owned.add(`${tp.topic}:${tp.partition}`);
          updateShare();
        },
        revoked(tps) {
          for (const tp of tps) if (requesting.has(tp.topic)) owned.delete(`${tp.topic}:${tp.partition}`);
          updateShare();
        },
      },
    });

  let runtime = newRuntime();
  await runtime.start();
  let restarts = 0;
  let startedAt = Date.now();
  let quickFailures = 0;
  const stopping = new AbortController();
  const restartBudgetMs = opts.restartBudgetMs ?? options.retryBudgetMs;

  // The supervisor: waits for the runtime to end; a failure that is not ours (stop()) is healed.
  const supervise = async (): Promise<void> => {
    for (;;) {
      const failure = await runtime.done.then(
        () => undefined,
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      );
      if (!failure || stopping.signal.aborted) return;
      const failedAt = Date.now();
      // A runtime that failed soon after it started is failing again for the same reason: back off
      // (0.5 s, 1 s, 2 s … 30 s) instead of joining and leaving the group in a loop.
      quickFailures = failedAt - startedAt < 30_000 ? quickFailures + 1 : 0;
      logger.warn({ err: failure.message, instanceId }, 'kafka runtime failed; starting a new one');
      // The failed runtime's partitions are gone: no share of any host until the new one is assigned some.
      owned.clear();
      updateShare();
      try {
        if (quickFailures > 0)
          await sleep(Math.min(30_000, 250 * 2 ** quickFailures), undefined, { signal: stopping.signal });
        runtime = await retry(
          async () => {
            const next = newRuntime();
            runtime = next;
            await next.start();
            return next;
          },
          {
            retries: Infinity,
            budgetMs: restartBudgetMs,
            baseDelayMs: 500,
            maxDelayMs: 10_000,
            signal: stopping.signal,
            isRetriable: () => !stopping.signal.aborted,
            onRetry: ({ attempt, error, delayMs }) =>
              logger.warn({ attempt, delayMs, err: (error as Error)?.message }, 'kafka runtime did not start; retrying'),
          },
        );
      } catch (err) {
        if (stopping.signal.aborted) return;
        throw new Error(
          `kafka runtime failed (${failure.message}) and could not be started again within ${restartBudgetMs} ms: ${(err as Error)?.message ?? String(err)}`,
          { cause: err },
        );
      }
      restarts++;
      startedAt = Date.now();
      logger.warn({ instanceId, restarts, recoveredMs: Date.now() - failedAt }, 'kafka runtime running again');
    }
  };
  const done = supervise();
  done.catch(() => undefined);

  let stopped: Promise<void> | undefined;
  return {
    get runtime() {
      return runtime;
    },
    get restarts() {
      return restarts;
    },
    store,
    done,
    stop() {
      stopped ??= (async () => {
        stopping.abort(new Error('worker stopping'));
        tasks.stop();
        await runtime.stop();
        await done.catch(() => undefined);
        await slots?.close();
      })();
      return stopped;
    },
  };
}
