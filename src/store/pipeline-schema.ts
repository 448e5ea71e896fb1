/**
 * Tables of the pipeline: tasks, per-record results of every step, progress counters, grouped error
 * reports, tier statistics, the sink's consumed offsets (exactly-once into PostgreSQL), large record
 * payloads, incremental-harvest memory, and the seed's tables (record_execution & co., kept as the
 * seed defined them so its Debezium intake works unchanged).
 */
import type { Migration } from './migrate.ts';

export const pipelineMigrations: Migration[] = [
  {
    name: 'pipeline-001-core',
    sql: `
CREATE TABLE IF NOT EXISTS task (
  task_id        text PRIMARY KEY,
  dataset_id     text NOT NULL,
  spec           jsonb NOT NULL,
  plan           jsonb NOT NULL,
  state          text NOT NULL,
  reason         text,
  origin         jsonb,
  expected_total integer,
  listing_done   boolean NOT NULL DEFAULT false,
  terminal_count integer NOT NULL DEFAULT 0,
  created_at     timestamptz NOT NULL DEFAULT now(),
  started_at     timestamptz,
  finished_at    timestamptz
);
CREATE INDEX IF NOT EXISTS task_dataset_idx ON task (dataset_id, created_at);

CREATE TABLE IF NOT EXISTS record_result (
  task_id     text NOT NULL,
  step        text NOT NULL,
  record_id   text NOT NULL,
  status      text NOT NULL,
  content     text,
  messages    jsonb NOT NULL DEFAULT '[]',
  data        jsonb,
  PRIMARY KEY (task_id, step, record_id)
);

CREATE TABLE IF NOT EXISTS step_progress (
  task_id    text NOT NULL,
  step       text NOT NULL,
  success    integer NOT NULL DEFAULT 0,
  warn       integer NOT NULL DEFAULT 0,
  fail       integer NOT NULL DEFAULT 0,
  cancelled  integer NOT NULL DEFAULT 0,
  first_at   timestamptz,
  last_at    timestamptz,
  PRIMARY KEY (task_id, step)
);

CREATE TABLE IF NOT EXISTS error_report (
  task_id    text NOT NULL,
  step       text NOT NULL,
  level      text NOT NULL,
  message    text NOT NULL,
  count      integer NOT NULL,
  sample_ids text[] NOT NULL,
  PRIMARY KEY (task_id, step, level, message)
);

CREATE TABLE IF NOT EXISTS tier_stats (
  task_id       text NOT NULL,
  content_tier  text NOT NULL,
  metadata_tier text NOT NULL,
  count         integer NOT NULL,
  PRIMARY KEY (task_id, content_tier, metadata_tier)
);

CREATE TABLE IF NOT EXISTS sink_offset (
  group_id    text NOT NULL,
  topic       text NOT NULL,
  partition   integer NOT NULL,
  next_offset bigint NOT NULL,
  PRIMARY KEY (group_id, topic, partition)
);

CREATE TABLE IF NOT EXISTS record_payload (
  ref     text PRIMARY KEY,
  content text NOT NULL
);

CREATE TABLE IF NOT EXISTS harvested_record (
  dataset_id   text NOT NULL,
  record_id    text NOT NULL,
  checksum     text NOT NULL,
  datestamp    text,
  last_task_id text NOT NULL,
  PRIMARY KEY (dataset_id, record_id)
);`,
  },
  {
    name: 'pipeline-002-seed-tables',
    sql: `
CREATE TABLE IF NOT EXISTS record_execution (
  dataset_id           varchar(255) NOT NULL,
  execution_id         varchar(255) NOT NULL,
  execution_name       varchar(255) NOT NULL,
  record_id            varchar(255) NOT NULL,
  record_data          text         NOT NULL,
  execution_parameters json,
  PRIMARY KEY (dataset_id, execution_id, record_id)
);
CREATE TABLE IF NOT EXISTS execution_status (
  execution_id varchar(255) PRIMARY KEY,
  status       varchar(255)
);
CREATE TABLE IF NOT EXISTS record_execution_exception (
  dataset_id        varchar(255) NOT NULL,
  execution_id      varchar(255) NOT NULL,
  record_id         varchar(255) NOT NULL,
  execution_name    varchar(255),
  exception_name    varchar(255) NOT NULL,
  exception_content text         NOT NULL,
  PRIMARY KEY (dataset_id, execution_id, record_id)
);
CREATE TABLE IF NOT EXISTS record_execution_result (
  dataset_id         varchar(255) NOT NULL,
  execution_id       varchar(255) NOT NULL,
  record_id          varchar(255) NOT NULL,
  record_result_data text         NOT NULL,
  execution_name     varchar(255),
  PRIMARY KEY (dataset_id, execution_id, record_id)
);`,
  },
  {
    // An error message is part of its group's key and may be up to 2,000 characters of any script
    // (8,000 bytes): more than a b-tree row takes (2,704 bytes). The key indexes its MD5 instead.
    name: 'pipeline-003-error-report-hashed-key',
    sql: `
ALTER TABLE error_report DROP CONSTRAINT IF EXISTS error_report_pkey;
CREATE UNIQUE INDEX IF NOT EXISTS error_report_key ON error_report (task_id, step, level, md5(message));`,
  },
  {
    // A step that leaves a record's content as it came (a validation) stores no copy of it: its row's
    // content is NULL and content_from names the earlier step of the same task and record whose row
    // holds it (or names it in turn). record_result_content() follows the names; rows written before
    // (content_from NULL) read as they are.
    name: 'pipeline-004-content-by-reference',
    sql: `
ALTER TABLE record_result ADD COLUMN IF NOT EXISTS content_from text;
CREATE OR REPLACE FUNCTION record_result_content(p_task text, p_record text, p_step text) RETURNS text
LANGUAGE sql STABLE AS $$
  WITH RECURSIVE chain (content, content_from, depth) AS (
    SELECT content, content_from, 0 FROM record_result
      WHERE task_id = p_task AND record_id = p_record AND step = p_step
    UNION ALL
    SELECT r.content, r.content_from, c.depth + 1 FROM chain c
      JOIN record_result r ON r.task_id = p_task AND r.record_id = p_record AND r.step = c.content_from
      WHERE c.content IS NULL AND c.depth < 16
  )
  SELECT content FROM chain WHERE content IS NOT NULL LIMIT 1
$$;`,
  },
];
