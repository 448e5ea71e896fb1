/**
 * Topologies of the conformance suite, each with its input. The same definitions run on the
 * LocalRuntime (test/engine/conformance.test.ts) and on Kafka (test/integration/engine-conformance.test.ts),
 * and both must give the same committed output.
 */
import { setTimeout as delay } from 'node:timers/promises';
import {
  StreamRecord,
  Topology,
  jsonSerde,
  stringSerde,
  type Processor,
  type ProcessorContext,
  type KeyValueStore,
  type RecordContext,
} from '../../src/engine/index.ts';

export interface ConformanceCase {
  name: string;
  /** Builds the topology for topic names prefixed with `prefix` (unique per test run). */
  topology(prefix: string): Topology;
  inputTopic: string;
  outputTopics: string[];
  inputs: Array<{ key: string; value: string; timestamp: number }>;
  /** Runtime concurrency to use. */
  concurrency: number;
}

const keys = (n: number, distinct: number) => Array.from({ length: n }, (_, i) => `k${(i * 7) % distinct}`);

export const stateless: ConformanceCase = {
  name: 'stateless map/filter/branch with a per-record sink topic',
  inputTopic: 'in',
  outputTopics: ['short', 'long', 'routed-a', 'routed-b', 'dlq'],
  concurrency: 1,
  inputs: keys(300, 13).map((key, i) => ({
    key,
    value: i % 17 === 0 ? 'skip' : i % 29 === 5 ? 'boom' : `value-${i}${'x'.repeat(i % 9)}`,
    timestamp: 1_000 + i,
  })),
  topology: (p) =>
    new Topology()
      .addSource('source', { topics: `${p}in`, keySerde: stringSerde, valueSerde: stringSerde })
      .addProcessor('map', {
        parents: ['source'],
        supplier: (): Processor<string, string, string, string> => ({
          process(record, ctx) {
            if (record.value === 'boom') throw new Error('boom value');
            ctx.forward(record.withValue(record.value.toUpperCase()).withHeaders({ mapped: 'yes' }));
          },
        }),
      })
      .addProcessor('filter', {
        parents: ['map'],
        supplier: (): Processor<string, string, string, string> => ({
          process(record, ctx) {
            if (record.value !== 'SKIP') ctx.forward(record);
          },
        }),
      })
      .addProcessor('branch', {
        parents: ['filter'],
        supplier: (): Processor<string, string, string, string> => ({
          process(record, ctx) {
            ctx.forward(record, record.value.length > 10 ? 'long-sink' : 'short-sink');
            ctx.forward(record, 'routed-sink');
          },
        }),
      })
      .addSink('short-sink', {
        topic: `${p}short`,
        parents: ['branch'],
        keySerde: stringSerde,
        valueSerde: stringSerde,
      })
      .addSink('long-sink', { topic: `${p}long`, parents: ['branch'], keySerde: stringSerde, valueSerde: stringSerde })
      .addSink('routed-sink', {
        topic: (r: StreamRecord<string | null, string | null>) =>
          r.key!.length % 2 === 0 ? `${p}routed-a` : `${p}routed-b`,
        parents: ['branch'],
        keySerde: stringSerde,
        valueSerde: stringSerde,
      }),
};

/** Counts per key in a changelogged store; a stream-time punctuator emits the number of keys seen. */
export class CountProcessor implements Processor<string, string, string, number> {
  private store!: KeyValueStore<string, number>;
  private ctx!: ProcessorContext<string, number>;
  init(ctx: ProcessorContext<string, number>): void {
    this.ctx = ctx;
    this.store = ctx.getStateStore('counts');
    ctx.schedule(50, 'stream-time', (ts) => {
      this.ctx.forward(new StreamRecord(`__keys-${ctx.partition}`, this.store.size, ts), 'summary-sink');
    });
  }
  process(record: StreamRecord<string, string>, ctx: RecordContext<string, number>): void {
    const count = (this.store.get(record.key) ?? 0) + 1;
    this.store.put(record.key, count);
    ctx.forward(record.withValue(count), 'counts-sink');
  }
}

