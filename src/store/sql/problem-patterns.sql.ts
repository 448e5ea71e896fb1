/** Statements behind the problem-pattern report (per-record analyses stored by internal validation). */

/** $1 task_id, $2 the last record id of the previous page ('' first), $3 page size: record analyses in record id order. */
export const selectPatternAnalyses = `SELECT record_id, data->'problemPatterns' AS analysis FROM record_result
  WHERE task_id = $1 AND step = 'validate-internal' AND status IN ('success', 'warn') AND data ? 'problemPatterns'
    AND record_id > $2 ORDER BY record_id LIMIT $3`;
