/**
 * What an operator sees of a Kafka deployment: topics (by name prefix) and their partitions and end
 * offsets, consumer groups with their state, members (client id, host, assigned partitions) and lag
 * (end offset − committed offset, read_committed). One admin client per call, disconnected after.
 */
import type { IAdminClient, LibrdKafkaError } from '@confluentinc/kafka-javascript';
import { kafka } from './kafka-client.ts';
import { EngineError, errorMessage } from './errors.ts';

export interface KafkaTopicInfo {
  name: string;
  partitions: number;
  /** Sum over partitions of the end offsets (read_committed). */
  endOffset: number;
}

export interface KafkaGroupInfo {
  groupId: string;
  state: string;
  members: Array<{ clientId: string; host: string; partitions: Array<{ topic: string; partition: number }> }>;
  /** Sum of (end offset − committed offset) over the partitions the group committed on. */
  lag: number;
  lagByTopic: Record<string, number>;
}

export interface KafkaOverview {
  topics: KafkaTopicInfo[];
  groups: KafkaGroupInfo[];
}

/** librdkafka's ConsumerGroupStates, by number. */
const GROUP_STATES = ['unknown', 'preparing-rebalance', 'completing-rebalance', 'stable', 'dead', 'empty'];

const call = <T>(what: string, fn: (cb: (err: LibrdKafkaError | null | undefined, v: T) => void) => void) =>
  new Promise<T>((resolve, reject) =>
    fn((err, v) => (err ? reject(new EngineError('ENGINE_KAFKA', `${what}: ${errorMessage(err)}`, { cause: err })) : resolve(v))),
  );

/** Topics whose names start with one of `topicPrefixes`, and the given consumer groups. */
export async function describeKafka(
  brokers: string,
  opts: { topicPrefixes: string[]; groupIds: string[]; timeoutMs?: number },
): Promise<KafkaOverview> {
  const api = kafka() as unknown as {
    AdminClient: { create(conf: Record<string, unknown>): IAdminClient };
    OffsetSpec: { LATEST: unknown };
    IsolationLevel?: { READ_COMMITTED: number };
  };
  const timeout = opts.timeoutMs ?? 10_000;
  const admin = api.AdminClient.create({ 'bootstrap.servers': brokers });
  try {
    const names = (await call<string[]>('list topics', (cb) => admin.listTopics({ timeout }, cb as never))).filter((t) =>
      opts.topicPrefixes.some((p) => t.startsWith(p)),
    );
    names.sort();
    const described = names.length
      ? await call<Array<{ name: string; partitions: Array<{ partition: number }> }>>('describe topics', (cb) =>
          admin.describeTopics(names, { timeout }, cb as never),
        )
      : [];
    const partitions = described.flatMap((t) => t.partitions.map((p) => ({ topic: t.name, partition: p.partition })));
    const ends = partitions.length
      ? await call<Array<{ topic: string; partition: number; offset: number }>>('list offsets', (cb) =>
          admin.listOffsets(
            partitions.map((p) => ({ ...p, offset: api.OffsetSpec.LATEST })) as never,
            { timeout, isolationLevel: (api.IsolationLevel?.READ_COMMITTED ?? 1) as never },
            cb as never,
          ),
        )
      : [];
    const end = new Map(ends.map((e) => [`${e.topic}\u0000${e.partition}`, Number(e.offset)]));
    const topics = described.map((t) => ({
      name: t.name,
      partitions: t.partitions.length,
      endOffset: t.partitions.reduce((n, p) => n + Math.max(end.get(`${t.name}\u0000${p.partition}`) ?? 0, 0), 0),
    }));

    const groups: KafkaGroupInfo[] = [];
    if (opts.groupIds.length) {
      const d = await call<{ groups: Array<Record<string, any>> }>('describe groups', (cb) =>
        admin.describeGroups(opts.groupIds, { timeout }, cb as never),
      );
      // librdkafka lists one group's offsets per call.
      const offsets: Array<{ groupId: string; partitions: Array<{ topic: string; partition: number; offset: number }> }> = [];
      for (const groupId of opts.groupIds)
        offsets.push(
          ...(await call<typeof offsets>('list group offsets', (cb) =>
            admin.listConsumerGroupOffsets([{ groupId }], { timeout }, cb as never),
          )),
        );
      for (const g of d.groups) {
        if (g.error && g.state === undefined) continue;
        const committed = offsets.find((o) => o.groupId === g.groupId)?.partitions ?? [];
        const lagByTopic: Record<string, number> = {};
        for (const c of committed) {
          const e = end.get(`${c.topic}\u0000${c.partition}`);
          if (e === undefined || Number(c.offset) < 0) continue;
          lagByTopic[c.topic] = (lagByTopic[c.topic] ?? 0) + Math.max(e - Number(c.offset), 0);
        }
        groups.push({
          groupId: g.groupId,
          state: GROUP_STATES[Number(g.state)] ?? String(g.state),
          members: (g.members ?? []).map((m: Record<string, any>) => ({
            clientId: m.clientId,
            host: m.clientHost,
            partitions: (m.assignment?.topicPartitions ?? []).map((p: { topic: string; partition: number }) => ({
              topic: p.topic,
              partition: p.partition,
            })),
          })),
          lag: Object.values(lagByTopic).reduce((a, b) => a + b, 0),
          lagByTopic,
        });
      }
    }
    return { topics, groups };
  } finally {
    admin.disconnect();
  }
}
