import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPglite } from '../../src/store/db.ts';
import { PipelineStore, SinkFencedError } from '../../src/store/pipeline-store.ts';
import type { OutcomeEvent, RecordOutcomeEvent } from '../../src/model/index.ts';

const spec = {
  dataset: { id: '7', name: 'Seven', country: 'Italy', language: 'it' },
  source: { type: 'oai' as const, url: 'http://127.0.0.1:1/oai', metadataPrefix: 'edm' },
  steps: ['harvest' as const, 'validate-external' as const],
};

function rec(
  taskId: string,
  step: 'harvest' | 'validate-external',
  id: string,
  status: 'success' | 'fail',
  terminal: boolean,
): RecordOutcomeEvent {
  return {
    kind: 'record',
    taskId,
    recordId: id,
    step,
    status,
    messages: status === 'fail' ? [{ level: 'error', code: 'XSD', message: 'bad record' }] : [],
    content: status === 'fail' ? null : `<x id="${id}"/>`,
    terminal,
  };
}

test('a task walks queued → harvesting → processing → completed as its outcomes arrive', async () => {
  const store = new PipelineStore(await openPglite());
  await store.migrate();
  const task = await store.createTask(spec);
  assert.equal(task.state, 'queued');
  assert.deepEqual(task.plan, ['harvest', 'validate-external']);
  const t = task.taskId;
  await store.applyOutcomes(
    'g',
    [{ kind: 'task', taskId: t, event: 'listing-started' }, rec(t, 'harvest', 'a', 'success', false)],
    [{ topic: 'o', partition: 0, from: undefined, to: 2 }],
  );
  assert.equal((await store.getTask(t))!.state, 'harvesting');
  const r = await store.applyOutcomes(
    'g',
    [
      rec(t, 'harvest', 'b', 'success', false),
      { kind: 'task', taskId: t, event: 'listing-done', expected: 2 },
      rec(t, 'validate-external', 'a', 'success', true),
    ],
    [{ topic: 'o', partition: 0, from: 2, to: 5 }],
  );
  assert.deepEqual(r.completed, []);
  assert.equal((await store.getTask(t))!.state, 'processing');
  const r2 = await store.applyOutcomes(
    'g',
    [rec(t, 'validate-external', 'b', 'fail', true)],
    [{ topic: 'o', partition: 0, from: 5, to: 6 }],
  );
  assert.deepEqual(r2.completed, [t]);
  const done = (await store.getTask(t))!;
  assert.equal(done.state, 'completed');
  assert.ok(done.finishedAt);
  const progress = await store.progress(t);
  assert.deepEqual(
    progress.map((p) => [p.step, p.success, p.fail]),
    [
      ['harvest', 2, 0],
      ['validate-external', 1, 1],
    ],
  );
  assert.deepEqual(await store.errorReport(t), [
    { step: 'validate-external', level: 'error', message: 'bad record', count: 1, sampleIds: ['b'] },
  ]);
  assert.equal(await store.loadOffset('g', 'o', 0), 6);
});

test('a sink whose offsets moved on is fenced and writes nothing', async () => {
  const store = new PipelineStore(await openPglite());
  await store.migrate();
  const t = (await store.createTask(spec)).taskId;
  await store.applyOutcomes(
    'g',
    [rec(t, 'harvest', 'a', 'success', false)],
    [{ topic: 'o', partition: 1, from: undefined, to: 1 }],
  );
  await assert.rejects(
    store.applyOutcomes(
      'g',
      [rec(t, 'harvest', 'z', 'success', false)],
      [{ topic: 'o', partition: 1, from: 0, to: 2 }],
    ),
    SinkFencedError,
  );
  assert.equal(await store.recordResult(t, 'harvest', 'z'), undefined);
  assert.equal((await store.progress(t))[0].success, 1);
});

test('steps out of Metis order are refused', async () => {
  const store = new PipelineStore(await openPglite());
  await store.migrate();
  await assert.rejects(
    store.createTask({ ...spec, steps: ['transform', 'validate-external'] }),
    /out of Metis's order/,
  );
});

