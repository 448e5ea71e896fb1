/** $1 record_id: the newest task that has a result for the record. */
export const latestTaskOfRecord = `SELECT r.task_id FROM record_result r JOIN task t ON t.task_id = r.task_id
  WHERE r.record_id = $1 ORDER BY t.created_at DESC LIMIT 1`;
