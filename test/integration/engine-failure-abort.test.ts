/**
 * A runtime that fails aborts its open transaction instead of leaving it to the broker's timeout:
 * until then read_committed readers of every partition it wrote to are stuck at the transaction's
 * first record. Here the transaction timeout is 120 s and no commit is due (interval 10 min): a
 * record written to the output after the failure is readable at once.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { EngineError, KafkaRuntime } from '../../src/engine/index.ts';
import { BROKERS, createTopic, failingTopology, produceAll, readCommitted, uniqueName } from './engine-helpers.ts';

it('a failed KafkaRuntime aborts its open transaction: readers of its outputs are not held up', { timeout: 120_000 }, async () => {
  const input = uniqueName('fa-in');
  const output = uniqueName('fa-out');
  await createTopic(input, 1);
  await createTopic(output, 1);
  const topology = failingTopology(input, output);
  const runtime = new KafkaRuntime({
    topology,
    brokers: BROKERS,
    applicationId: uniqueName('fa-app'),
    errorPolicy: 'fail-fast',
    commitIntervalMs: 600_000,
    producerConfig: { 'transaction.timeout.ms': 120_000 },
  });
  await runtime.start();
  await produceAll(input, [{ key: 'k', value: 'good' }, { key: 'k', value: 'bad' }]);
  await assert.rejects(runtime.done, (err: unknown) => err instanceof EngineError && err.code === 'ENGINE_PROCESSING');
  await produceAll(output, [{ key: 'k', value: 'after the failure' }]);
  const out = await readCommitted(output, (rs) => rs.length > 0, 20_000);
  assert.deepEqual(
    out.map((r) => r.value?.toString()),
    ['after the failure'],
    'the open transaction (holding "good") was aborted, not left to block the partition',
  );
});
