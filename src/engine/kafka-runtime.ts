/**
 * KafkaRuntime: a consumer-group member running one task per assigned input partition (placeholder;
 * the implementation lands next).
 */
import type { CommonRuntimeOptions, Runtime, RuntimeMetrics } from './runtime.ts';

export interface KafkaRuntimeOptions extends CommonRuntimeOptions {
  /** Bootstrap servers, e.g. '127.0.0.1:9092'. */
  brokers: string;
  /** Stable id of this instance: part of the transactional id, so a restarted instance fences its zombie. Default: random. */
  instanceId?: string;
  /** Partitions of topics the runtime creates when missing. */
  topics?: Record<string, number>;
  /** Partitions of created topics not listed in `topics`. Default 1. */
  defaultPartitions?: number;
  /** Extra librdkafka settings for the consumer and the producer. */
  consumerConfig?: Record<string, string | number | boolean>;
  producerConfig?: Record<string, string | number | boolean>;
}

export class KafkaRuntime implements Runtime {
  constructor(readonly options: KafkaRuntimeOptions) {}
  async start(): Promise<void> {
    throw new Error('KafkaRuntime: not implemented yet');
  }
  async stop(): Promise<void> {}
  metrics(): RuntimeMetrics {
    return { processors: {}, partitions: [], commits: { count: 0, lastLatencyMs: 0, totalLatencyMs: 0, maxLatencyMs: 0 }, deadLettered: 0 };
  }
}
