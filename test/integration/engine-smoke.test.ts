import assert from 'node:assert/strict';
import { it } from 'node:test';
import { KafkaRuntime, Topology, stringSerde } from '../../src/engine/index.ts';
import { BROKERS, createTopic, produceAll, readCommitted, uniqueName } from './engine-helpers.ts';

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
