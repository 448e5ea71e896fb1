import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import {
  EngineError,
  LocalRuntime,
  StreamRecord,
  Topology,
  stringSerde,
  zodJsonSerde,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  type RecordContext,
  type TopicPartitionOffset,
} from '../../src/engine/index.ts';

const values = (rt: LocalRuntime, topic: string) => rt.read(topic).map((r) => r.value?.toString());

function mapTopology(fn: (v: string) => string | Promise<string>, options: { concurrency?: number } = {}) {
  return new Topology()
    .addSource('in', { topics: 'in', keySerde: stringSerde, valueSerde: stringSerde })
    .addProcessor('map', {
      parents: ['in'],
      concurrency: options.concurrency,
      supplier: (): Processor<string, string, string, string> => ({
        async process(record, ctx) {
          ctx.forward(record.withValue(await fn(record.value)));
        },
      }),
    })
    .addSink('out', { topic: 'out', parents: ['map'], keySerde: stringSerde, valueSerde: stringSerde });
}

describe('LocalRuntime', () => {
  it('dead-letters a record that fails zod validation and keeps processing', async () => {
    const schema = z.object({ n: z.number() });
    const topology = new Topology()
      .addSource('in', { topics: 'in', keySerde: stringSerde, valueSerde: zodJsonSerde(schema) })
      .addProcessor('double', {
        parents: ['in'],
        supplier: () => ({
          process: (r: StreamRecord<string, { n: number }>, ctx: any) => ctx.forward(r.withValue({ n: r.value.n * 2 })),
        }),
      })
      .addSink('out', { topic: 'out', parents: ['double'], keySerde: stringSerde, valueSerde: zodJsonSerde(schema) });
    const rt = new LocalRuntime({ topology, applicationId: 'zod', wallClock: 'manual' });
    await rt.start();
    rt.produce('in', 'a', '{"n":1}');
    rt.produce('in', 'b', '{"n":"two"}');
    rt.produce('in', 'c', 'not json');
    rt.produce('in', 'd', '{"n":4}');
    await rt.drain();
    assert.deepEqual(values(rt, 'out'), ['{"n":2}', '{"n":8}']);
    const dlq = rt.read('zod-dlq');
    assert.deepEqual(
      dlq.map((r) => [
        r.key?.toString(),
        r.value?.toString(),
        r.headers['x-error-stage'],
        r.headers['x-error-code'],
        r.headers['x-source-offset'],
      ]),
      [
        ['b', '{"n":"two"}', 'deserialize', 'ENGINE_DESERIALIZATION', '1'],
        ['c', 'not json', 'deserialize', 'ENGINE_DESERIALIZATION', '2'],
      ],
    );
    assert.equal(rt.metrics().partitions[0].committed, 4);
    await rt.stop();
  });

  it('fail-fast stops before committing the failing record or anything after it', async () => {
    const rt = new LocalRuntime({
      topology: mapTopology((v) => {
        if (v === 'bad') throw new Error('cannot map bad');
        return v.toUpperCase();
      }),
      errorPolicy: 'fail-fast',
      wallClock: 'manual',
    });
    await rt.start();
    rt.produce('in', 'k', 'a');
    await rt.drain();
    rt.produce('in', 'k', 'bad');
    rt.produce('in', 'k', 'c');
    await assert.rejects(
      rt.drain(),
      (err: unknown) =>
        err instanceof EngineError && err.code === 'ENGINE_PROCESSING' && /cannot map bad/.test(err.message),
    );
    assert.deepEqual(values(rt, 'out'), ['A']);
    assert.equal(rt.log.committed('metis-streams', 'in', 0), 1);
    await rt.stop();
  });

  it('keeps at most `concurrency` records in flight per partition and emits in input order', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const releases: Array<() => void> = [];
    const rt = new LocalRuntime({
      topology: mapTopology(
        async (v) => {
          inFlight++;
          maxInFlight = Math.max(maxInFlight, inFlight);
          await new Promise<void>((resolve) => releases.push(resolve));
          inFlight--;
          return v;
        },
        { concurrency: 4 },
      ),
      wallClock: 'manual',
    });
    await rt.start();
    for (let i = 0; i < 10; i++) rt.produce('in', 'k', String(i));
    let finished = false;
    const drained = rt.drain().then(() => void (finished = true));
    // Release in reverse order of arrival, window by window: outputs must still come out in order.
    while (!finished) {
      await new Promise((resolve) => setImmediate(resolve));
      assert.ok(inFlight <= 4);
      const batch = releases.splice(0);
      for (const release of batch.reverse()) release();
    }
    await drained;
    assert.equal(maxInFlight, 4);
    assert.deepEqual(values(rt, 'out'), ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    await rt.stop();
  });

  it('fires wall-clock punctuators on the manual clock', async () => {
    class Ticker implements Processor<string, string, string, string> {
      private seen = 0;
      init(ctx: ProcessorContext<string, string>): void {
        ctx.schedule(1000, 'wall-clock', (ts) => ctx.forward(new StreamRecord('tick', `seen=${this.seen}`, ts)));
      }
      process(): void {
        this.seen++;
      }
    }
    const topology = new Topology()
      .addSource('in', { topics: 'in', keySerde: stringSerde, valueSerde: stringSerde })
      .addProcessor('ticker', { parents: ['in'], supplier: () => new Ticker() })
      .addSink('out', { topic: 'out', parents: ['ticker'], keySerde: stringSerde, valueSerde: stringSerde });
    const rt = new LocalRuntime({ topology, wallClock: 'manual' });
    await rt.start();
    rt.produce('in', 'k', 'x');
    rt.produce('in', 'k', 'y');
    await rt.drain();
    assert.deepEqual(values(rt, 'out'), []);
    rt.advanceWallClock(999);
    await rt.drain();
    assert.deepEqual(values(rt, 'out'), []);
    rt.advanceWallClock(1);
    await rt.drain();
    assert.deepEqual(values(rt, 'out'), ['seen=2']);
    await rt.stop();
  });

  it('calls commit participants with the offsets being committed and resumes from the offset store', async () => {
    const commits: TopicPartitionOffset[][] = [];
    const rows: string[] = [];
    class Sink implements Processor<string, string> {
      private buffer: string[] = [];
      process(record: StreamRecord<string, string>): void {
        this.buffer.push(record.value);
      }
      async commit(offsets: TopicPartitionOffset[]): Promise<void> {
        rows.push(...this.buffer);
        this.buffer = [];
        commits.push(offsets);
      }
    }
    const topology = () =>
      new Topology()
        .addSource('in', { topics: 'in', keySerde: stringSerde, valueSerde: stringSerde })
        .addProcessor('sink', { parents: ['in'], supplier: () => new Sink() });
    const rt = new LocalRuntime({ topology: topology(), applicationId: 'db', wallClock: 'manual' });
    await rt.start();
    for (const v of ['a', 'b', 'c']) rt.produce('in', 'k', v);
    await rt.drain();
    await rt.stop();
    assert.deepEqual(rows, ['a', 'b', 'c']);
    assert.deepEqual(commits.at(-1), [{ topic: 'in', partition: 0, offset: 3 }]);
    // A new runtime on the same log, whose offset store says "2 rows done": it replays from offset 2.
    const second = new LocalRuntime({
      topology: topology(),
      applicationId: 'db-2',
      log: rt.log,
      wallClock: 'manual',
      offsetStore: {
        load: async (app, topic, partition) => (app === 'db-2' && topic === 'in' && partition === 0 ? 2 : undefined),
      },
    });
    rows.length = 0;
    await second.start();
    await second.drain();
    await second.stop();
    assert.deepEqual(rows, ['c']);
  });

  it("commits other tasks' outputs while a commit participant's transaction is still running", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    const rows: string[] = [];
    class SlowSink implements Processor<string, string> {
      private buffer: string[] = [];
      process(record: StreamRecord<string, string>): void {
        this.buffer.push(record.value);
      }
      async commit(): Promise<void> {
        await held;
        rows.push(...this.buffer);
        this.buffer = [];
      }
    }
    const topology = mapTopology((v) => v.toUpperCase())
      .addSource('rows-in', { topics: 'rows', keySerde: stringSerde, valueSerde: stringSerde })
      .addProcessor('rows', { parents: ['rows-in'], supplier: () => new SlowSink() });
    const rt = new LocalRuntime({ topology, applicationId: 'split', wallClock: 'manual' });
    await rt.start();
    rt.produce('rows', 'k', 'r1');
    // The sink's commit starts and waits; a record of another task goes through meanwhile.
    while (rt.metrics().partitions.find((p) => p.topic === 'rows')!.inFlight > 0) await new Promise((r) => setImmediate(r));
    rt.produce('in', 'k', 'a');
    for (let i = 0; i < 1000 && values(rt, 'out').length === 0; i++) await new Promise((r) => setImmediate(r));
    assert.deepEqual(values(rt, 'out'), ['A']);
    assert.equal(rt.log.committed('split', 'in', 0), 1);
    assert.deepEqual(rows, [], 'the sink has not committed yet');
    assert.equal(rt.log.committed('split', 'rows', 0), undefined, "the sink's offset waits for its transaction");
    release();
    await rt.drain();
    assert.deepEqual(rows, ['r1']);
    assert.equal(rt.log.committed('split', 'rows', 0), 1);
    await rt.stop();
  });

  it('runs a chain of topics in one topology until everything is drained', async () => {
    const topology = new Topology()
      .addSource('a', { topics: 'step-a', keySerde: stringSerde, valueSerde: stringSerde })
      .addSource('b', { topics: 'step-b', keySerde: stringSerde, valueSerde: stringSerde })
      .addProcessor('inc', {
        parents: ['a', 'b'],
        supplier: (): Processor<string, string, string, string> => ({
          process(record, ctx) {
            const n = Number(record.value) + 1;
            ctx.forward(record.withValue(String(n)), n < 5 ? 'next' : 'done');
          },
        }),
      })
      .addSink('next', {
        topic: (r) => (Number(r.value) % 2 === 0 ? 'step-a' : 'step-b'),
        parents: ['inc'],
        keySerde: stringSerde,
        valueSerde: stringSerde,
      })
      .addSink('done', { topic: 'done', parents: ['inc'], keySerde: stringSerde, valueSerde: stringSerde });
    const rt = new LocalRuntime({ topology, partitions: 2, wallClock: 'manual' });
    await rt.start();
    rt.produce('step-a', 'x', '0');
    rt.produce('step-b', 'y', '1');
    await rt.drain();
    assert.deepEqual(values(rt, 'done').sort(), ['5', '5']);
    await rt.stop();
  });

  it('dead-letters a forward to an unknown child', async () => {
    const topology = new Topology()
      .addSource('in', { topics: 'in', keySerde: stringSerde, valueSerde: stringSerde })
      .addProcessor('p', {
        parents: ['in'],
        supplier: () => ({ process: (r: StreamRecord<string, string>, ctx: any) => ctx.forward(r, 'nope') }),
      })
      .addSink('out', { topic: 'out', parents: ['p'] });
    const rt = new LocalRuntime({ topology, wallClock: 'manual' });
    await rt.start();
    rt.produce('in', 'k', 'v');
    await rt.drain();
    assert.equal(rt.read('metis-streams-dlq')[0].headers['x-error-code'], 'ENGINE_UNKNOWN_CHILD');
    await rt.stop();
  });

  it('start and stop are idempotent, also when called concurrently', async () => {
    const rt = new LocalRuntime({ topology: mapTopology((v) => v), wallClock: 'manual' });
    await Promise.all([rt.start(), rt.start()]);
    rt.produce('in', 'k', 'v');
    await rt.drain();
    await Promise.all([rt.stop(), rt.stop()]);
    await rt.stop();
    assert.deepEqual(values(rt, 'out'), ['v']);
  });
});

