/**
 * A pipeline worker on Kafka: one consumer-group member running the whole pipeline topology with
 * exactly-once processing, writing results to the PostgreSQL server. Start as many as there are
 * partitions to use; they share the work and take over each other's partitions on a crash.
 */
import { pino, type Logger } from 'pino';
import { KafkaRuntime } from '../engine/index.ts';
import type { Db } from '../store/db.ts';
import { PipelineStore } from '../store/pipeline-store.ts';
import { DEFAULT_PIPELINE_OPTIONS, type PipelineContext, type PipelineOptions } from './context.ts';
import { HostLimiter, type HostLimits } from './host-limiter.ts';
import type { MetisPorts } from './ports/port-types.ts';
import { TaskCache } from './task-cache.ts';
import { TaskSlots } from './task-slots.ts';
import { buildPipelineTopology } from './topology.ts';
import { pipelineTopics } from './topics.ts';
import { STEP_NAMES } from '../model/index.ts';

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
  options?: Partial<PipelineOptions>;
  hostLimits?: HostLimits;
  logger?: Logger;
}

export interface Worker {
  runtime: KafkaRuntime;
  store: PipelineStore;
  stop(): Promise<void>;
}

export async function startWorker(opts: WorkerOptions): Promise<Worker> {
  const logger = opts.logger ?? pino({ level: 'warn' });
  const store = new PipelineStore(opts.db);
  await store.migrate();
  const tasks = new TaskCache(store);
  tasks.start();
  const applicationId = opts.applicationId ?? 'metis-pipeline';
  const topics = pipelineTopics(opts.topicPrefix ?? 'metis');
  const partitions = opts.partitions ?? 6;
  const limiter = new HostLimiter(opts.hostLimits);
  // Each worker enforces its share of every host's budget: the share of the partitions that make
  // requests to providers (tasks: listing; fetch: GetRecord) it owns, updated as soon as partitions
  // are assigned or revoked (a timer would leave a window in which two workers both used the whole
  // budget). Cooperative rebalancing revokes before it reassigns, so the shares of all workers never
  // add up to more than 1. Counting the tasks topic matters: a worker that lists but owns no fetch
  // partition used to keep its last share (often 1) while another worker had every fetch partition.
  const requesting = new Set([topics.tasks, topics.fetch]);
  const owned = new Set<string>();
  const updateShare = () => limiter.setShare(owned.size / (requesting.size * partitions));
  const ctx: PipelineContext = {
    store,
    tasks,
    ports: opts.ports,
    limiter,
    topics,
    options: { ...DEFAULT_PIPELINE_OPTIONS, ...opts.options },
    logger,
    applicationId,
    slots: new TaskSlots(),
    seedTopic: opts.seedTopic,
  };
  const runtime = new KafkaRuntime({
    topology: buildPipelineTopology(ctx),
    applicationId,
    brokers: opts.brokers,
    instanceId: opts.instanceId,
    guarantee: 'exactly_once',
    commitIntervalMs: opts.commitIntervalMs,
    dlqTopic: topics.dlq,
    topics: Object.fromEntries(
      [...topics.all(STEP_NAMES), ...(opts.seedTopic ? [opts.seedTopic] : [])].map((t) => [t, partitions]),
    ),
    defaultPartitions: partitions,
    offsetStore: { load: (group, topic, partition) => store.loadOffset(group, topic, partition) },
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
  await runtime.start();
  let stopped: Promise<void> | undefined;
  return {
    runtime,
    store,
    stop() {
      stopped ??= (async () => {
        tasks.stop();
        await runtime.stop();
      })();
      return stopped;
    },
  };
}
