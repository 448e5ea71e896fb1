/** Which task a record id belongs to, when the operator gives only the record. */
import type { Queryable } from './db.ts';
import * as SQL from './sql/record-lookup.sql.ts';

/** The newest task that processed `recordId` (an OAI identifier before harvest, else a Europeana id). */
export async function latestTaskOfRecord(db: Queryable, recordId: string): Promise<string | undefined> {
  const r = await db.query<{ task_id: string }>(SQL.latestTaskOfRecord, [recordId]);
  return r.rows[0]?.task_id;
}