describe('Topology.build', () => {
  const src = () => new Topology().addSource('in', { topics: 'in' });
  it('rejects unknown parents, duplicate names, shared topics and stores reached from several topics', () => {
    const code = (fn: () => unknown) =>
      assert.throws(fn, (e: unknown) => e instanceof EngineError && e.code === 'ENGINE_TOPOLOGY_INVALID');
    code(() =>
      src()
        .addSink('out', { topic: 't', parents: ['missing'] })
        .build(),
    );
    code(() => src().addSource('in', { topics: 'other' }));
    code(() => src().addSource('in2', { topics: 'in' }).build());
    code(() =>
      src()
        .addSource('in2', { topics: 'in2' })
        .addProcessor('p', { parents: ['in', 'in2'], supplier: () => ({ process() {} }) })
        .addStateStore({ name: 's', keySerde: stringSerde, valueSerde: stringSerde }, ['p'])
        .build(),
    );
    code(() => src().addProcessor('p', { parents: ['in'], concurrency: 0, supplier: () => ({ process() {} }) }));
  });

  it('describes the graph', () => {
    const text = src()
      .addProcessor('p', { parents: ['in'], supplier: () => ({ process() {} }) })
      .addSink('out', { topic: 'out', parents: ['p'] })
      .build()
      .describe();
    assert.equal(text, 'source in [in] -> p\nprocessor p -> out\nsink out -> out');
  });
});

