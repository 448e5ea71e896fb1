/** Every statement about the `task` table, one per purpose (parameters in the order each comment gives). */

/** $1 task_id, $2 dataset_id, $3 spec, $4 plan, $5 origin: a new task in state `queued` (idempotent on the id). */
export const insertTask = `INSERT INTO task (task_id, dataset_id, spec, plan, state, origin) VALUES ($1, $2, $3, $4, 'queued', $5)
  ON CONFLICT (task_id) DO NOTHING`;

/** $1 task_id. */
export const selectTask = 'SELECT * FROM task WHERE task_id = $1';

/** $1 dataset_id (null: every dataset), $2 limit: newest first. */
export const listTasks = `SELECT * FROM task WHERE ($1::text IS NULL OR dataset_id = $1) ORDER BY created_at DESC LIMIT $2`;

/** $1 task ids. */
export const selectStates = 'SELECT task_id, state FROM task WHERE task_id = ANY($1)';

/** $1 task_id, $2 new state, $3 reason (null keeps it), $4 the states it may come from. */
export const transition = `UPDATE task SET state = $2, reason = COALESCE($3, reason),
    started_at = CASE WHEN $2 IN ('harvesting', 'processing') THEN COALESCE(started_at, now()) ELSE started_at END,
    finished_at = CASE WHEN $2 IN ('completed', 'failed', 'cancelled') THEN now() ELSE finished_at END
  WHERE task_id = $1 AND state = ANY($4)`;

/** Seed compatibility: `DROPPED` or `FAILED` in the seed's execution_status cancels that execution's live tasks. */
export const cancelDroppedSeedTasks = `UPDATE task SET state = 'cancelled', reason = 'Task was dropped by user', finished_at = now()
  FROM execution_status es
  WHERE task.origin->>'executionId' = es.execution_id AND es.status IN ('DROPPED', 'FAILED')
    AND task.state IN ('queued', 'harvesting', 'processing')`;

/** $1 execution_id: whether the seed's execution_status says DROPPED or FAILED for it (the seed asks before each record). */
export const seedExecutionDropped = `SELECT EXISTS (SELECT 1 FROM execution_status WHERE execution_id = $1 AND status IN ('DROPPED', 'FAILED')) AS dropped`;

/**
 * $1 task_id, $2 dataset_id, $3 execution_id, $4 execution_name: a per-record seed task expects every
 * record_execution row of its execution inserted so far (never fewer than before), so it completes
 * when each has its result; a row inserted later raises the count again.
 */
export const expectSeedRows = `UPDATE task SET listing_done = true, expected_total = GREATEST(COALESCE(expected_total, 0),
    (SELECT count(*)::int FROM record_execution WHERE dataset_id = $2 AND execution_id = $3 AND execution_name = $4))
  WHERE task_id = $1`;

/** $1 task_id, $2 expected total: the listing's estimate, until the listing is done. */
export const setExpected = 'UPDATE task SET expected_total = $2 WHERE task_id = $1 AND NOT listing_done';

/** $1 task_id, $2 the number of records listed. */
export const setListingDone = 'UPDATE task SET expected_total = $2, listing_done = true WHERE task_id = $1';

/** $1 JSON array of {task_id, n}: records of each task that reached their end. */
export const addTerminalCounts = `UPDATE task SET terminal_count = terminal_count + x.n
  FROM jsonb_to_recordset($1::jsonb) AS x(task_id text, n int) WHERE task.task_id = x.task_id`;

/** $1 task ids: those whose listing is done and whose every listed record is terminal become `completed`. */
export const completeFinished = `UPDATE task SET state = 'completed', finished_at = now()
  WHERE task_id = ANY($1) AND listing_done AND terminal_count >= expected_total AND state IN ('harvesting', 'processing')
  RETURNING task_id`;

/** $1 task ids: where each task came from (the seed's intake, or null). */
export const selectOrigins = 'SELECT task_id, origin FROM task WHERE task_id = ANY($1)';
