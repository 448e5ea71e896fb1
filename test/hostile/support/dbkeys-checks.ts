/**
 * The checks of the database-key tests, run on PGlite (test/hostile/dbkeys.test.ts) and on the
 * real PostgreSQL server (test/integration/dbkeys-pg.test.ts).
 */
import assert from 'node:assert/strict';
import type { Db } from '../../../src/store/db.ts';
import { PipelineStore } from '../../../src/store/pipeline-store.ts';
import { randomChars, repositoryWithAbouts } from './dbkeys-records.ts';
import { runHarvest } from './dbkeys-pipeline.ts';
import { refusedBatch } from './dbkeys-events.ts';

/**
 * A record whose rdf:about is 10 KB of random characters, among 5 valid ones: it fails at harvest
 * with RECORD_ID_TOO_LONG, the others go through every step, the task completes.
 */
export async function assertLongAboutFailsAlone(db: Db): Promise<void> {
  const N = 6;
  const about = randomChars(10_240, 7);
  await runHarvest(db, N, repositoryWithAbouts(new Map([[2, about]])), async (run) => {
    const s = run.status;
    assert.equal(s.task.state, 'completed', `task ended ${s.task.state}: ${s.task.reason ?? ''}`);
    assert.equal(s.task.terminalCount, N);
    const harvest = s.progress.find((p) => p.step === 'harvest')!;
    assert.deepEqual([harvest.success, harvest.fail], [N - 1, 1]);
    const transform = s.progress.find((p) => p.step === 'transform')!;
    assert.equal(transform.success + transform.warn, N - 1, 'the other records went through every step');
    const group = s.errors.find((e) => e.step === 'harvest')!;
    assert.match(
      group.message,
      /^The Europeana id made from the ProvidedCHO rdf:about is \d+ characters long, more than the 255 allowed: \/9200\//,
    );
    assert.deepEqual(group.sampleIds, ['oai:demo.metis-streams:record-2']);
    const r = await run.result('harvest', 'oai:demo.metis-streams:record-2');
    assert.equal(r?.status, 'fail');
    assert.equal(r?.messages[0].code, 'RECORD_ID_TOO_LONG');
  });
}

/**
 * A sink batch with refused and oversized values (`dbkeys-events.ts`): it commits; only the record
 * with a NUL in its content fails, with the database's reason; the task completes.
 */
export async function assertRefusedValuesIsolated(db: Db): Promise<void> {
  const store = new PipelineStore(db);
  await store.migrate();
  const task = await store.createTask({
    dataset: { id: '9201', name: 'Hostile', country: 'Italy', language: 'it' },
    source: { type: 'oai', url: 'http://127.0.0.1:1/oai', metadataPrefix: 'edm' },
    steps: ['harvest'],
  });
  const b = refusedBatch(task.taskId);
  const group = 'dbkeys-test';
  // Listing first (its own batch), then the hostile records with the partition's first offsets.
  await store.applyOutcomes(group, b.listing, [{ topic: 'outcomes', partition: 0, from: undefined, to: 1 }]);
  const { completed } = await store.applyOutcomes(group, b.records, [
    { topic: 'outcomes', partition: 0, from: 1, to: 1 + b.records.length },
  ]);
  assert.deepEqual(completed, [task.taskId], 'the task completes in the batch that had the refused record');
  assert.equal(await store.loadOffset(group, 'outcomes', 0), 1 + b.records.length, 'the offsets moved');

  const t = (await store.getTask(task.taskId))!;
  assert.equal(t.state, 'completed');
  assert.equal(t.terminalCount, b.expected);
  const [progress] = await store.progress(task.taskId);
  assert.deepEqual([progress.success, progress.warn, progress.fail], [3, 1, 3]);

  // The NUL in the content: that record fails with PostgreSQL's reason; its neighbours are stored.
  const nul = await store.reports.recordResult(task.taskId, 'harvest', b.ids.nulContent);
  assert.equal(nul?.status, 'fail');
  assert.equal(nul?.content, null);
  const [message] = (nul?.messages ?? []) as Array<{ code: string; message: string }>;
  assert.equal(message?.code, 'DB_REFUSED');
  assert.match(
    message?.message ?? '',
    /^The database refused this record's result \(22021\): invalid byte sequence for encoding "UTF8": 0x00/,
  );
  for (const id of b.ids.good) {
    const r = await store.reports.recordResult(task.taskId, 'harvest', id);
    assert.ok(r?.status === 'success' || r?.status === 'warn', `${id} stored`);
    assert.equal(r?.content, `<rdf:RDF>${id}</rdf:RDF>`);
  }

  // A 10 KB OAI identifier of a failed record: stored under a bounded key that names its hash.
  const rows = await db.query<{ record_id: string }>(
    "SELECT record_id FROM record_result WHERE task_id = $1 AND record_id LIKE '%…#sha256:%'",
    [task.taskId],
  );
  assert.equal(rows.rows.length, 1);
  assert.ok(rows.rows[0].record_id.startsWith(b.ids.longFailed.slice(0, 100)));
  assert.ok(Buffer.byteLength(rows.rows[0].record_id) < 1024);

  // NUL and a lone surrogate in a message: stored, shown as \0 and U+FFFD; a 2,000-character CJK message: one group.
  const errors = await store.errorReport(task.taskId);
  assert.ok(
    errors.some((e) => e.message === 'bad byte \\0 and \ufffd here'),
    JSON.stringify(errors.map((e) => e.message.slice(0, 40))),
  );
  assert.ok(errors.some((e) => e.message === b.cjkMessage && e.count === 1));
  assert.ok(errors.some((e) => e.message.startsWith("The database refused this record's result (22021)")));
}
