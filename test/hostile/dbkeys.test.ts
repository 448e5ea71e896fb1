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
