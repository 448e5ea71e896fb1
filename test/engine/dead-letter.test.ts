import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LocalRuntime, Topology, readDeadLetterHeaders, stringSerde, type Processor } from '../../src/engine/index.ts';

it('dead-letter headers: what the engine writes, the one schema reads back (typed), with the input headers kept', async () => {
  const topology = new Topology()
    .addSource('in', { topics: 'in', keySerde: stringSerde, valueSerde: stringSerde })
    .addProcessor('check', {
      parents: ['in'],
      supplier: (): Processor<string, string, string, string> => ({
        process(record, ctx) {
          if (record.value === 'bad') throw new Error('bad value');
          ctx.forward(record);
        },
      }),
    })
    .addSink('out', { topic: 'out', parents: ['check'], keySerde: stringSerde, valueSerde: stringSerde });
  const rt = new LocalRuntime({ topology, applicationId: 'dl', partitions: 2, wallClock: 'manual' });
  await rt.start();
  try {
    rt.produce('in', 'k1', 'good', { trace: 't1' });
    rt.produce('in', 'k2', 'bad', { trace: 't2' });
    await rt.drain();
    const [dead] = rt.read('dl-dlq');
    assert.equal(dead.value?.toString(), 'bad');
    assert.equal(dead.headers.trace, 't2');
    const source = rt.read('in').find((r) => r.key?.toString() === 'k2')!;
    assert.deepEqual(readDeadLetterHeaders(dead.headers), {
      'x-error-message': 'bad value',
      'x-error-code': 'ENGINE_PROCESSING',
      'x-error-stage': 'process',
      'x-error-node': 'check',
      'x-source-topic': 'in',
      'x-source-partition': source.partition,
      'x-source-offset': source.offset,
    });
    // A record the engine did not dead-letter (or with a malformed offset) has no dead-letter info.
    assert.equal(readDeadLetterHeaders(rt.read('out')[0].headers), undefined);
    assert.equal(readDeadLetterHeaders({ ...dead.headers, 'x-source-offset': 'seven' }), undefined);
  } finally {
    await rt.stop();
  }
});
