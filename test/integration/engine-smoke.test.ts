import assert from 'node:assert/strict';
import { it } from 'node:test';
import { EngineError, KafkaRuntime, StreamRecord, Topology, stringSerde, type Processor, type ProcessorContext } from '../../src/engine/index.ts';
import { BROKERS, createTopic, failingTopology, produceAll, readCommitted, uniqueName } from './engine-helpers.ts';

it('KafkaRuntime maps records exactly once on a real broker', async () => {
  const input = uniqueName('smoke-in');
  const output = uniqueName('smoke-out');
  await createTopic(input, 3);
  const topology = new Topology()
    .addSource('src', { topics: input, keySerde: stringSerde, valueSerde: stringSerde })
    .addProcessor('upper', { parents: ['src'], supplier: () => ({ process: (r, ctx) => ctx.forward(r.withValue(String(r.value).toUpperCase())) }) })
    .addSink('out', { topic: output, parents: ['upper'], keySerde: stringSerde, valueSerde: stringSerde });
  const runtime = new KafkaRuntime({ topology, brokers: BROKERS, applicationId: uniqueName('smoke-app'), topics: { [output]: 3 } });
  await runtime.start();
  await produceAll(input, Array.from({ length: 1000 }, (_, i) => ({ key: `k${i % 37}`, value: `v${i}` })));
  const records = await readCommitted(output, (rs) => rs.length >= 1000);
  await runtime.stop();
  assert.equal(records.length, 1000);
  assert.deepEqual(new Set(records.map((r) => r.value!.toString())), new Set(Array.from({ length: 1000 }, (_, i) => `V${i}`)));
  const m = runtime.metrics();
  assert.equal(m.processors.upper.in, 1000);
  assert.ok(m.commits.count > 0);
});

it('KafkaRuntime fires wall-clock punctuators while the input is idle', async () => {
  const input = uniqueName('tick-in');
  const output = uniqueName('tick-out');
  await createTopic(input, 1);
  class Ticker implements Processor<string, string, string, string> {
    init(ctx: ProcessorContext<string, string>): void {
      ctx.schedule(100, 'wall-clock', (ts) => ctx.forward(new StreamRecord('tick', String(ts), ts)));
    }
    process(): void {}
  }
  const topology = new Topology()
    .addSource('src', { topics: input, keySerde: stringSerde, valueSerde: stringSerde })
    .addProcessor('ticker', { parents: ['src'], supplier: () => new Ticker() })
    .addSink('out', { topic: output, parents: ['ticker'], keySerde: stringSerde, valueSerde: stringSerde });
  const runtime = new KafkaRuntime({ topology, brokers: BROKERS, applicationId: uniqueName('tick-app') });
  await runtime.start();
  try {
    const ticks = await readCommitted(output, (rs) => rs.length >= 3, 30_000, false);
    assert.ok(ticks.every((r) => r.key?.toString() === 'tick'));
  } finally {
    await runtime.stop();
  }
});

it('KafkaRuntime with fail-fast stops on a failing record and commits nothing of it', async () => {
  const input = uniqueName('ff-in');
  const output = uniqueName('ff-out');
  await createTopic(input, 1);
  const topology = failingTopology(input, output);
  const runtime = new KafkaRuntime({ topology, brokers: BROKERS, applicationId: uniqueName('ff-app'), errorPolicy: 'fail-fast', topics: { [output]: 1 } });
  await runtime.start();
  await produceAll(input, [{ key: 'k', value: 'good' }, { key: 'k', value: 'bad' }, { key: 'k', value: 'after' }]);
  await assert.rejects(runtime.done, (err: unknown) => err instanceof EngineError && err.code === 'ENGINE_PROCESSING');
  assert.equal(runtime.lifecycle, 'failed');
  const out = await readCommitted(output, () => true, 30_000);
  assert.ok(out.every((r) => r.value?.toString() === 'good'), `committed: ${out.map((r) => r.value?.toString())}`);
});
