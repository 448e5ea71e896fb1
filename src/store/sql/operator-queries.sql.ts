/**
 * Read-only statements of the operator surfaces (HTTP API and CLI): tasks with filters, error
 * groups paged and filtered, tiers of every record whose tiers were computed, records with their
 * status per step, one record's journey. Parameters in the order each comment gives.
 */
import { STEP_ORDER } from '../../model/steps.ts';
import { resolvedContent } from './outcomes.sql.ts';

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
 * A page of a task's record ids, by id. Filters: $2 status, $3 step, $4 text in any message, $5 text
 * in the record id, each null for any; $6 limit, $7 offset. With a step, the status is the one at
 * that step (read straight from the primary key's range); without, the status at the last step the
 * record reached (every record's rows are grouped, so that filter costs a pass over the task).
 */
export function pageRecordIds(filters: { status: boolean; step: boolean; error: boolean }): string {
  const idText = '($5::text IS NULL OR strpos(lower(record_id), lower($5)) > 0)';
  const errorText = 'strpos(lower(messages::text), lower($4)) > 0';
  if (!filters.error && (filters.step || !filters.status)) {
    // One row per record (at the step, or its distinct ids): no grouping of the record's steps.
    // The unused parameters are null on this path; naming them gives them a type.
    const where = filters.step
      ? `task_id = $1 AND step = $3 AND ($2::text IS NULL OR status = $2) AND ${idText} AND $4::text IS NULL`
      : `task_id = $1 AND ${idText} AND $2::text IS NULL AND $3::text IS NULL AND $4::text IS NULL`;
    return `SELECT record_id, count(*) OVER () AS total FROM (SELECT DISTINCT record_id FROM record_result WHERE ${where}) r
  ORDER BY record_id LIMIT $6 OFFSET $7`;
  }
  return `SELECT record_id, count(*) OVER () AS total FROM (
    SELECT record_id,
      (array_agg(status ORDER BY array_position(${ORDER}, step) DESC))[1] AS last_status,
      bool_or(($3::text IS NULL OR step = $3) AND ($2::text IS NULL OR $3::text IS NULL OR status = $2)) AS at_step,
      bool_or(${errorText}) AS has_error
    FROM record_result WHERE task_id = $1 AND ${idText}
    GROUP BY record_id) per
  WHERE at_step AND ($2::text IS NULL OR $3::text IS NOT NULL OR last_status = $2) AND ($4::text IS NULL OR has_error)
  ORDER BY record_id LIMIT $6 OFFSET $7`;
}

/** $1 task_id, $2 record ids: each one's status per step and the tiers the index step kept. */
export const recordsSteps = `SELECT record_id, step, status,
    CASE WHEN step IN ('publish', 'preview') THEN data->'tiers' END AS tiers
  FROM record_result WHERE task_id = $1 AND record_id = ANY($2) ORDER BY record_id, array_position(${ORDER}, step)`;

/** $1 task_id, $2 record_id: every step's row of one record, in Metis's order. */
export const recordSteps = `SELECT step, status, (content IS NOT NULL OR content_from IS NOT NULL) AS has_content, messages, data FROM record_result
  WHERE task_id = $1 AND record_id = $2 ORDER BY array_position(${ORDER}, step)`;

/** $1 task_id, $2 record_id, $3 step: the content a step kept. */
export const recordContent = `SELECT status, ${resolvedContent} AS content FROM record_result
  WHERE task_id = $1 AND record_id = $2 AND step = $3`;

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

/** $1 task_id: whether internal validation stored any problem-pattern analysis for the task. */
export const anyPatternAnalysis = `SELECT EXISTS (SELECT 1 FROM record_result
  WHERE task_id = $1 AND step = 'validate-internal' AND data ? 'problemPatterns') AS any`;
