/**
 * Tables of the published index (metis-steps.md §11/§12): indexed records per target (preview,
 * publish) with their searchable fields and a full-text `tsvector`, and tombstones for records
 * removed from a target. Plain SQL that runs on PostgreSQL and on PGlite alike.
 */

/** Shape-compatible with `Migration` of `./migrate.ts` (name + SQL). */
export const publishedMigrations = [
  {
    name: 'published-001-records',
    sql: `
CREATE TABLE IF NOT EXISTS published_record (
  target               text NOT NULL,
  record_id            text NOT NULL,
  dataset_id           text NOT NULL,
  execution_id         text,
  edm                  text NOT NULL,
  content_tier         smallint NOT NULL,
  content_tier_before_license_correction smallint,
  metadata_tier        text NOT NULL,
  metadata_tier_all_proxies text,
  license              text,
  title                text,
  titles               text[] NOT NULL DEFAULT '{}',
  descriptions         text[] NOT NULL DEFAULT '{}',
  creators             text[] NOT NULL DEFAULT '{}',
  subjects             text[] NOT NULL DEFAULT '{}',
  types                text[] NOT NULL DEFAULT '{}',
  dates                text[] NOT NULL DEFAULT '{}',
  places               text[] NOT NULL DEFAULT '{}',
  data_provider        text,
  provider             text,
  dataset_name         text,
  country              text,
  language             text,
  rights               text,
  media_type           text,
  has_thumbnail        boolean NOT NULL DEFAULT false,
  search               tsvector NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target, record_id)
);
CREATE INDEX IF NOT EXISTS published_record_dataset_idx ON published_record (target, dataset_id);
CREATE INDEX IF NOT EXISTS published_record_search_idx ON published_record USING gin (search);
CREATE TABLE IF NOT EXISTS published_tombstone (
  target          text NOT NULL,
  record_id       text NOT NULL,
  dataset_id      text NOT NULL,
  reason          text NOT NULL,
  title           text,
  data_provider   text,
  created_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (target, record_id)
);
CREATE INDEX IF NOT EXISTS published_tombstone_dataset_idx ON published_tombstone (target, dataset_id);
`,
  },
];
