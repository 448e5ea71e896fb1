/**
 * Time to recover after a worker dies: watches a consumer group through the admin API until the dead
 * member is gone and every partition it owned belongs to a live member again.
 */
import { until } from './pipeline-harness.ts';

interface GroupMember {
  memberId: string;
  clientId: string;
  assignment?: { topicPartitions?: Array<{ topic: string; partition: number }> };
}

export interface GroupWatch {
  /** Members and the partitions they own, now. */
  members(): Promise<Array<{ memberId: string; clientId: string; partitions: string[] }>>;
  /**
   * Resolves with the milliseconds from `since` until no member of `deadMemberIds` is in the group,
   * the group is stable and `partitions` partitions are owned.
   */
  recovered(deadMemberIds: string[], partitions: number, since: number, timeoutMs?: number): Promise<number>;
  close(): Promise<void>;
}

export async function watchGroup(brokers: string, group: string): Promise<GroupWatch> {
  const { KafkaJS } = await import('@confluentinc/kafka-javascript');
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: brokers.split(','), logLevel: KafkaJS.logLevel.NOTHING } });
  const admin = kafka.admin();
  await admin.connect();
  const describe = async () => {
    const { groups } = await admin.describeGroups([group]);
    return groups[0] as unknown as { state: number; members: GroupMember[] };
  };
  return {
    async members() {
      const g = await describe();
      return (g?.members ?? []).map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        partitions: (m.assignment?.topicPartitions ?? []).map((tp) => `${tp.topic}-${tp.partition}`),
      }));
    },
    async recovered(deadMemberIds, partitions, since, timeoutMs = 120_000) {
      return until(
        'the group to recover',
        async () => {
          const g = await describe();
          if (!g || g.state !== 3 /* STABLE */ || g.members.some((m) => deadMemberIds.includes(m.memberId))) return undefined;
          const owned = new Set(g.members.flatMap((m) => (m.assignment?.topicPartitions ?? []).map((tp) => `${tp.topic}-${tp.partition}`)));
          return owned.size >= partitions ? Date.now() - since : undefined;
        },
        timeoutMs,
        100,
      );
    },
    close: () => admin.disconnect(),
  };
}

/**
 * Kills a member's process (`kill`, e.g. a worker's SIGKILL) and resolves with the milliseconds until
 * the group recovered: the members of `clientId` gone and every partition owned before owned again.
 */
export async function killAndRecover(group: GroupWatch, clientId: string, kill: () => Promise<void>): Promise<number> {
  const members = await group.members();
  const partitions = new Set(members.flatMap((m) => m.partitions)).size;
  const dead = members.filter((m) => m.clientId === clientId).map((m) => m.memberId);
  const killedAt = Date.now();
  await kill();
  return group.recovered(dead, partitions, killedAt);
}
