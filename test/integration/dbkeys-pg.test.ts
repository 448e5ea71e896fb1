/**
 * Hostile input, issue #12 row 2, on the real PostgreSQL server (each test in its own database):
 * the same checks as test/hostile/dbkeys.test.ts on PGlite. The embedded pipeline runs on the
 * server's database, so the sink's writes meet PostgreSQL's own limits and encoding checks.
 */
import { test } from 'node:test';
import { createTestDatabase } from '../support/pg.ts';
import { assertLongAboutFailsAlone, assertRefusedValuesIsolated } from '../hostile/support/dbkeys-checks.ts';

test('pg: a record whose rdf:about is 10 KB of random characters fails with RECORD_ID_TOO_LONG; the task completes', async () => {
  const t = await createTestDatabase('metis_dbkeys');
  try {
    await assertLongAboutFailsAlone(t.db);
  } finally {
    await t.drop();
  }
});

test('pg: values the database refuses fail only their record, with its reason; long ids and messages are stored', async () => {
  const t = await createTestDatabase('metis_dbkeys');
  try {
    await assertRefusedValuesIsolated(t.db);
  } finally {
    await t.drop();
  }
});
