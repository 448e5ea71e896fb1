/** Read-only statements behind the task reports: progress, grouped errors, tiers, stored results. */
import { resolvedContent } from './outcomes.sql.ts';

/** $1 task_id. */
export const selectProgress = 'SELECT * FROM step_progress WHERE task_id = $1';

/** $1 task_id: the largest groups first. */
export const selectErrors =
  'SELECT step, level, message, count, sample_ids FROM error_report WHERE task_id = $1 ORDER BY count DESC, message';

/** $1 task_id. */
export const selectTiers =
  'SELECT content_tier, metadata_tier, count FROM tier_stats WHERE task_id = $1 ORDER BY content_tier, metadata_tier';

/** $1 task_id, $2 step, $3 record_id. */
export const selectResult = `SELECT status, ${resolvedContent} AS content, messages, data FROM record_result
  WHERE task_id = $1 AND step = $2 AND record_id = $3`;

/**
 * $1 task_id, $2 step, $3 the last record id of the previous page ('' first), $4 page size: a step's
 * kept outputs (a content stored by reference that no longer resolves comes back null).
 */
export const selectOutputsPage = `SELECT record_id, ${resolvedContent} AS content FROM record_result
  WHERE task_id = $1 AND step = $2 AND status IN ('success', 'warn') AND (content IS NOT NULL OR content_from IS NOT NULL)
    AND record_id > $3 ORDER BY record_id LIMIT $4`;
