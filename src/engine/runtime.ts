/**
 * The seam shared by both runtimes: options, the Runtime interface, the external offset store and
 * the observability snapshot.
 */
import type { Logger } from 'pino';
import type { TopicPartitionOffset } from './record.ts';
import type { BuiltTopology, Topology } from './topology.ts';

export type ProcessingGuarantee = 'exactly_once' | 'at_least_once';

/** What to do with a record whose deserialization or processing fails. */
export type ErrorPolicy = 'dead-letter' | 'fail-fast';

/**
 * Externally stored input offsets (e.g. written by a `Processor.commit` in the same DB transaction as
 * its rows). Consulted when a partition is assigned: a defined result (the next offset to read) wins
 * over the offset committed in Kafka.
 */
export interface OffsetStore {
  load(applicationId: string, topic: string, partition: number): Promise<number | undefined>;
}

/**
 * Optional observability hooks, called synchronously on the runtime's thread (keep them cheap).
 * Without hooks nothing is allocated for them.
 */
export interface RuntimeHooks {
  /** After every successful commit. */
  commit?(event: { latencyMs: number; outputs: number; offsets: readonly TopicPartitionOffset[] }): void;
  /** A record went to the dead-letter topic. */
  deadLetter?(event: {
    topic: string;
    partition: number;
    offset: number;
    node: string;
    stage: string;
    error: string;
  }): void;
  /** Partitions were assigned (after their stores were restored) or revoked. */
  assigned?(partitions: ReadonlyArray<{ topic: string; partition: number }>): void;
  revoked?(partitions: ReadonlyArray<{ topic: string; partition: number }>): void;
  /** A store was restored from its changelog. */
  restored?(event: { task: string; store: string; records: number; ms: number }): void;
  /**
   * KafkaRuntime only, once: the first commit carrying outputs completed; each start-up phase with
   * its time from `start()`.
   */
  startup?(event: { phases: ReadonlyArray<{ phase: string; atMs: number }> }): void;
}

export interface CommonRuntimeOptions {
  topology: Topology | BuiltTopology;
  /** Consumer group id, prefix of changelog topics and of the transactional id. Default 'metis-streams'. */
  applicationId?: string;
  /** Default 'exactly_once'. */
  guarantee?: ProcessingGuarantee;
  /** Max records in flight per partition (processors may override upwards). Default 1. */
  concurrency?: number;
  /** How often completed work is committed. Default 100 ms (exactly-once) / 1000 ms (at-least-once). */
  commitIntervalMs?: number;
  /** Dead-letter topic. Default `<applicationId>-dlq`. */
  dlqTopic?: string;
  /** Default 'dead-letter'. */
  errorPolicy?: ErrorPolicy;
  offsetStore?: OffsetStore;
  /** Default: a pino logger at level 'warn'. */
  logger?: Logger;
  hooks?: RuntimeHooks;
}

export interface ProcessorCounters {
  in: number;
  out: number;
  errors: number;
}

export interface PartitionProgress {
  topic: string;
  partition: number;
  /** Next offset to commit (last committed + 1 of the task), -1 before the first commit. */
  committed: number;
  /** End of the partition's log as last seen. */
  endOffset: number;
  lag: number;
  inFlight: number;
}

export interface RuntimeMetrics {
  processors: Record<string, ProcessorCounters>;
  partitions: PartitionProgress[];
  commits: { count: number; lastLatencyMs: number; totalLatencyMs: number; maxLatencyMs: number };
  deadLettered: number;
}

/** Both runtimes implement this; `start` and `stop` are idempotent and safe to call concurrently. */
export interface Runtime {
  start(): Promise<void>;
  stop(): Promise<void>;
  metrics(): RuntimeMetrics;
}

export const DEFAULTS = {
  applicationId: 'metis-streams',
  concurrency: 1,
  commitIntervalMsExactlyOnce: 100,
  commitIntervalMsAtLeastOnce: 1000,
} as const;

/** Common options with defaults applied. */
export interface ResolvedOptions {
  topology: BuiltTopology;
  applicationId: string;
  guarantee: ProcessingGuarantee;
  concurrency: number;
  commitIntervalMs: number;
  dlqTopic: string;
  errorPolicy: ErrorPolicy;
  offsetStore: OffsetStore | undefined;
  logger: Logger;
  hooks: RuntimeHooks;
}

export function resolveOptions(options: CommonRuntimeOptions, defaultLogger: () => Logger): ResolvedOptions {
  const topology = 'build' in options.topology ? options.topology.build() : options.topology;
  const applicationId = options.applicationId ?? DEFAULTS.applicationId;
  const guarantee = options.guarantee ?? 'exactly_once';
  const concurrency = options.concurrency ?? DEFAULTS.concurrency;
  if (!(Number.isInteger(concurrency) && concurrency >= 1)) throw new RangeError('concurrency must be an integer >= 1');
  return {
    topology,
    applicationId,
    guarantee,
    concurrency,
    commitIntervalMs:
      options.commitIntervalMs ??
      (guarantee === 'exactly_once' ? DEFAULTS.commitIntervalMsExactlyOnce : DEFAULTS.commitIntervalMsAtLeastOnce),
    dlqTopic: options.dlqTopic ?? `${applicationId}-dlq`,
    errorPolicy: options.errorPolicy ?? 'dead-letter',
    offsetStore: options.offsetStore,
    logger: options.logger ?? defaultLogger(),
    hooks: options.hooks ?? {},
  };
}
