/** Resuming an interrupted task: what of it has already ended. */

/**
 * $1 task_id, $2 the last step of its plan: the source ids (OAI identifier, archive path, earlier
 * task's record id) of the records that reached a final outcome: a failure or a cancellation at any
 * step, the last step's outcome, or an unchanged record skipped at harvest. A harvested record is
 * found under its Europeana id; its harvest row names its source (`data.sourceId`); a record that
 * failed at harvest is stored under its source id.
 */
export const finishedSources = `WITH ended AS (
    SELECT DISTINCT record_id FROM record_result
    WHERE task_id = $1 AND (status IN ('fail', 'cancelled') OR step = $2 OR (step = 'harvest' AND data->>'unchanged' = 'true'))
  )
  SELECT COALESCE(h.data->>'sourceId', e.record_id) AS source_id
  FROM ended e LEFT JOIN record_result h ON h.task_id = $1 AND h.step = 'harvest' AND h.record_id = e.record_id`;
