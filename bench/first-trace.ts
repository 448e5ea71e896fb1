/**
 * Where the first published record's time goes (`npm run bench pipeline -- --trace-first`): every
 * record the pipeline writes to its topics is seen with the time its processor emitted it (the
 * record's timestamp) and the time it became visible to the next stage (appended to the local log
 * at a commit, or read by a read_committed consumer of the Kafka topics). The journey of the record
 * published first is then printed hop by hop, in ms from the submission.
 *
 * Only for a traced run: the Kafka observer is one more read_committed consumer on the broker.
 */
import type { KafkaConsumer } from '@confluentinc/kafka-javascript';

/** One record written by the pipeline, reduced to what identifies it. */
export interface Seen {
  topic: string;
  key: string;
  /** Command type (tasks topic), outcome step or task event. */
  what: string;
  recordId?: string;
  sourceId?: string;
  /** When its processor emitted it (the record's timestamp), epoch ms. */
  emittedAt: number;
  /** When the next stage could read it, epoch ms. */
  visibleAt: number;
}

function summarize(topic: string, key: string, value: Buffer | string | null, emittedAt: number, visibleAt: number): Seen {
  let v: Record<string, unknown> = {};
  try {
    v = value === null ? {} : (JSON.parse(value.toString()) as Record<string, unknown>);
  } catch {
    // Not JSON (Debezium rows): only topic and key.
  }
  const what =
    typeof v.type === 'string'
      ? v.type
      : v.kind === 'task'
        ? `task:${String(v.event)}`
        : typeof v.step === 'string'
          ? `${v.step}:${String(v.status)}`
          : topic.slice(topic.lastIndexOf('.') + 1);
  const data = v.data as Record<string, unknown> | undefined;
  const harvest = v.harvest as { data?: Record<string, unknown> } | undefined;
  const sourceId = (v.sourceId ?? v.identifier ?? data?.sourceId ?? harvest?.data?.sourceId) as string | undefined;
  return { topic, key, what, recordId: v.recordId as string | undefined, sourceId, emittedAt, visibleAt };
}

/** Records appended to a LocalLog (the embedded runtime appends a commit's outputs when it commits). */
export function traceLocalLog(log: { append(records: readonly any[]): void }): Seen[] {
  const seen: Seen[] = [];
  const append = log.append.bind(log);
  log.append = (records) => {
    const now = Date.now();
    for (const r of records) seen.push(summarize(r.topic, r.key?.toString() ?? '', r.value, r.timestamp, now));
    append(records);
  };
  return seen;
}

/** A read_committed consumer of `topics` (all partitions, from the start) until `stop()`. */
export async function observeKafka(brokers: string, topics: string[], partitions: number): Promise<{ seen: Seen[]; stop(): Promise<void> }> {
  const { connectConsumer, consume, disconnect } = await import('../src/engine/kafka-client.ts');
  const consumer: KafkaConsumer = await connectConsumer({
    'bootstrap.servers': brokers,
    'group.id': `first-trace-${process.pid}-${Date.now()}`,
    'isolation.level': 'read_committed',
    'enable.auto.commit': false,
    'auto.offset.reset': 'earliest',
    'fetch.wait.max.ms': 5,
  });
  consumer.assign(topics.flatMap((topic) => Array.from({ length: partitions }, (_, partition) => ({ topic, partition, offset: 0 }))));
  consumer.setDefaultConsumeTimeout(5);
  const seen: Seen[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const messages = await consume(consumer, 1000);
      const now = Date.now();
      for (const m of messages) seen.push(summarize(m.topic, m.key?.toString() ?? '', m.value ?? null, m.timestamp ?? now, now));
      if (messages.length === 0) await new Promise((r) => setImmediate(r));
    }
  })();
  return {
    seen,
    async stop() {
      running = false;
      await loop.catch(() => undefined);
      await disconnect(consumer);
    },
  };
}

/** The hops of the first published record, in ms from the submission (`t0`, epoch ms). */
export function firstRecordJourney(seen: Seen[], t0: number, firstPublishedMs: number | undefined): string {
  const published = seen.filter((s) => s.what.startsWith('publish:')).sort((a, b) => a.visibleAt - b.visibleAt)[0];
  if (!published) return 'trace: no publish outcome seen';
  const id = published.recordId ?? published.key;
  const sourceId = seen.find((s) => (s.recordId === id || s.key === id) && s.sourceId)?.sourceId;
  const rows: Array<[string, Seen | undefined]> = [];
  const find = (pred: (s: Seen) => boolean) => seen.filter(pred).sort((a, b) => a.emittedAt - b.emittedAt)[0];
  const tasksTopic = (s: Seen) => s.topic.endsWith('.tasks');
  rows.push(['start command', find((s) => tasksTopic(s) && s.what === 'start')]);
  rows.push(['first list command (intake of start)', find((s) => tasksTopic(s) && s.what === 'list')]);
  rows.push(['listing-started (intake of start)', find((s) => s.what === 'task:listing-started')]);
  rows.push(['expected (first listing page)', find((s) => s.what === 'task:expected')]);
  rows.push(['first fetch command of any record', find((s) => s.topic.endsWith('.fetch'))]);
  rows.push([`fetch command of ${sourceId}`, find((s) => s.topic.endsWith('.fetch') && s.key === sourceId)]);
  rows.push(['first admit envelope of any record', find((s) => s.topic.endsWith('.admit'))]);
  rows.push([`admit envelope (GetRecord done)`, find((s) => s.topic.endsWith('.admit') && s.recordId === id)]);
  for (const s of new Set(seen.filter((x) => x.recordId === id || x.key === id).map((x) => x.topic)))
    if (/\.step\./.test(s)) rows.push([`${s.slice(s.indexOf('.step.') + 1)} envelope`, find((x) => x.topic === s && (x.recordId === id || x.key === id))]);
  for (const x of seen.filter((x) => x.topic.endsWith('.outcomes') && (x.recordId === id || x.key === id)).sort((a, b) => a.emittedAt - b.emittedAt))
    rows.push([`outcome ${x.what}`, x]);
  const ms = (t: number) => String(Math.round(t - t0));
  const lines = [
    `first published record ${id} (source ${sourceId ?? '?'}); ms from submission:`,
    '',
    '| record written | emitted | visible downstream |',
    '|---|---:|---:|',
    ...rows
      .filter((r): r is [string, Seen] => r[1] !== undefined)
      .sort((a, b) => a[1].emittedAt - b[1].emittedAt)
      .map(([label, s]) => `| ${label} (${s.topic.slice(s.topic.indexOf('.') + 1)}) | ${ms(s.emittedAt)} | ${ms(s.visibleAt)} |`),
    `| publish row seen in the database by the benchmark's poll (100 ms) | | ${firstPublishedMs?.toFixed(0) ?? '–'} |`,
  ];
  return lines.join('\n');
}
