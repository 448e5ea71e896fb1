/**
 * Hostile input, issue #12 row 2 (database-safe keys): no record's ids or values can make the
 * outcome sink's write impossible. On PGlite; test/integration/dbkeys-pg.test.ts runs the same on
 * the real PostgreSQL server.
 *
 * - A record whose ProvidedCHO rdf:about is 10 KB of random characters fails at harvest with
 *   RECORD_ID_TOO_LONG; the other records go on and the task completes (before: PostgreSQL refused
 *   the result row's key, "index row requires 10288 bytes", the sink never committed, the task hung).
 * - What the database still refuses (a NUL in a record's content) fails that record alone with
 *   DB_REFUSED and the database's reason; ids too long for an index row (a failed record's OAI
 *   identifier), NULs and lone surrogates in messages, and long multi-byte messages in the error
 *   report are stored; the batch commits, the offsets move, the task completes.
 * - A transient database error retries the batch a bounded number of times, then DB_TRANSIENT.
 * - Indexing: a record with 1.2 MB of searchable text is published (PostgreSQL refuses a tsvector
 *   over 1 MiB: before, it failed every record of its index batch); a record the database refuses
 *   fails alone with DB_REFUSED, its batch neighbours are published.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPglite, type Db } from '../../src/store/db.ts';
import { PipelineStore } from '../../src/store/pipeline-store.ts';
import { OutcomeWriter } from '../../src/store/outcome-writer.ts';
import { HarvestMemory } from '../../src/store/harvest-memory.ts';
import { SeedResults } from '../../src/store/seed-results.ts';
import { isMetisError } from '../../src/errors/index.ts';
import type { OutcomeEvent } from '../../src/model/index.ts';
import { assertLongAboutFailsAlone, assertRefusedValuesIsolated } from './support/dbkeys-checks.ts';
import { randomWords, withLongDescription } from './support/dbkeys-records.ts';
import { buildLateSteps } from '../../src/pipeline/ports/late-step-ports.ts';
import type { TaskRow } from '../../src/store/pipeline-store.ts';
import { RECORDS } from '../index/published-scenarios.ts';

test('a record whose rdf:about is 10 KB of random characters fails with RECORD_ID_TOO_LONG; the task completes', async () => {
  const db = await openPglite();
  try {
    await assertLongAboutFailsAlone(db);
  } finally {
    await db.close();
  }
});

test('values the database refuses fail only their record, with its reason; long ids and messages are stored', async () => {
  const db = await openPglite();
  try {
    await assertRefusedValuesIsolated(db);
  } finally {
    await db.close();
  }
});

test('a transient database error retries the batch a bounded number of times, then DB_TRANSIENT', async () => {
  const real = await openPglite();
  try {
    const store = new PipelineStore(real);
    await store.migrate();
    let failuresLeft = 2;
    let tries = 0;
    // The real database, whose transactions first fail as a lost connection would (SQLSTATE 08006).
    const flaky: Db = {
      ...real,
      query: real.query.bind(real),
      transaction(fn) {
        tries++;
        if (failuresLeft-- > 0) return Promise.reject(Object.assign(new Error('connection lost'), { code: '08006' }));
        return real.transaction(fn);
      },
    };
    const retry = { retries: 3, baseDelayMs: 1, maxDelayMs: 5 };
    const writer = new OutcomeWriter(flaky, store.tasks, new HarvestMemory(flaky), new SeedResults(store.tasks), {
      retry,
    });
    const task = await store.createTask({
      dataset: { id: '9202', name: 'Hostile', country: 'Italy', language: 'it' },
      source: { type: 'oai', url: 'http://127.0.0.1:1/oai', metadataPrefix: 'edm' },
      steps: ['harvest'],
    });
    const event: OutcomeEvent = { kind: 'task', taskId: task.taskId, event: 'listing-started' };
    await writer.writeOutcomes([event]);
    assert.equal(tries, 3, 'two failed tries, then the batch was written');
    assert.equal((await store.getTask(task.taskId))?.state, 'harvesting');

    failuresLeft = Infinity;
    tries = 0;
    await assert.rejects(writer.writeOutcomes([event]), (err: unknown) => isMetisError(err, 'DB_TRANSIENT'));
    assert.equal(tries, 4, 'the first try and 3 retries, no more');
  } finally {
    await real.close();
  }
});

/** Three records indexed together (one batch), the first replaced by `first`. */
async function indexThree(first: { recordId: string; content: string }) {
  const db = await openPglite();
  const late = await buildLateSteps({ db, allowLoopback: false });
  try {
    const index = await late.forTask({ taskId: 'dbkeys-index', datasetId: '305' } as TaskRow, 'preview');
    const results = await Promise.allSettled(
      [first, RECORDS.video2, RECORDS.pdf4].map((r) => index({ recordId: r.recordId, content: r.content })),
    );
    const published = await db.query<{ record_id: string }>(
      'SELECT record_id FROM published_record ORDER BY record_id',
    );
    return { results, published: published.rows.map((r) => r.record_id) };
  } finally {
    await late.close();
    await db.close();
  }
}

test('a record with 1.2 MB of searchable text is published; the records of its index batch too', async () => {
  const big = { recordId: '/305/big', content: withLongDescription(RECORDS.text1.content, randomWords(150_000, 3)) };
  const { results, published } = await indexThree(big);
  for (const r of results) {
    assert.equal(r.status, 'fulfilled', r.status === 'rejected' ? String(r.reason) : '');
    assert.equal(r.status === 'fulfilled' && r.value.status, 'success');
  }
  assert.deepEqual(published, ['/305/big', RECORDS.pdf4.recordId, RECORDS.video2.recordId].sort());
});

test('a record the database refuses in an index batch fails alone with DB_REFUSED and the reason', async () => {
  const refused = { recordId: '/305/nul\u0000', content: RECORDS.text1.content };
  const { results, published } = await indexThree(refused);
  const [first, ...others] = results;
  assert.equal(first.status, 'rejected');
  assert.ok(isMetisError(first.status === 'rejected' ? first.reason : undefined, 'DB_REFUSED'));
  assert.match(
    String(first.status === 'rejected' && (first.reason as Error).message),
    /\(22021\): invalid byte sequence/,
  );
  for (const r of others) assert.equal(r.status === 'fulfilled' && r.value.status, 'success');
  assert.deepEqual(published, [RECORDS.pdf4.recordId, RECORDS.video2.recordId].sort());
});
