/**
 * The duplicate detector on a real broker: committed outcome events are read, aborted ones are not,
 * and two committed events for one (task, step, record) are reported with their offsets.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connectProducer, disconnect, ensureTopics, produce, txn } from '../../src/engine/kafka-client.ts';
import { describeDuplicates, scanOutcomes } from '../support/outcome-duplicates.ts';
import { requireKafka, uniqueName } from '../support/services.ts';

const outcome = (recordId: string, step = 'transform') =>
  JSON.stringify({ kind: 'record', taskId: 't1', recordId, step, status: 'success', messages: [], content: null, terminal: false });

test('the detector reports two committed outcomes of one (task, step, record) and ignores aborted ones', { timeout: 120_000 }, async () => {
  const brokers = (await requireKafka()).join(',');
  const topic = `${uniqueName('dup_detect')}.outcomes`;
  await ensureTopics(brokers, [{ topic, partitions: 2 }]);
  const producer = await connectProducer({ 'bootstrap.servers': brokers, 'transactional.id': uniqueName('dup_detect_tx'), 'enable.idempotence': true });
  try {
    await txn.init(producer);
    const send = async (records: Array<[string, string]>, commit: boolean) => {
      await txn.begin(producer);
      for (const [key, value] of records) await produce(producer, { topic, key: Buffer.from(key), value: Buffer.from(value), timestamp: Date.now(), headers: {} });
      await (commit ? txn.commit(producer) : txn.abort(producer));
    };
    await send([['a', outcome('a')], ['b', outcome('b')], ['b', outcome('b', 'normalize')]], true);
    await send([['c', outcome('c')], ['c', outcome('c')]], false); // aborted: never seen
    await send([['a', outcome('a')], ['t1', JSON.stringify({ kind: 'task', taskId: 't1', event: 'listing-done', expected: 3 })]], true);
  } finally {
    await disconnect(producer);
  }
  const scan = await scanOutcomes(brokers, topic, { timeoutMs: 60_000 });
  assert.equal(scan.records, 4);
  assert.equal(scan.taskEvents, 1);
  assert.deepEqual(
    scan.duplicates.map((d) => [d.taskId, d.step, d.recordId, d.events.length]),
    [['t1', 'transform', 'a', 2]],
  );
  const [dup] = scan.duplicates;
  assert.equal(new Set(dup.events.map((e) => `${e.partition}@${e.offset}`)).size, 2, 'two events at different offsets');
  assert.match(describeDuplicates(scan.duplicates), /^t1 transform a: p\d@\d+ success, p\d@\d+ success$/);
});
