import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LocalRuntime, Topology, stringSerde, type Processor } from '../../src/engine/index.ts';

const topology = () =>
  new Topology()
    .addSource('in', { topics: 'in', keySerde: stringSerde, valueSerde: stringSerde })
    .addProcessor('upper', {
      parents: ['in'],
      supplier: (): Processor<string, string, string, string> => ({
        process: (r, ctx) => ctx.forward(r.withValue(r.value.toUpperCase())),
      }),
    })
    .addSink('out', { topic: 'out', parents: ['upper'], keySerde: stringSerde, valueSerde: stringSerde });

it('with dropCommitted, records consumed and committed are freed; unconsumed topics keep theirs', async () => {
  const rt = new LocalRuntime({ topology: topology(), partitions: 2, wallClock: 'manual', dropCommitted: true });
  await rt.start();
  for (let i = 0; i < 50; i++) rt.produce('in', `k${i}`, `v${i}`);
  await rt.drain();
  assert.equal(rt.read('in').length, 0, 'every input record was committed and freed');
  assert.equal(rt.read('out').length, 50, 'nobody consumes the output: it stays');
  // Offsets keep counting after the freed records: new input is still processed.
  rt.produce('in', 'k', 'late');
  await rt.drain();
  assert.deepEqual(
    rt
      .read('out')
      .map((r) => r.value?.toString())
      .filter((v) => v === 'LATE'),
    ['LATE'],
  );
  await rt.stop();
});

it('without it, the log keeps every record (the test driver reads inputs back)', async () => {
  const rt = new LocalRuntime({ topology: topology(), wallClock: 'manual' });
  await rt.start();
  for (let i = 0; i < 5; i++) rt.produce('in', `k${i}`, `v${i}`);
  await rt.drain();
  assert.equal(rt.read('in').length, 5);
  await rt.stop();
});