test('an outcome delivered twice (a replay) rewrites its row but is counted once', async () => {
  const store = new PipelineStore(await openPglite());
  await store.migrate();
  const t = (await store.createTask(spec)).taskId;
  const e = rec(t, 'validate-external', 'a', 'fail', true);
  const first = await store.applyOutcomes('g', [e, e, rec(t, 'validate-external', 'b', 'success', false)], [{ topic: 'o', partition: 0, from: undefined, to: 3 }]);
  // Every absorbed replay is reported: the second event of the batch, then the event of a later batch.
  assert.deepEqual(first.replayed, [e]);
  const second = await store.applyOutcomes('g', [e], [{ topic: 'o', partition: 0, from: 3, to: 4 }]);
  assert.deepEqual(second.replayed, [e]);
  assert.equal(store.outcomes.metrics.replaysAbsorbed, 2);
  const p = await store.progress(t);
  assert.deepEqual(
    p.map((x) => [x.step, x.fail, x.success]),
    [['validate-external', 1, 1]],
  );
  assert.deepEqual(
    (await store.errorReport(t)).map((g) => g.count),
    [1],
  );
  assert.equal((await store.getTask(t))!.terminalCount, 1);
});

test('error messages that differ only past the stored length are one group, not a failed batch', async () => {
  const store = new PipelineStore(await openPglite());
  await store.migrate();
  const t = (await store.createTask(spec)).taskId;
  const long = 'x'.repeat(2000);
  const failing = (id: string, tail: string): OutcomeEvent => ({
    ...rec(t, 'validate-external', id, 'fail', true),
    messages: [{ level: 'error', code: 'XSD', message: long + tail }],
  });
  await store.applyOutcomes(
    'g',
    [failing('a', 'one'), failing('b', 'two')],
    [{ topic: 'o', partition: 0, from: undefined, to: 2 }],
  );
  const groups = await store.errorReport(t);
  assert.deepEqual(
    groups.map((g) => [g.message.length, g.count, g.sampleIds]),
    [[2000, 2, ['a', 'b']]],
  );
});

test('a step that left the content as it came is stored by reference; every reader resolves it', async () => {
  const store = new PipelineStore(await openPglite());
  await store.migrate();
  const steps = ['harvest', 'validate-external', 'transform', 'validate-internal', 'normalize'] as const;
  const t = (await store.createTask({ ...spec, steps: [...steps] })).taskId;
  const row = (step: (typeof steps)[number], id: string, content: string | null, contentFrom?: (typeof steps)[number]): RecordOutcomeEvent => ({
    kind: 'record', taskId: t, recordId: id, step, status: 'success', messages: [], content, ...(contentFrom ? { contentFrom } : {}), terminal: step === 'normalize',
  });
  // Record a: validate-external and validate-internal unchanged (a chain of two names for harvest's
  // content, one for transform's); record b written as before (every content stored, no names).
  await store.writeOutcomes([
    row('harvest', 'a', '<h/>'),
    row('validate-external', 'a', null, 'harvest'),
    row('transform', 'a', '<t/>'),
    row('validate-internal', 'a', null, 'transform'),
    row('normalize', 'a', '<n/>'),
    row('harvest', 'b', '<hb/>'),
    row('validate-external', 'b', '<hb/>'),
  ]);
  await store.writeOutcomes([{ ...row('transform', 'c', null, 'validate-external') }]);
  const stored = await store.db.query<{ step: string; content: string | null; content_from: string | null }>(
    "SELECT step, content, content_from FROM record_result WHERE record_id = 'a' ORDER BY step",
  );
  assert.deepEqual(
    stored.rows.map((r) => [r.step, r.content, r.content_from]),
    [['harvest', '<h/>', null], ['normalize', '<n/>', null], ['transform', '<t/>', null], ['validate-external', null, 'harvest'], ['validate-internal', null, 'transform']],
    'unchanged contents are not stored again',
  );
  assert.equal((await store.recordResult(t, 'validate-external', 'a'))?.content, '<h/>');
  assert.equal((await store.recordResult(t, 'validate-internal', 'a'))?.content, '<t/>');
  assert.equal((await store.recordResult(t, 'validate-external', 'b'))?.content, '<hb/>', 'rows without a name read as they are');
  // A name whose row is missing resolves to no content (and a re-run skips it), never to another record's.
  assert.equal((await store.recordResult(t, 'transform', 'c'))?.content, null);
  const outputs = async (step: (typeof steps)[number]) => {
    const out: string[] = [];
    for await (const o of store.storedOutputs(t, step, 1)) out.push(`${o.recordId}=${o.content}`);
    return out;
  };
  assert.deepEqual(await outputs('validate-external'), ['a=<h/>', 'b=<hb/>'], 'a re-run reads resolved contents, page by page');
  assert.deepEqual(await outputs('transform'), ['a=<t/>']);
  assert.deepEqual(await outputs('validate-internal'), ['a=<t/>']);
});
