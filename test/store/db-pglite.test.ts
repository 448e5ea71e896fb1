import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPglite } from '../../src/store/db.ts';

test('PGlite: parameterized queries, and a failed transaction leaves nothing behind', async () => {
  const db = await openPglite();
  await db.exec('CREATE TABLE t (id int primary key, v text)');
  await db.transaction(async (tx) => {
    await tx.query('INSERT INTO t VALUES ($1, $2)', [1, 'a']);
  });
  await assert.rejects(
    db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1, $2)', [2, 'b']);
      await tx.query('INSERT INTO t VALUES ($1, $2)', [1, 'dup']);
    }),
  );
  const r = await db.query<{ id: number; v: string }>('SELECT id, v FROM t ORDER BY id');
  assert.deepEqual(r.rows, [{ id: 1, v: 'a' }]);
  await db.close();
});
