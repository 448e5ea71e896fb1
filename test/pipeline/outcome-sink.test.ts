/**
 * The PostgreSQL sink writes a record only with the commit that covers its offset. Records that
 * reached the sink after the runtime took the offsets (the poll loop goes on while the commit
 * participants write one after the other) wait for the next commit: written early, they sat in the
 * database past its offset and the partition's next owner applied them again (a crash run showed 32
 * such replays absorbed, before the sink was idempotent they were counted twice).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { openPglite } from '../../src/store/db.ts';
import { PipelineStore } from '../../src/store/pipeline-store.ts';
import { OutcomeSinkProcessor } from '../../src/pipeline/outcome-sink.ts';
import { StreamRecord, type RecordContext } from '../../src/engine/index.ts';
import type { PipelineContext } from '../../src/pipeline/context.ts';
import type { OutcomeEvent } from '../../src/model/index.ts';

const spec = {
  dataset: { id: '7', name: 'Seven', country: 'Italy', language: 'it' },
  source: { type: 'oai' as const, url: 'http://127.0.0.1:1/oai', metadataPrefix: 'edm' },
  steps: ['harvest' as const, 'validate-external' as const],
};

test('the sink writes records up to the committed offset only; the rest waits for the next commit', async () => {
  const store = new PipelineStore(await openPglite());
  await store.migrate();
  const taskId = (await store.createTask(spec)).taskId;
  // The sink's only needs: the store, the consumer group and a logger.
  const p = { store, applicationId: 'g', logger: pino({ level: 'silent' }) } as unknown as PipelineContext;
  const event = (id: string): OutcomeEvent => ({ kind: 'record', taskId, recordId: id, step: 'harvest', status: 'success', messages: [], content: `<x id="${id}"/>`, terminal: false });
  const deliver = (sink: OutcomeSinkProcessor, offset: number) =>
    sink.process(new StreamRecord(`r${offset}`, event(`r${offset}`)), { metadata: { topic: 'o', partition: 0, offset, timestamp: 0, headers: {} } } as RecordContext<never, never>);
  const rows = async () => (await store.db.query<{ record_id: string }>('SELECT record_id FROM record_result ORDER BY record_id')).rows.map((r) => r.record_id);

  const first = new OutcomeSinkProcessor(p);
  for (const offset of [0, 1, 2, 3]) deliver(first, offset);
  // The runtime commits offsets 0..1 (next offset 2); records 2 and 3 arrived after it took them.
  await first.commit([{ topic: 'o', partition: 0, offset: 2 }]);
  assert.deepEqual(await rows(), ['r0', 'r1']);
  assert.equal(await store.loadOffset('g', 'o', 0), 2);

  // The worker dies; the next owner resumes at the database's offset and sees 2 and 3 again.
  const next = new OutcomeSinkProcessor(p);
  for (const offset of [2, 3]) deliver(next, offset);
  await next.commit([{ topic: 'o', partition: 0, offset: 4 }]);
  assert.deepEqual(await rows(), ['r0', 'r1', 'r2', 'r3']);
  assert.equal(store.outcomes.metrics.replaysAbsorbed, 0, 'no record written twice');
  assert.equal((await store.progress(taskId)).find((x) => x.step === 'harvest')?.success, 4);

  // The first sink still holds 2 and 3 for its next commit, had it stayed the owner.
  // (It is not: the database moved on, so its commit is fenced and writes nothing.)
  await assert.rejects(first.commit([{ topic: 'o', partition: 0, offset: 4 }]), { name: 'SinkFencedError' });
});

test('sinks of several partitions committing together write one database transaction; a fence fails them all', async () => {
  const store = new PipelineStore(await openPglite());
  await store.migrate();
  const taskId = (await store.createTask(spec)).taskId;
  const p = { store, applicationId: 'g', logger: pino({ level: 'silent' }) } as unknown as PipelineContext;
  const event = (id: string): OutcomeEvent => ({ kind: 'record', taskId, recordId: id, step: 'harvest', status: 'success', messages: [], content: `<x id="${id}"/>`, terminal: false });
  const deliver = (sink: OutcomeSinkProcessor, partition: number, offset: number) =>
    sink.process(new StreamRecord(`p${partition}r${offset}`, event(`p${partition}r${offset}`)), { metadata: { topic: 'o', partition, offset, timestamp: 0, headers: {} } } as RecordContext<never, never>);
  const rows = async () => (await store.db.query<{ record_id: string }>('SELECT record_id FROM record_result ORDER BY record_id')).rows.map((r) => r.record_id);
  let transactions = 0;
  const transaction = store.db.transaction.bind(store.db);
  store.db.transaction = ((fn: Parameters<typeof transaction>[0]) => {
    transactions++;
    return transaction(fn);
  }) as typeof store.db.transaction;

  const sinks = [0, 1, 2].map(() => new OutcomeSinkProcessor(p));
  sinks.forEach((sink, partition) => [0, 1].forEach((offset) => deliver(sink, partition, offset)));
  await Promise.all(sinks.map((sink, partition) => sink.commit([{ topic: 'o', partition, offset: 2 }])));
  assert.equal(transactions, 1, 'one transaction for the three partitions');
  assert.deepEqual(await rows(), ['p0r0', 'p0r1', 'p1r0', 'p1r1', 'p2r0', 'p2r1']);
  for (const partition of [0, 1, 2]) assert.equal(await store.loadOffset('g', 'o', partition), 2);
  assert.equal((await store.progress(taskId)).find((x) => x.step === 'harvest')?.success, 6);

  // Called one after the other, each commit is a transaction of its own, as before.
  sinks.forEach((sink, partition) => deliver(sink, partition, 2));
  for (const [partition, sink] of sinks.entries()) await sink.commit([{ topic: 'o', partition, offset: 3 }]);
  assert.equal(transactions, 4);

  // Another owner moved partition 1 on: committed together, partition 0's batch fails with it (nothing written).
  await store.applyOutcomes('g', [], [{ topic: 'o', partition: 1, from: 3, to: 4 }]);
  deliver(sinks[0], 0, 3);
  deliver(sinks[1], 1, 3);
  const results = await Promise.allSettled([sinks[0].commit([{ topic: 'o', partition: 0, offset: 4 }]), sinks[1].commit([{ topic: 'o', partition: 1, offset: 4 }])]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  assert.equal((results[1] as PromiseRejectedResult).reason.name, 'SinkFencedError');
  assert.equal(await store.loadOffset('g', 'o', 0), 3, 'partition 0 not moved');
  assert.ok(!(await rows()).includes('p0r3'));
});