it('StreamRecord copies with with*() and never changes the original', () => {
  const r = new StreamRecord('k', 1, 10, { a: '1' });
  const r2 = r.withValue(2).withHeaders({ b: '2' }).withKey('k2').withTimestamp(20);
  assert.deepEqual([r.key, r.value, r.timestamp, r.headers], ['k', 1, 10, { a: '1' }]);
  assert.deepEqual([r2.key, r2.value, r2.timestamp, r2.headers], ['k2', 2, 20, { a: '1', b: '2' }]);
});

it('calls the observability hooks: assigned, restored, dead-letter, commit', async () => {
  const events: string[] = [];
  let committedOutputs = 0;
  class Remember implements Processor<string, string, string, string> {
    private store!: KeyValueStore<string, string>;
    init(ctx: ProcessorContext<string, string>): void {
      this.store = ctx.getStateStore('s');
    }
    process(record: StreamRecord<string, string>, ctx: RecordContext<string, string>): void {
      if (record.value === 'bad') throw new Error('bad');
      this.store.put(record.key, record.value);
      ctx.forward(record);
    }
  }
  const topology = new Topology()
    .addSource('in', { topics: 'in', keySerde: stringSerde, valueSerde: stringSerde })
    .addProcessor('p', { parents: ['in'], supplier: () => new Remember() })
    .addStateStore({ name: 's', keySerde: stringSerde, valueSerde: stringSerde }, ['p'])
    .addSink('out', { topic: 'out', parents: ['p'] });
  const rt = new LocalRuntime({
    topology,
    wallClock: 'manual',
    hooks: {
      assigned: (ps) => events.push(`assigned ${ps.map((p) => `${p.topic}-${p.partition}`).join(',')}`),
      restored: (e) => events.push(`restored ${e.store} ${e.records}`),
      deadLetter: (e) => events.push(`dead-letter ${e.offset} ${e.stage} ${e.error}`),
      commit: (e) => void (committedOutputs += e.outputs),
    },
  });
  await rt.start();
  rt.produce('in', 'a', 'good');
  rt.produce('in', 'b', 'bad');
  await rt.drain();
  await rt.stop();
  assert.deepEqual(events, ['restored s 0', 'assigned in-0', 'dead-letter 1 process bad']);
  // One output, one changelog write, one dead-letter record.
  assert.equal(committedOutputs, 3);
});

