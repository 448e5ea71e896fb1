/**
 * librdkafka settings of the KafkaRuntime's clients, and the changelog topics it must create.
 *
 * Group protocol: classic with `cooperative-sticky` assignment. KIP-848 (`group.protocol=consumer`)
 * also works with librdkafka 2.15, but its session timeout is broker-side (45 s by default on Kafka
 * 4.4), so a SIGKILLed member would hold its partitions far longer; the classic protocol lets the
 * runtime set a short `session.timeout.ms` and still revokes incrementally. To try KIP-848, pass
 * `consumerConfig: {'group.protocol': 'consumer', 'partition.assignment.strategy': '', ...}`.
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
});

export function groupConsumerConfig(
  id: ClientIdentity,
  rebalance: (...args: any[]) => void,
  extra: ClientConfig = {},
): ClientConfig {
  return {
    ...commonConsumer(id.brokers),
    'group.id': id.applicationId,
    'client.id': `${id.applicationId}-${id.instanceId}`,
    'partition.assignment.strategy': 'cooperative-sticky',
    // The broker's minimum for the classic protocol; a killed member is noticed after 6 s.
    'session.timeout.ms': 6_000,
    'heartbeat.interval.ms': 1_500,
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
