/** The harvest memory (`harvested_record`): each dataset's records as last harvested, for incremental harvests. */

/** $1 dataset_id, $2 record_id, $3 checksum: a row when the record is unchanged. */
export const selectUnchanged =
  'SELECT 1 FROM harvested_record WHERE dataset_id = $1 AND record_id = $2 AND checksum = $3';

/** $1 dataset_id, $2 record_id, $3 checksum, $4 datestamp, $5 task_id. */
export const remember = `INSERT INTO harvested_record (dataset_id, record_id, checksum, datestamp, last_task_id) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (dataset_id, record_id) DO UPDATE SET checksum = $3, datestamp = $4, last_task_id = $5`;

/** $1 JSON array of {task_id, record_id, checksum, datestamp}: the dataset comes from each task. */
export const rememberBatch = `INSERT INTO harvested_record (dataset_id, record_id, checksum, datestamp, last_task_id)
  SELECT DISTINCT ON (t.dataset_id, x.record_id) t.dataset_id, x.record_id, x.checksum, x.datestamp, x.task_id
  FROM jsonb_to_recordset($1::jsonb) AS x(task_id text, record_id text, checksum text, datestamp text)
  JOIN task t ON t.task_id = x.task_id
  ON CONFLICT (dataset_id, record_id) DO UPDATE SET checksum = EXCLUDED.checksum, datestamp = EXCLUDED.datestamp,
    last_task_id = EXCLUDED.last_task_id`;

/** $1 JSON array of {task_id, record_id}: seen again by this task, unchanged. */
export const markSeen = `UPDATE harvested_record h SET last_task_id = x.task_id
  FROM jsonb_to_recordset($1::jsonb) AS x(task_id text, record_id text), task t
  WHERE t.task_id = x.task_id AND h.dataset_id = t.dataset_id AND h.record_id = x.record_id`;

/** $1 dataset_id, $2 task_id: records this task did not see any more, removed and returned. */
export const takeUnseen =
  'DELETE FROM harvested_record WHERE dataset_id = $1 AND last_task_id <> $2 RETURNING record_id';