it('keeps input order through two levels of async processors', async () => {
  const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const topology = new Topology()
    .addSource('in', { topics: 'in', keySerde: stringSerde, valueSerde: stringSerde })
    .addProcessor('first', {
      parents: ['in'],
      concurrency: 6,
      supplier: (): Processor<string, string, string, string> => ({
        async process(record, ctx) {
          await wait((Number(record.value) * 7) % 5);
          ctx.forward(record.withValue(`${record.value}a`));
          ctx.forward(record.withValue(`${record.value}b`));
        },
      }),
    })
    .addProcessor('second', {
      parents: ['first'],
      supplier: (): Processor<string, string, string, string> => ({
        async process(record, ctx) {
          await wait(record.value.endsWith('a') ? 4 : 0);
          ctx.forward(record.withValue(`${record.value}!`));
        },
      }),
    })
    .addSink('out', { topic: 'out', parents: ['second'], keySerde: stringSerde, valueSerde: stringSerde });
  const rt = new LocalRuntime({ topology, wallClock: 'manual' });
  await rt.start();
  for (let i = 0; i < 30; i++) rt.produce('in', 'k', String(i));
  await rt.drain();
  await rt.stop();
  // Per input record its outputs in forward order ("a" before "b" even though "b" finishes first).
  assert.deepEqual(values(rt, 'out'), Array.from({ length: 30 }, (_, i) => [`${i}a!`, `${i}b!`]).flat());
});
