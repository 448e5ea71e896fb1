import assert from 'node:assert/strict';
import { it } from 'node:test';
import { EngineError, KafkaRuntime, Topology } from '../../src/engine/index.ts';

it('a stopped KafkaRuntime cannot be started (lifecycle transitions are checked, no broker needed)', async () => {
  const topology = new Topology().addSource('in', { topics: 'in' }).addSink('out', { topic: 'out', parents: ['in'] });
  const runtime = new KafkaRuntime({ topology, brokers: '127.0.0.1:1' });
  assert.equal(runtime.lifecycle, 'created');
  await Promise.all([runtime.stop(), runtime.stop()]);
  assert.equal(runtime.lifecycle, 'stopped');
  await assert.rejects(
    runtime.start(),
    (err: unknown) => err instanceof EngineError && err.code === 'ENGINE_ILLEGAL_STATE',
  );
  await runtime.done;
});
