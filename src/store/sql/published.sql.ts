/** Every statement of the published index (`published_record`, `published_tombstone`), one per purpose. */

/** The text-search configurations the server has. */
export const selectTextSearchConfigs = 'SELECT cfgname FROM pg_ts_config';

/** $1 target, $2 dataset_id, $3 execution_id: the dataset's records another execution indexed. */
export const removeUnseen = `DELETE FROM published_record WHERE target = $1 AND dataset_id = $2 AND execution_id IS DISTINCT FROM $3
  RETURNING record_id`;

/** $1 target, $2 record ids: what a tombstone keeps is returned. */
export const deleteRecords = `DELETE FROM published_record WHERE target = $1 AND record_id = ANY($2::text[])
  RETURNING record_id, dataset_id, title, data_provider`;

/** $1 target, $2 record ids, without tombstones. */
export const deleteRecordsQuietly = 'DELETE FROM published_record WHERE target = $1 AND record_id = ANY($2::text[])';

/** $1 target, $2 dataset_id. */
export const deleteDataset = `DELETE FROM published_record WHERE target = $1 AND dataset_id = $2
  RETURNING record_id, dataset_id, title, data_provider`;

/** $1 target, $2 record_id. */
export const selectRecord = `SELECT record_id, dataset_id, execution_id, edm, content_tier, metadata_tier, license, title, data_provider,
    media_type, has_thumbnail
  FROM published_record WHERE target = $1 AND record_id = $2`;

/** $1 target, $2 record_id. */
export const selectTombstone = `SELECT record_id, dataset_id, reason, title, data_provider, created_at FROM published_tombstone
  WHERE target = $1 AND record_id = $2`;

/** $1 target, $2 dataset_id. */
export const selectRecordIds =
  'SELECT record_id FROM published_record WHERE target = $1 AND dataset_id = $2 ORDER BY record_id';

/** $1 target, $2 record ids: indexed again, so no longer depublished. */
export const deleteTombstones = 'DELETE FROM published_tombstone WHERE target = $1 AND record_id = ANY($2::text[])';

/** $1 target, then parallel arrays $2 record ids, $3 dataset ids, $4 reasons, $5 titles, $6 data providers. */
export const upsertTombstones = `INSERT INTO published_tombstone (target, record_id, dataset_id, reason, title, data_provider)
  SELECT $1, r, d, why, t, p FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(r, d, why, t, p)
  ON CONFLICT (target, record_id) DO UPDATE SET dataset_id = EXCLUDED.dataset_id, reason = EXCLUDED.reason,
    title = EXCLUDED.title, data_provider = EXCLUDED.data_provider, created_at = now()`;

const RECORD_COLUMNS = `target, record_id, dataset_id, execution_id, edm, content_tier, content_tier_before_license_correction,
  metadata_tier, metadata_tier_all_proxies, license, title, titles, descriptions, creators, subjects, types, dates, places,
  data_provider, provider, dataset_name, country, language, rights, media_type, has_thumbnail, search`;

const UPSERT_SET = `dataset_id = EXCLUDED.dataset_id, execution_id = EXCLUDED.execution_id, edm = EXCLUDED.edm,
  content_tier = EXCLUDED.content_tier, content_tier_before_license_correction = EXCLUDED.content_tier_before_license_correction,
  metadata_tier = EXCLUDED.metadata_tier, metadata_tier_all_proxies = EXCLUDED.metadata_tier_all_proxies, license = EXCLUDED.license,
  title = EXCLUDED.title, titles = EXCLUDED.titles, descriptions = EXCLUDED.descriptions, creators = EXCLUDED.creators,
  subjects = EXCLUDED.subjects, types = EXCLUDED.types, dates = EXCLUDED.dates, places = EXCLUDED.places,
  data_provider = EXCLUDED.data_provider, provider = EXCLUDED.provider, dataset_name = EXCLUDED.dataset_name,
  country = EXCLUDED.country, language = EXCLUDED.language, rights = EXCLUDED.rights, media_type = EXCLUDED.media_type,
  has_thumbnail = EXCLUDED.has_thumbnail, search = EXCLUDED.search, updated_at = now()`;

/** Upserts records given as VALUES rows (each: the RECORD_COLUMNS values, the last one a tsvector expression). */
export function upsertRecords(rows: string[]): string {
  return `INSERT INTO published_record (${RECORD_COLUMNS}) VALUES ${rows.join(',\n')}
  ON CONFLICT (target, record_id) DO UPDATE SET ${UPSERT_SET}`;
}

// ---- search: the WHERE clause is built from the query (parameters only; columns from fixed tables) ----

/** Matching records. */
export const countMatches = (where: string) => `SELECT count(*) AS n FROM published_record WHERE ${where}`;

/** One page of matches, best first; `limit` and `offset` are integers checked by the caller. */
export const pageOfMatches = (where: string, rank: string, limit: number, offset: number) =>
  `SELECT record_id, dataset_id, title, content_tier, metadata_tier, media_type, data_provider, ${rank} AS rank
  FROM published_record WHERE ${where}
  ORDER BY rank DESC, record_id LIMIT ${limit} OFFSET ${offset}`;

/** Counts per value of a single-valued column. */
export const scalarFacet = (column: string, where: string, limit: number) =>
  `SELECT ${column}::text AS value, count(*) AS n FROM published_record WHERE ${where} AND ${column} IS NOT NULL
  GROUP BY 1 ORDER BY n DESC, value LIMIT ${limit}`;

/** Counts per value of an array column. */
export const arrayFacet = (column: string, where: string, limit: number) =>
  `SELECT v AS value, count(*) AS n FROM published_record, unnest(${column}) AS v WHERE ${where}
  GROUP BY 1 ORDER BY n DESC, value LIMIT ${limit}`;
