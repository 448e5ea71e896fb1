/**
 * Index batches and transient database errors: a batch is one transaction, so a serialization
 * failure or a lost connection retries the whole batch (with back-off) before any record fails; a
 * persistent one fails the batch's records with DB_TRANSIENT, and a refusal for good is not retried
 * (each record is tried alone once, so only a refused one fails, with DB_REFUSED).
 * Runs the real indexer on PGlite; the faults are injected into the Db's transactions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPglite, type Db } from '../../src/store/db.ts';
import { buildLateSteps } from '../../src/pipeline/ports/late-step-ports.ts';
import type { TaskRow } from '../../src/store/pipeline-store.ts';
import { RECORDS } from '../index/published-scenarios.ts';

/** A Db whose next `failures` transactions reject with `error` before touching the database. */
function faulty(db: Db, error: () => Error): Db & { failures: number; transactions: number } {
  const wrapped = {
    kind: db.kind,
    failures: 0,
    transactions: 0,
    query: db.query.bind(db),
    exec: db.exec.bind(db),
    close: db.close.bind(db),
    async transaction<T>(fn: Parameters<Db['transaction']>[0]): Promise<T> {
      wrapped.transactions++;
      if (wrapped.failures > 0) {
        wrapped.failures--;
        throw error();
      }
      return db.transaction(fn) as Promise<T>;
    },
  };
  return wrapped as Db & { failures: number; transactions: number };
}

const serializationFailure = () =>
  Object.assign(new Error('could not serialize access due to concurrent update'), { code: '40001' });
const task = { taskId: 'index-retry-task', datasetId: '305' } as TaskRow;
const records = [RECORDS.text1, RECORDS.video2, RECORDS.pdf4];

async function setup(error: () => Error) {
  const pglite = await openPglite();
  const db = faulty(pglite, error);
  const retries: number[] = [];
  const late = await buildLateSteps({
    db,
    allowLoopback: false,
    indexRetry: { retries: 3, baseDelayMs: 1, maxDelayMs: 5, onRetry: (e) => retries.push(e.attempt) },
  });
  const index = await late.forTask(task, 'preview');
  const run = () => Promise.allSettled(records.map((r) => index({ recordId: r.recordId, content: r.content })));
  return { db, late, retries, run, close: () => pglite.close() };
}

test('a transient database error in an index batch is retried: the batch then succeeds, no record fails', async () => {
  const s = await setup(serializationFailure);
  try {
    s.db.failures = 2;
    s.db.transactions = 0;
    const results = await s.run();
    assert.deepEqual(
      results.map((r) => (r.status === 'fulfilled' ? r.value.status : 'rejected')),
      ['success', 'success', 'success'],
    );
    assert.deepEqual(s.retries, [1, 2], 'two failed tries, each followed by a retry');
    assert.equal(s.db.transactions, 3, 'one batch: two failed transactions, one that committed');
    for (const r of records)
      assert.ok(await s.late.published.getRecord('preview', r.recordId), `${r.recordId} is indexed`);
  } finally {
    await s.close();
  }
});

test('a transient error that outlasts the retries fails the batch records with DB_TRANSIENT', async () => {
  const s = await setup(serializationFailure);
  try {
    s.db.failures = 100;
    const results = await s.run();
    assert.equal(s.retries.length, 3);
    for (const r of results) {
      assert.equal(r.status, 'rejected');
      const err = (r as PromiseRejectedResult).reason as { code?: string; message?: string; retriable?: boolean };
      assert.equal(err.code, 'DB_TRANSIENT');
      assert.match(err.message ?? '', /could not serialize access/);
    }
    for (const r of records) assert.equal(await s.late.published.getRecord('preview', r.recordId), undefined);
  } finally {
    await s.close();
  }
});

test('a refusal for good is not retried: each record is tried once alone, and fails with DB_REFUSED', async () => {
  const s = await setup(() =>
    Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' }),
  );
  try {
    s.db.failures = 100;
    s.db.transactions = 0;
    const results = await s.run();
    assert.equal(s.db.transactions, 1 + records.length, 'the batch, then each record alone, once');
    assert.deepEqual(s.retries, []);
    for (const r of results) {
      const err = (r as PromiseRejectedResult).reason as { code?: string; message?: string };
      assert.equal(err.code, 'DB_REFUSED');
      assert.match(String(err.message), /\(23505\): duplicate key/);
    }
  } finally {
    await s.close();
  }
});
