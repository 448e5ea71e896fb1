import { rememberBatch } from './harvest.sql.ts';
import { addTerminalCounts } from './tasks.sql.ts';

/**
 * The outcome sink's statements: consumed offsets (the fence), result rows, and the counters and
 * reports that move with them. Batch statements take one JSON array (`jsonb_to_recordset`), so a
 * batch costs one round trip per table whatever its size.
 */

/** How many record ids an error group keeps as samples. */
export const MAX_SAMPLE_IDS = 100;

/** $1 group, $2 topic, $3 partition. */
export const selectOffset = 'SELECT next_offset FROM sink_offset WHERE group_id = $1 AND topic = $2 AND partition = $3';

/** $1 group, $2 topic, $3 partition, $4 next offset: the first batch of a partition (no row yet). */
export const insertOffset = `INSERT INTO sink_offset (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
  ON CONFLICT DO NOTHING`;

/** $1 group, $2 topic, $3 partition, $4 next offset, $5 the offset the batch started from (the fence). */
export const moveOffset =
  'UPDATE sink_offset SET next_offset = $4 WHERE group_id = $1 AND topic = $2 AND partition = $3 AND next_offset = $5';

/** Columns of one result row in `upsertResults`' parameters. */
export const RESULT_COLUMNS = 8;

/**
 * Upserts `rows` result rows (parameters: task_id, step, record_id, status, content, content_from,
 * messages, data per row) and says which were new (`xmax = 0`): only those move counters.
 */
export function upsertResults(rows: number): string {
  const tuples = Array.from({ length: rows }, (_, j) => {
    const b = j * RESULT_COLUMNS;
    return `(${Array.from({ length: RESULT_COLUMNS }, (_, k) => `$${b + k + 1}`).join(', ')})`;
  });
  return `INSERT INTO record_result (task_id, step, record_id, status, content, content_from, messages, data) VALUES ${tuples.join(', ')}
  ON CONFLICT (task_id, step, record_id) DO UPDATE SET status = EXCLUDED.status, content = EXCLUDED.content,
    content_from = EXCLUDED.content_from, messages = EXCLUDED.messages, data = EXCLUDED.data
  RETURNING task_id, step, record_id, (xmax = 0) AS inserted`;
}

/**
 * A result row's content as the operator reads it (the row's columns unqualified): its own, or the
 * content of the earlier step it names (`content_from`, migration pipeline-004).
 */
export const resolvedContent =
  'CASE WHEN content_from IS NULL THEN content ELSE record_result_content(task_id, record_id, content_from) END';

/** $1 JSON array of {task_id, step, success, warn, fail, cancelled}: increments. */
export const addProgress = `INSERT INTO step_progress (task_id, step, success, warn, fail, cancelled, first_at, last_at)
  SELECT task_id, step, success, warn, fail, cancelled, now(), now()
  FROM jsonb_to_recordset($1::jsonb) AS x(task_id text, step text, success int, warn int, fail int, cancelled int)
  ON CONFLICT (task_id, step) DO UPDATE SET success = step_progress.success + EXCLUDED.success,
    warn = step_progress.warn + EXCLUDED.warn, fail = step_progress.fail + EXCLUDED.fail,
    cancelled = step_progress.cancelled + EXCLUDED.cancelled, last_at = now()`;

/**
 * $1 JSON array of {task_id, step, level, message, count, sample_ids}: increments. A group's key
 * is (task, step, level, md5(message)) (migration pipeline-003): a long message cannot overflow it.
 */
export const addErrors = `INSERT INTO error_report (task_id, step, level, message, count, sample_ids)
  SELECT task_id, step, level, message, count, sample_ids
  FROM jsonb_to_recordset($1::jsonb) AS x(task_id text, step text, level text, message text, count int, sample_ids text[])
  ON CONFLICT (task_id, step, level, md5(message)) DO UPDATE SET count = error_report.count + EXCLUDED.count,
    sample_ids = (error_report.sample_ids || EXCLUDED.sample_ids)[1:${MAX_SAMPLE_IDS}]`;

/** $1 JSON array of {task_id, content_tier, metadata_tier, count}: increments. */
export const addTiers = `INSERT INTO tier_stats (task_id, content_tier, metadata_tier, count)
  SELECT task_id, content_tier, metadata_tier, count
  FROM jsonb_to_recordset($1::jsonb) AS x(task_id text, content_tier text, metadata_tier text, count int)
  ON CONFLICT (task_id, content_tier, metadata_tier) DO UPDATE SET count = tier_stats.count + EXCLUDED.count`;

/**
 * A batch's counters and harvest memory in one statement (one round trip instead of up to five):
 * $1 progress increments (as `addProgress`), $2 error groups (`addErrors`), $3 tier counts
 * (`addTiers`), $4 terminal counts per task ({task_id, n}, tasks' `addTerminalCounts`), $5 changed
 * harvested records (harvest's `rememberBatch`), each a JSON array, empty when there is nothing.
 * Each part is the statement named, as a data-modifying CTE; the parts write different tables.
 */
export const addBatchTotals = `WITH progress AS (${addProgress}),
  errors AS (${addErrors.replace('$1::jsonb', '$2::jsonb')}),
  tiers AS (${addTiers.replace('$1::jsonb', '$3::jsonb')}),
  terminal AS (${addTerminalCounts.replace('$1::jsonb', '$4::jsonb')}),
  harvested AS (${rememberBatch.replace('$1::jsonb', '$5::jsonb')})
SELECT 1`;
