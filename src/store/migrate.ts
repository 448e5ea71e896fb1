/**
 * Forward-only schema migrations, applied in order and recorded in `schema_migrations`, so every
 * process can call `migrate()` at start and only the first does the work. Each module of the store
 * (pipeline, entities, published records) contributes its own named migrations.
 */
import type { Db } from './db.ts';

export interface Migration {
  /** Unique, stable name, e.g. `pipeline-001-tasks`. */
  name: string;
  sql: string;
}

export async function migrate(db: Db, migrations: Migration[]): Promise<string[]> {
  const ddl =
    'CREATE TABLE IF NOT EXISTS schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())';
  // Concurrent CREATE ... IF NOT EXISTS on a fresh server database can collide: under the lock too.
  if (db.kind === 'pg') {
    await db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7357001)');
      await tx.query(ddl);
    });
  } else await db.exec(ddl);
  const applied: string[] = [];
  for (const m of migrations) {
    const done = await db.transaction(async (tx) => {
      // Serialize concurrent migrators (two workers starting together) on one advisory lock.
      if (db.kind === 'pg') await tx.query('SELECT pg_advisory_xact_lock(7357001)');
      const seen = await tx.query('SELECT 1 FROM schema_migrations WHERE name = $1', [m.name]);
      if (seen.rows.length > 0) return false;
      for (const statement of splitStatements(m.sql)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (name) VALUES ($1)', [m.name]);
      return true;
    });
    if (done) applied.push(m.name);
  }
  return applied;
}

/** Splits a migration on `;` at line ends (our migrations keep one statement per `;`-terminated block). */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !/^(--[^\n]*\n?)*$/.test(s));
}
