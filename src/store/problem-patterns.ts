/**
 * The problem-pattern analyses a task stored: internal validation keeps each passing record's
 * analysis (its record-level patterns and its titles) in `record_result.data.problemPatterns`; the
 * dataset report (P1 across records, counts per pattern) is made from them by the caller.
 */
import type { Queryable } from './db.ts';
import * as SQL from './sql/problem-patterns.sql.ts';

export interface StoredRecordPatterns {
  recordId: string;
  titles: string[];
  patterns: Array<{ id: string; title: string; severity: string; occurrences: string[] }>;
}

/** Every stored analysis of the task, paged through in record id order. */
export async function* patternAnalyses(
  db: Queryable,
  taskId: string,
  pageSize = 1000,
): AsyncGenerator<StoredRecordPatterns> {
  let after = '';
  for (;;) {
    const r = await db.query<{
      record_id: string;
      analysis: { titles?: string[]; patterns?: StoredRecordPatterns['patterns'] };
    }>(SQL.selectPatternAnalyses, [taskId, after, pageSize]);
    for (const row of r.rows)
      yield { recordId: row.record_id, titles: row.analysis.titles ?? [], patterns: row.analysis.patterns ?? [] };
    if (r.rows.length < pageSize) return;
    after = r.rows[r.rows.length - 1].record_id;
  }
}
