/**
 * Everything the pipeline's processors share within one worker process: the store, the task cache,
 * the Metis step ports, the host limiter, topic names and tunables.
 */
import type { Logger } from 'pino';
import type { PipelineStore } from '../store/pipeline-store.ts';
import type { HostLimiter } from './host-limiter.ts';
import type { MetisPorts } from './ports/port-types.ts';
import type { TaskCache } from './task-cache.ts';
import type { TaskSlots } from './task-slots.ts';
import type { PipelineTopics } from './topics.ts';
import type { Envelope, StepName } from '../model/index.ts';
import { errors } from '../errors/index.ts';

export interface PipelineOptions {
  /** Contents larger than this travel as a reference to PostgreSQL instead of inline. Default 512 KiB. */
  inlineContentLimitBytes: number;
  /** Max records in flight per partition for I/O-bound stages (fetch, enrich, media). Default 32. */
  ioConcurrency: number;
  /** Max records in flight per partition for CPU-bound stages. Default 8. */
  cpuConcurrency: number;
  /**
   * How long a transient error (database refusing connections, a provider's server gone) is waited
   * out with back-off before it fails the task (RETRY_BUDGET_SPENT). Default 5 min.
   */
  retryBudgetMs: number;
  /**
   * Records per intake page of an archive or an earlier task's outputs (one `walk` command, one
   * transaction each). Default 500.
   */
  intakePageSize: number;
  /** How often admission forgets the remembered ids of ended tasks (`AdmitProcessor.prune`). Default 30 s. */
  admitPruneIntervalMs: number;
}

export const DEFAULT_PIPELINE_OPTIONS: PipelineOptions = {
  inlineContentLimitBytes: 512 * 1024,
  ioConcurrency: 32,
  cpuConcurrency: 8,
  retryBudgetMs: 300_000,
  intakePageSize: 500,
  admitPruneIntervalMs: 30_000,
};

export interface PipelineContext {
  store: PipelineStore;
  tasks: TaskCache;
  ports: MetisPorts;
  limiter: HostLimiter;
  topics: PipelineTopics;
  options: PipelineOptions;
  logger: Logger;
  /** The consumer group (application id): the sink's offsets are stored under it. */
  applicationId: string;
  /** Debezium topic of the seed's record_execution table, when that intake is on. */
  seedTopic?: string;
  /** Per-task in-flight limits (`limits.maxInFlight`). */
  slots: TaskSlots;
  /**
   * Resumed tasks (embedded `run --resume`): the source ids of each one's records that already have a
   * final outcome; its listing counts them but does not harvest them again.
   */
  finished?: Map<string, ReadonlySet<string>>;
}

/** Steps whose work is mostly waiting on remote servers. */
export const IO_STEPS: ReadonlySet<StepName> = new Set(['enrich', 'media', 'linkcheck', 'preview', 'publish']);

/** Puts large contents into PostgreSQL and returns the envelope fields to send. */
export async function packContent(
  ctx: PipelineContext,
  content: string,
): Promise<Pick<Envelope, 'content' | 'contentRef'>> {
  if (Buffer.byteLength(content) <= ctx.options.inlineContentLimitBytes) return { content };
  return { content: null, contentRef: await ctx.store.putPayload(content) };
}

export async function unpackContent(
  ctx: PipelineContext,
  e: Pick<Envelope, 'content' | 'contentRef'>,
): Promise<string> {
  if (e.content !== null) return e.content;
  if (!e.contentRef) throw errors.ENVELOPE_EMPTY();
  return ctx.store.getPayload(e.contentRef);
}