export const statefulCount: ConformanceCase = {
  name: 'stateful count with stream-time punctuation',
  inputTopic: 'in',
  outputTopics: ['counts', 'summaries'],
  concurrency: 1,
  inputs: keys(400, 23).map((key, i) => ({ key, value: `v${i}`, timestamp: 10_000 + i * 3 })),
  topology: (p) =>
    new Topology()
      .addSource('source', { topics: `${p}in`, keySerde: stringSerde, valueSerde: stringSerde })
      .addProcessor('count', { parents: ['source'], supplier: () => new CountProcessor() })
      .addStateStore({ name: 'counts', keySerde: stringSerde, valueSerde: jsonSerde<number>() }, ['count'])
      .addSink('counts-sink', {
        topic: `${p}counts`,
        parents: ['count'],
        keySerde: stringSerde,
        valueSerde: jsonSerde<number>(),
      })
      .addSink('summary-sink', {
        topic: `${p}summaries`,
        parents: ['count'],
        keySerde: stringSerde,
        valueSerde: jsonSerde<number>(),
      }),
};

/** Async work whose latency varies per record (later records often finish first). */
export const asyncConcurrent: ConformanceCase = {
  name: 'async processor with 8 in flight per partition keeps input order',
  inputTopic: 'in',
  outputTopics: ['out'],
  concurrency: 8,
  inputs: keys(200, 31).map((key, i) => ({ key, value: String(i), timestamp: 5_000 + i })),
  topology: (p) =>
    new Topology()
      .addSource('source', { topics: `${p}in`, keySerde: stringSerde, valueSerde: stringSerde })
      .addProcessor('slow', {
        parents: ['source'],
        concurrency: 8,
        supplier: (): Processor<string, string, string, string> => ({
          async process(record, ctx) {
            const i = Number(record.value);
            await delay((i * 37) % 11);
            ctx.forward(record.withValue(`done-${i}`));
            if (i % 50 === 3) {
              await delay(1);
              throw new Error(`async failure ${i}`);
            }
          },
        }),
      })
      .addSink('sink', { topic: `${p}out`, parents: ['slow'], keySerde: stringSerde, valueSerde: stringSerde }),
};

export const conformanceCases = [stateless, statefulCount, asyncConcurrent];

/** A comparable view of committed output: per topic and partition, key/value/headers in offset order. */
export type OutputView = Record<string, string[]>;

export function viewOf(
  records: Array<{
    topic: string;
    partition: number;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, string>;
  }>,
  prefix: string,
): OutputView {
  const view: OutputView = {};
  for (const r of records) {
    const topic = r.topic.slice(prefix.length);
    const interesting = Object.entries(r.headers)
      .filter(([k]) => k === 'mapped' || k === 'x-error-message' || k === 'x-source-offset')
      .sort(([a], [b]) => a.localeCompare(b));
    (view[`${topic}/${r.partition}`] ??= []).push(
      `${r.key?.toString() ?? 'null'}=${r.value?.toString() ?? 'null'}${interesting.length ? ` ${JSON.stringify(interesting)}` : ''}`,
    );
  }
  return view;
}

/**
 * Output grouped by topic, partition and key: the order a runtime guarantees (per key, hence per input
 * partition) without depending on how tasks of different partitions interleave in a shared output.
 */
export function keyedViewOf(
  records: Array<{
    topic: string;
    partition: number;
    key: Buffer | null;
    value: Buffer | null;
    headers: Record<string, string>;
  }>,
  prefix: string,
): OutputView {
  const view: OutputView = {};
  for (const r of records) {
    const topic = r.topic.slice(prefix.length);
    const errorHeader = r.headers['x-error-message'] ? ` error=${r.headers['x-error-message']}` : '';
    (view[`${topic}/${r.partition}/${r.key?.toString() ?? 'null'}`] ??= []).push(
      `${r.value?.toString() ?? 'null'}${r.headers.mapped ? ' mapped' : ''}${errorHeader}`,
    );
  }
  return view;
}
