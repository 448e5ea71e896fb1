/**
 * Read-only statements of the operator surfaces (HTTP API and CLI): tasks with filters, error
 * groups paged and filtered, tiers of every record whose tiers were computed, records with their
 * status per step, one record's journey. Parameters in the order each comment gives.
 */
import { STEP_ORDER } from '../../model/steps.ts';

/** Steps in Metis's order as an SQL array literal (the position orders a record's journey). */
const ORDER = `ARRAY[${[...STEP_ORDER, 'linkcheck', 'depublish'].map((s) => `'${s}'`).join(', ')}]::text[]`;

/** $1 states (null: all), $2 dataset_id (null: all), $3 limit, $4 offset: newest first. */
export const listTasks = `SELECT *, count(*) OVER () AS total FROM task
  WHERE ($1::text[] IS NULL OR state = ANY($1)) AND ($2::text IS NULL OR dataset_id = $2)
  ORDER BY created_at DESC, task_id LIMIT $3 OFFSET $4`;

/** $1 states (null: all), $2 dataset_id (null: all): how many tasks match (for an empty page). */
export const countTasks = `SELECT count(*)::int AS n FROM task
  WHERE ($1::text[] IS NULL OR state = ANY($1)) AND ($2::text IS NULL OR dataset_id = $2)`;

/** Task ids that are live or finished within $1 seconds. */
export const recentTaskIds = `SELECT task_id FROM task
  WHERE state IN ('queued', 'harvesting', 'processing') OR finished_at > now() - make_interval(secs => $1)
  ORDER BY created_at DESC LIMIT 200`;

/** $1 task_id: records depublished because they were gone from the source (a harvest's own depublish rows). */
export const countDeletedAtSource = `SELECT count(*)::int AS n FROM record_result r JOIN task t USING (task_id)
  WHERE r.task_id = $1 AND r.step = 'depublish' AND t.spec->'source'->>'type' <> 'depublish'`;

/** $1 task_id, $2 limit, $3 offset. */
export const pageDeletedAtSource = `SELECT r.record_id, r.status, count(*) OVER () AS total
  FROM record_result r JOIN task t USING (task_id)
  WHERE r.task_id = $1 AND r.step = 'depublish' AND t.spec->'source'->>'type' <> 'depublish'
  ORDER BY r.record_id LIMIT $2 OFFSET $3`;

const errorFilter = `task_id = $1 AND ($2::text IS NULL OR step = $2) AND ($3::text IS NULL OR level = $3)
  AND ($4::text IS NULL OR strpos(lower(message), lower($4)) > 0)`;

/** $1 task_id, $2 step, $3 level, $4 text in the message (each null: any), $5 limit (null: all), $6 offset. */
export const pageErrors = `SELECT step, level, message, count, sample_ids, count(*) OVER () AS total,
    sum(count) OVER () AS total_records
  FROM error_report WHERE ${errorFilter}
  ORDER BY count DESC, step, level, message LIMIT $5 OFFSET $6`;

/** $1 task_id, $2 step, $3 level, $4 text: groups and their records per step and level. */
export const errorsBySteps = `SELECT step, level, count(*)::int AS groups, sum(count)::int AS records
  FROM error_report WHERE ${errorFilter} GROUP BY step, level`;

/**
 * One row per record whose tiers were computed (publish preferred to preview): the `data.tiers` the
 * index step stored, on success and on failure (a content tier 0 fails publish but keeps its tiers).
 */
const recordTiers = `SELECT DISTINCT ON (record_id) record_id, data->'tiers' AS tiers, step, status
  FROM record_result WHERE task_id = $1 AND step IN ('publish', 'preview') AND data ? 'tiers'
  ORDER BY record_id, CASE step WHEN 'publish' THEN 0 ELSE 1 END`;

/** $1 task_id: counts per (content tier, metadata tier) over every record whose tiers were computed. */
export const tierMatrix = `SELECT tiers->>'content' AS content_tier, tiers->>'metadata' AS metadata_tier, count(*)::int AS n
  FROM (${recordTiers}) t GROUP BY 1, 2 ORDER BY 1, 2`;

/** $1 task_id, $2 'content' or 'metadata', $3 how many samples: records of tier 0 in that dimension. */
export const tierZeroSamples = `SELECT record_id FROM (${recordTiers}) t WHERE tiers->>$2 = '0' ORDER BY record_id LIMIT $3`;

/** $1 task_id, $2 limit, $3 offset: every record's tiers (the Sandbox's records-tiers). */
export const pageRecordTiers = `SELECT record_id, tiers, step, status, count(*) OVER () AS total FROM (${recordTiers}) t
  ORDER BY record_id LIMIT $2 OFFSET $3`;

/**
 * $1 task_id, $2 status (the record's status at its last step, or at `$3` when given), $3 step,
 * $4 text in any message, $5 text in the record id, $6 limit, $7 offset. Each filter null: any.
 * A record's row: its status per step, the last step it reached and its status there, its tiers.
 */
export const pageRecords = `WITH per AS (
    SELECT record_id,
      jsonb_object_agg(step, status) AS steps,
      (array_agg(step ORDER BY array_position(${ORDER}, step) DESC))[1] AS last_step,
      (array_agg(status ORDER BY array_position(${ORDER}, step) DESC))[1] AS last_status,
      bool_or($4::text IS NOT NULL AND strpos(lower(messages::text), lower($4)) > 0) AS has_error,
      (array_agg(data->'tiers' ORDER BY CASE step WHEN 'publish' THEN 0 ELSE 1 END)
        FILTER (WHERE step IN ('publish', 'preview') AND data ? 'tiers'))[1] AS tiers
    FROM record_result WHERE task_id = $1 AND ($5::text IS NULL OR strpos(lower(record_id), lower($5)) > 0)
    GROUP BY record_id)
  SELECT record_id, steps, last_step, last_status, tiers, count(*) OVER () AS total FROM per
  WHERE ($3::text IS NULL OR steps ? $3)
    AND ($2::text IS NULL OR (CASE WHEN $3::text IS NULL THEN last_status ELSE steps->>$3 END) = $2)
    AND ($4::text IS NULL OR has_error)
  ORDER BY record_id LIMIT $6 OFFSET $7`;

/** $1 task_id, $2 record_id: every step's row of one record, in Metis's order. */
export const recordSteps = `SELECT step, status, content IS NOT NULL AS has_content, messages, data FROM record_result
  WHERE task_id = $1 AND record_id = $2 ORDER BY array_position(${ORDER}, step)`;

/** $1 task_id, $2 record_id, $3 step: the content a step kept. */
export const recordContent = `SELECT status, content FROM record_result WHERE task_id = $1 AND record_id = $2 AND step = $3`;

/** Per step and status over every task (metrics). */
export const recordsPerStepStatus = `SELECT step, sum(success)::bigint AS success, sum(warn)::bigint AS warn,
    sum(fail)::bigint AS fail, sum(cancelled)::bigint AS cancelled FROM step_progress GROUP BY step`;

/** Tasks per state (metrics). */
export const tasksPerState = `SELECT state, count(*)::int AS n FROM task GROUP BY state`;

/** Per step of tasks finished since $1: records and active seconds (metrics' step latency). */
export const finishedStepTimes = `SELECT p.task_id, p.step, (p.success + p.warn + p.fail)::int AS records,
    extract(epoch FROM (p.last_at - p.first_at))::float8 AS seconds, t.finished_at
  FROM step_progress p JOIN task t USING (task_id)
  WHERE t.finished_at IS NOT NULL AND t.finished_at > $1 ORDER BY t.finished_at`;
