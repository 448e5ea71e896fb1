/**
 * librdkafka settings of the KafkaRuntime's clients, and the changelog topics it must create.
 *
 * Group protocol: KIP-848 (`group.protocol=consumer`) with the broker's `range` assignor by default.
 * Why: the range assignor gives each member the same partition numbers of every subscribed topic
 * with the same partition count, i.e. Kafka Streams' task assignment (a "task" = one partition number
 * across co-partitioned topics), so two workers each get half of every pipeline stage; the classic
 * `cooperative-sticky` assignor balances the partition count over all topics together and could give
 * one worker a whole stage, and librdkafka takes no custom assignor from JavaScript. Membership is
 * driven by heartbeats from librdkafka's own thread, with no JoinGroup/SyncGroup rounds, and the
 * session timeout and heartbeat interval are the broker's (`group.consumer.session.timeout.ms`,
 * `group.consumer.heartbeat.interval.ms`, bounded by their `min` settings): the project's broker
 * (scripts/infra-up.sh) sets 2.5 s and 250 ms, so a killed member's partitions move in about 2.5 s; a
 * broker left at Kafka's defaults (45 s, 5 s) keeps them idle that long.
 * `consumerConfig: {'group.protocol': 'classic'}` selects the classic protocol with
 * `cooperative-sticky` and a client-side 6 s session timeout (the classic minimum on a default broker).
 */
import type { ClientConfig } from './kafka-client.ts';
import { changelogTopic } from './state-store.ts';
import type { BuiltTopology } from './topology.ts';

export interface ClientIdentity {
  brokers: string;
  applicationId: string;
  instanceId: string;
}

export function producerConfig(id: ClientIdentity, exactlyOnce: boolean, extra: ClientConfig = {}): ClientConfig {
  return {
    'bootstrap.servers': id.brokers,
    'client.id': `${id.applicationId}-${id.instanceId}`,
    'enable.idempotence': true,
    // Same key → partition mapping as the Java client and the LocalRuntime.
    partitioner: 'murmur2_random',
    'linger.ms': 5,
    'queue.buffering.max.messages': 1_000_000,
    'queue.buffering.max.kbytes': 1_048_576,
    // A transaction left open by a crash blocks read_committed readers until it times out (or until
    // a restart with the same instanceId fences it), so keep the timeout short.
    ...(exactlyOnce
      ? { 'transactional.id': `${id.applicationId}-${id.instanceId}`, 'transaction.timeout.ms': 10_000 }
      : { dr_cb: true }),
    ...extra,
  };
}

const commonConsumer = (brokers: string): ClientConfig => ({
  'bootstrap.servers': brokers,
  'isolation.level': 'read_committed',
  'enable.auto.commit': false,
  'enable.auto.offset.store': false,
  'auto.offset.reset': 'earliest',
  // librdkafka prefetches up to this much per consumer (all its partitions) ahead of the
  // application; its default, 64 MB, held ~86 MB of RSS against a 57 MB backlog and 16 MB ~29 MB
  // (`npm run bench memory-prefetch`). 16 MB is still seconds of records at the pipeline's rate.
  'queued.max.messages.kbytes': 16_384,
});

export function groupConsumerConfig(
  id: ClientIdentity,
  rebalance: (...args: any[]) => void,
  extra: ClientConfig = {},
): ClientConfig {
  const protocol: ClientConfig =
    extra['group.protocol'] === 'classic'
      ? {
          'partition.assignment.strategy': 'cooperative-sticky',
          // The broker's minimum for the classic protocol; a killed member is noticed after 6 s.
          'session.timeout.ms': 6_000,
          'heartbeat.interval.ms': 1_500,
        }
      : { 'group.protocol': 'consumer', 'group.remote.assignor': 'range' };
  return {
    ...commonConsumer(id.brokers),
    'group.id': id.applicationId,
    'client.id': `${id.applicationId}-${id.instanceId}`,
    ...protocol,
    'max.poll.interval.ms': 300_000,
    'fetch.wait.max.ms': 50,
    rebalance_cb: rebalance,
    ...extra,
  };
}

/** The changelog reader: no group membership (it only assigns), stops at each partition's end. */
export function restoreConsumerConfig(id: ClientIdentity): ClientConfig {
  return {
    ...commonConsumer(id.brokers),
    'group.id': `${id.applicationId}-restore-${id.instanceId}`,
    'enable.partition.eof': true,
  };
}

/**
 * Topic settings of a changelog the runtime creates: compacted, and compacted soon enough that a
 * restore reads little more than the live keys. The active segment is never compacted, so it rolls
 * every hour; a deleted key's tombstone is kept an hour (a restore is much shorter), then dropped.
 * Topics that exist already keep their settings.
 */
export const CHANGELOG_TOPIC_CONFIG: Readonly<Record<string, string>> = {
  'cleanup.policy': 'compact',
  'segment.ms': String(3_600_000),
  'min.cleanable.dirty.ratio': '0.1',
  'delete.retention.ms': String(3_600_000),
};

/** Changelog topics, co-partitioned with the input topic that feeds their store. */
export function changelogTopics(
  topology: BuiltTopology,
  applicationId: string,
  partitionsOf: (inputTopic: string) => number,
  config: Record<string, string> = {},
): Array<{ topic: string; partitions: number; config: Record<string, string> }> {
  const result = new Map<string, { topic: string; partitions: number; config: Record<string, string> }>();
  for (const [topic, source] of topology.sourceByTopic) {
    for (const node of topology.reachableFrom(source)) {
      const n = topology.nodes.get(node)!;
      if (n.kind !== 'processor') continue;
      for (const store of n.stores) {
        if (topology.stores.get(store)?.changelog === false) continue;
        const name = changelogTopic(applicationId, store);
        result.set(name, { topic: name, partitions: partitionsOf(topic), config: { ...CHANGELOG_TOPIC_CONFIG, ...config } });
      }
    }
  }
  return [...result.values()];
}
