/**
 * The duplicate detector: reads a pipeline's outcomes topic from the beginning to its end as a
 * read_committed consumer would (aborted transactions skipped, open ones waited for) and finds every
 * (task, step, record) that has more than one record outcome. Under exactly-once each step of each
 * record emits one outcome, so two committed events for one key mean a step ran twice and both runs
 * were committed; the sink absorbs such a replay (it upserts the row and counts only new rows), so
 * only this reader can see it.
 *
 * Used by the Kafka crash test and by `tools/outcome-duplicates.ts` after any run.
 */
import { createRequire } from 'node:module';
import type { KafkaConsumer, Message } from '@confluentinc/kafka-javascript';

/** One committed outcome event, where it sits in the topic. */
export interface OutcomeAt {
  partition: number;
  offset: number;
  status: string;
  terminal: boolean;
}

export interface DuplicateOutcome {
  taskId: string;
  step: string;
  recordId: string;
  events: OutcomeAt[];
}

export interface OutcomeScan {
  /** Committed record outcomes read (task events not counted). */
  records: number;
  /** Task events read (listing-started, expected, listing-done, failed, cancelled). */
  taskEvents: number;
  duplicates: DuplicateOutcome[];
}

export interface ScanOptions {
  /** Only this task's outcomes. */
  taskId?: string;
  /** Gives up when the end is not reached within this time. Default 120 s. */
  timeoutMs?: number;
}

interface OutcomeValue {
  kind?: string;
  taskId?: string;
  step?: string;
  recordId?: string;
  status?: string;
  terminal?: boolean;
}

/**
 * Reads every partition of `topic` from the beginning to its last stable offset as a read_committed
 * consumer (aborted transactions skipped, an open one waited for), calling `fn` for each record.
 */
export async function readCommitted(brokers: string, topic: string, fn: (m: Message) => void, timeoutMs = 120_000): Promise<void> {
  const { KafkaConsumer: Consumer } = createRequire(import.meta.url)('@confluentinc/kafka-javascript') as {
    KafkaConsumer: new (conf: Record<string, unknown>, topicConf: Record<string, unknown>) => KafkaConsumer;
  };
  const consumer = new Consumer(
    {
      'bootstrap.servers': brokers,
      'group.id': `read-committed-${process.pid}-${Date.now()}`,
      'isolation.level': 'read_committed',
      'enable.auto.commit': false,
      'enable.partition.eof': true,
    },
    { 'auto.offset.reset': 'earliest' },
  );
  await new Promise<void>((resolve, reject) => consumer.connect({ timeout: 30_000 }, (err) => (err ? reject(err) : resolve())));
  try {
    const meta = await new Promise<{ topics: Array<{ name: string; partitions: Array<{ id: number }> }> }>((resolve, reject) =>
      consumer.getMetadata({ topic, timeout: 10_000 }, (err, data) => (err ? reject(err) : resolve(data as never))),
    );
    const partitions = meta.topics.find((t) => t.name === topic)?.partitions.map((p) => p.id) ?? [];
    if (partitions.length === 0) throw new Error(`topic ${topic} not found`);
    const open = new Set(partitions);
    consumer.on('partition.eof', (e: { partition: number }) => open.delete(e.partition));
    consumer.assign(partitions.map((partition) => ({ topic, partition, offset: -2 })));
    consumer.setDefaultConsumeTimeout(200);
    const deadline = Date.now() + timeoutMs;
    while (open.size > 0) {
      if (Date.now() > deadline) throw new Error(`${topic}: end not reached within ${timeoutMs} ms (partitions ${[...open].join(', ')} open)`);
      const batch = await new Promise<Message[]>((resolve, reject) => consumer.consume(1000, (err, m) => (err ? reject(err) : resolve(m))));
      for (const m of batch) fn(m);
    }
  } finally {
    await new Promise<void>((resolve) => consumer.disconnect(() => resolve()));
  }
}

/** Reads the outcomes topic read_committed to its end and lists the duplicated (task, step, record) keys. */
export async function scanOutcomes(brokers: string, topic: string, options: ScanOptions = {}): Promise<OutcomeScan> {
  const seen = new Map<string, DuplicateOutcome>();
  let records = 0;
  let taskEvents = 0;
  await readCommitted(
    brokers,
    topic,
    (m) => {
      let v: OutcomeValue;
      try {
        v = JSON.parse(m.value?.toString('utf8') ?? 'null') as OutcomeValue;
      } catch {
        return;
      }
      if (!v || (options.taskId && v.taskId !== options.taskId)) return;
      if (v.kind === 'task') {
        taskEvents++;
        return;
      }
      if (v.kind !== 'record' || !v.taskId || !v.step || !v.recordId) return;
      records++;
      const key = `${v.taskId}\u0000${v.step}\u0000${v.recordId}`;
      const at: OutcomeAt = { partition: m.partition, offset: m.offset, status: v.status ?? '?', terminal: v.terminal === true };
      const entry = seen.get(key);
      if (entry) entry.events.push(at);
      else seen.set(key, { taskId: v.taskId, step: v.step, recordId: v.recordId, events: [at] });
    },
    options.timeoutMs,
  );
  const duplicates = [...seen.values()].filter((d) => d.events.length > 1);
  return { records, taskEvents, duplicates };
}

/** One line per duplicate: the key and where each of its events sits. */
export function describeDuplicates(duplicates: DuplicateOutcome[], max = 50): string {
  const lines = duplicates
    .slice(0, max)
    .map(
      (d) =>
        `${d.taskId} ${d.step} ${d.recordId}: ${d.events.map((e) => `p${e.partition}@${e.offset} ${e.status}${e.terminal ? ' terminal' : ''}`).join(', ')}`,
    );
  if (duplicates.length > max) lines.push(`… and ${duplicates.length - max} more`);
  return lines.join('\n');
}
