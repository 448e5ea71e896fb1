import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../support/pg.ts';

test('pg: parameterized queries, and a failed transaction leaves nothing behind', async () => {
  const t = await createTestDatabase();
  try {
    await t.db.exec('CREATE TABLE t (id int primary key, v text)');
    await t.db.transaction(async (tx) => {
      await tx.query('INSERT INTO t VALUES ($1, $2)', [1, 'a']);
    });
    await assert.rejects(
      t.db.transaction(async (tx) => {
        await tx.query('INSERT INTO t VALUES ($1, $2)', [2, 'b']);
        await tx.query('INSERT INTO t VALUES ($1, $2)', [1, 'dup']);
      }),
      /duplicate key/,
    );
    const r = await t.db.query<{ id: number; v: string }>('SELECT id, v FROM t ORDER BY id');
    assert.deepEqual(r.rows, [{ id: 1, v: 'a' }]);
  } finally {
    await t.drop();
  }
});
