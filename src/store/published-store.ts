/**
 * The published index (metis-steps.md §11, §12): one store, two targets (`preview`, `publish`).
 * Each indexed record keeps its full EDM (with tier annotations), its tiers and searchable fields,
 * and a `tsvector` built per language (PostgreSQL text-search configurations, `simple` for the
 * rest). Removing a record from a target leaves a tombstone carrying the reason; indexing it again
 * removes the tombstone. The same SQL runs on `pg` and PGlite.
 */
import type { Db, Queryable } from './db.ts';
import { publishedMigrations } from './published-schema.ts';
import type { LangText, PublishedBatch, PublishedDocument, PublishTarget, TombstoneInput } from '../model/published.ts';

export type { LangText, PublishedBatch, PublishedDocument, PublishTarget, SearchFields, TombstoneInput } from '../model/published.ts';

export interface PublishedRecordRow {
  recordId: string;
  datasetId: string;
  executionId: string | null;
  edm: string;
  contentTier: number;
  metadataTier: string;
  license: string | null;
  title: string | null;
  dataProvider: string | null;
  mediaType: string | null;
  hasThumbnail: boolean;
}

export interface TombstoneRow {
  recordId: string;
  datasetId: string;
  reason: string;
  title: string | null;
  dataProvider: string | null;
  createdAt: Date;
}

/** Facet fields; `type`, `subject`, `creator` are multi-valued. */
export type FacetField =
  | 'mediaType' | 'dataProvider' | 'provider' | 'country' | 'language' | 'rights' | 'hasThumbnail'
  | 'contentTier' | 'metadataTier' | 'datasetId' | 'type' | 'subject' | 'creator';

const SCALAR_COLUMNS: Record<string, string> = {
  mediaType: 'media_type', dataProvider: 'data_provider', provider: 'provider', country: 'country', language: 'language',
  rights: 'rights', hasThumbnail: 'has_thumbnail', contentTier: 'content_tier', metadataTier: 'metadata_tier', datasetId: 'dataset_id',
};
const ARRAY_COLUMNS: Record<string, string> = { type: 'types', subject: 'subjects', creator: 'creators' };

export interface SearchQuery {
  /** Web-search syntax (`cats -dogs "black cat"`); absent = all records. */
  text?: string;
  /** Language of the query text: its stemmed matches are added to the exact-word ones. */
  lang?: string;
  /** Only records with one of these values per field. */
  filters?: Partial<Record<FacetField, string[]>>;
  facets?: FacetField[];
  /** Default 0. */
  offset?: number;
  /** Default 20, at most 500. */
  limit?: number;
  /** Values per facet. Default 50. */
  facetLimit?: number;
}

export interface SearchHit {
  recordId: string;
  datasetId: string;
  title: string | null;
  contentTier: number;
  metadataTier: string;
  mediaType: string | null;
  dataProvider: string | null;
  rank: number;
}

export interface SearchResult {
  total: number;
  hits: SearchHit[];
  facets: Partial<Record<FacetField, Array<{ value: string; count: number }>>>;
}

/** xml:lang (ISO 639-1, some 639-3) → PostgreSQL text-search configuration. */
const LANGUAGE_CONFIGS: Record<string, string> = {
  ar: 'arabic', hy: 'armenian', eu: 'basque', ca: 'catalan', da: 'danish', nl: 'dutch', en: 'english', et: 'estonian',
  fi: 'finnish', fr: 'french', de: 'german', el: 'greek', hi: 'hindi', hu: 'hungarian', id: 'indonesian', ga: 'irish',
  it: 'italian', lt: 'lithuanian', ne: 'nepali', no: 'norwegian', nb: 'norwegian', nn: 'norwegian', pt: 'portuguese',
  ro: 'romanian', ru: 'russian', sr: 'serbian', es: 'spanish', sv: 'swedish', ta: 'tamil', tr: 'turkish', yi: 'yiddish',
  eng: 'english', deu: 'german', ger: 'german', nld: 'dutch', dut: 'dutch', fra: 'french', fre: 'french', spa: 'spanish',
  ita: 'italian', por: 'portuguese', swe: 'swedish', fin: 'finnish', dan: 'danish', hun: 'hungarian', pol: 'simple',
};

/** Weights: titles highest, then creators/subjects, then descriptions, then the rest. */
const WEIGHTS = { titles: 'A', creators: 'B', subjects: 'B', descriptions: 'C', types: 'D', places: 'D' } as const;

export class PublishedStore {
  private configs: Promise<Set<string>> | undefined;

  constructor(readonly db: Db) {}

  /** Creates the tables when missing (idempotent). */
  async migrate(): Promise<void> {
    if (this.db.kind !== 'pg') {
      for (const m of publishedMigrations) await this.db.exec(m.sql);
      return;
    }
    // Two workers starting together on a fresh database: concurrent CREATE ... IF NOT EXISTS can
    // still collide on the server (duplicate pg_type entry), so serialize on a lock.
    await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7357006)');
      // No parameters: the simple query protocol runs the multi-statement migration as is.
      for (const m of publishedMigrations) await tx.query(m.sql);
    });
  }

  /** The text-search configuration for a language, `simple` when the server has none for it. */
  async configFor(lang: string | undefined): Promise<string> {
    if (!lang) return 'simple';
    this.configs ??= this.db.query<{ cfgname: string }>('SELECT cfgname FROM pg_ts_config').then((r) => new Set(r.rows.map((x) => x.cfgname)));
    const cfg = LANGUAGE_CONFIGS[lang.toLowerCase().split('-')[0]];
    return cfg && (await this.configs).has(cfg) ? cfg : 'simple';
  }

  /**
   * Indexes records and writes tombstones in one transaction, in input order: an indexed record
   * loses its tombstone; a tombstoned record leaves the target.
   */
  async applyBatch(target: PublishTarget, batch: PublishedBatch): Promise<void> {
    const prepared = await Promise.all((batch.index ?? []).map((d) => this.prepareVector(d)));
    await this.db.transaction(async (tx) => {
      if (prepared.length > 0) await upsertRecords(tx, target, prepared);
      if (batch.tombstones?.length) await removeWithTombstones(tx, target, batch.tombstones);
      if (batch.remove?.length) {
        await tx.query('DELETE FROM published_record WHERE target = $1 AND record_id = ANY($2::text[])', [target, batch.remove]);
      }
    });
  }

  /** Indexes many records in one transaction (the pipeline's batched write). */
  indexBatch(target: PublishTarget, docs: PublishedDocument[]): Promise<void> {
    return this.applyBatch(target, { index: docs });
  }

  /**
   * After a full (non-incremental) indexing run: removes the dataset's records of this target that
   * were not indexed by `executionId`. Returns the removed record ids.
   */
  async removeUnseen(target: PublishTarget, datasetId: string, executionId: string): Promise<string[]> {
    const r = await this.db.query<{ record_id: string }>(
      `DELETE FROM published_record WHERE target = $1 AND dataset_id = $2 AND execution_id IS DISTINCT FROM $3 RETURNING record_id`,
      [target, datasetId, executionId],
    );
    return r.rows.map((x) => x.record_id).sort();
  }

  /** Removes the given records, leaving tombstones; returns which ids were removed and which were unknown. */
  async depublishRecords(target: PublishTarget, recordIds: string[], reason: string): Promise<{ removed: string[]; missing: string[] }> {
    return this.db.transaction(async (tx) => {
      const r = await tx.query<DeletedRow>(
        `DELETE FROM published_record WHERE target = $1 AND record_id = ANY($2::text[]) RETURNING record_id, dataset_id, title, data_provider`,
        [target, recordIds],
      );
      await insertTombstones(tx, target, r.rows.map((row) => ({ recordId: row.record_id, datasetId: row.dataset_id, reason, title: row.title ?? undefined, dataProvider: row.data_provider ?? undefined })));
      const removed = new Set(r.rows.map((x) => x.record_id));
      return { removed: recordIds.filter((id) => removed.has(id)), missing: recordIds.filter((id) => !removed.has(id)) };
    });
  }

  /** Removes every record of a dataset from the target, leaving tombstones; returns the removed ids. */
  async depublishDataset(target: PublishTarget, datasetId: string, reason: string): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      const r = await tx.query<DeletedRow>(
        `DELETE FROM published_record WHERE target = $1 AND dataset_id = $2 RETURNING record_id, dataset_id, title, data_provider`,
        [target, datasetId],
      );
      await insertTombstones(tx, target, r.rows.map((row) => ({ recordId: row.record_id, datasetId: row.dataset_id, reason, title: row.title ?? undefined, dataProvider: row.data_provider ?? undefined })));
      return r.rows.map((x) => x.record_id).sort();
    });
  }

  async getRecord(target: PublishTarget, recordId: string): Promise<PublishedRecordRow | undefined> {
    const r = await this.db.query<Record<string, unknown>>(
      `SELECT record_id, dataset_id, execution_id, edm, content_tier, metadata_tier, license, title, data_provider, media_type, has_thumbnail
         FROM published_record WHERE target = $1 AND record_id = $2`,
      [target, recordId],
    );
    const x = r.rows[0];
    if (!x) return undefined;
    return {
      recordId: x.record_id as string, datasetId: x.dataset_id as string, executionId: (x.execution_id as string) ?? null, edm: x.edm as string,
      contentTier: Number(x.content_tier), metadataTier: x.metadata_tier as string, license: (x.license as string) ?? null,
      title: (x.title as string) ?? null, dataProvider: (x.data_provider as string) ?? null, mediaType: (x.media_type as string) ?? null,
      hasThumbnail: x.has_thumbnail as boolean,
    };
  }

  async getTombstone(target: PublishTarget, recordId: string): Promise<TombstoneRow | undefined> {
    const r = await this.db.query<Record<string, unknown>>(
      `SELECT record_id, dataset_id, reason, title, data_provider, created_at FROM published_tombstone WHERE target = $1 AND record_id = $2`,
      [target, recordId],
    );
    const x = r.rows[0];
    if (!x) return undefined;
    return {
      recordId: x.record_id as string, datasetId: x.dataset_id as string, reason: x.reason as string,
      title: (x.title as string) ?? null, dataProvider: (x.data_provider as string) ?? null, createdAt: new Date(x.created_at as string),
    };
  }

  /** Record ids of a dataset in a target, sorted. */
  async recordIds(target: PublishTarget, datasetId: string): Promise<string[]> {
    const r = await this.db.query<{ record_id: string }>(
      `SELECT record_id FROM published_record WHERE target = $1 AND dataset_id = $2 ORDER BY record_id`,
      [target, datasetId],
    );
    return r.rows.map((x) => x.record_id);
  }

  /** Full-text search with filters, facet counts and paging. */
  async search(target: PublishTarget, q: SearchQuery = {}): Promise<SearchResult> {
    const params: unknown[] = [target];
    const where = ['target = $1'];
    let rank = '0';
    if (q.text && q.text.trim()) {
      params.push(q.text.trim());
      const textParam = `$${params.length}`;
      let query = `websearch_to_tsquery('simple', ${textParam})`;
      const cfg = await this.configFor(q.lang);
      if (cfg !== 'simple') {
        params.push(cfg);
        query = `(${query} || websearch_to_tsquery($${params.length}::regconfig, ${textParam}))`;
      }
      where.push(`search @@ ${query}`);
      rank = `ts_rank(search, ${query})`;
    }
    for (const [field, values] of Object.entries(q.filters ?? {})) {
      if (!values || values.length === 0) continue;
      params.push(values.map(String));
      if (SCALAR_COLUMNS[field]) where.push(`${SCALAR_COLUMNS[field]}::text = ANY($${params.length}::text[])`);
      else if (ARRAY_COLUMNS[field]) where.push(`${ARRAY_COLUMNS[field]} && $${params.length}::text[]`);
      else throw new Error(`Unknown search filter field: ${field}`);
    }
    const whereSql = where.join(' AND ');
    // Interpolated into the SQL below, so forced to safe integers here.
    const int = (v: number | undefined, fallback: number) => (Number.isFinite(v) ? Math.trunc(v as number) : fallback);
    const limit = Math.min(Math.max(int(q.limit, 20), 0), 500);
    const offset = Math.max(int(q.offset, 0), 0);
    const total = await this.db.query<{ n: string | number }>(`SELECT count(*) AS n FROM published_record WHERE ${whereSql}`, params);
    const hits = await this.db.query<Record<string, unknown>>(
      `SELECT record_id, dataset_id, title, content_tier, metadata_tier, media_type, data_provider, ${rank} AS rank
         FROM published_record WHERE ${whereSql}
        ORDER BY rank DESC, record_id LIMIT ${limit} OFFSET ${offset}`,
      params,
    );
    const facets: SearchResult['facets'] = {};
    const facetLimit = Math.min(Math.max(int(q.facetLimit, 50), 1), 1000);
    for (const field of q.facets ?? []) {
      const sql = SCALAR_COLUMNS[field]
        ? `SELECT ${SCALAR_COLUMNS[field]}::text AS value, count(*) AS n FROM published_record WHERE ${whereSql} AND ${SCALAR_COLUMNS[field]} IS NOT NULL GROUP BY 1`
        : ARRAY_COLUMNS[field]
          ? `SELECT v AS value, count(*) AS n FROM published_record, unnest(${ARRAY_COLUMNS[field]}) AS v WHERE ${whereSql} GROUP BY 1`
          : undefined;
      if (!sql) throw new Error(`Unknown facet field: ${field}`);
      const r = await this.db.query<{ value: string; n: string | number }>(`${sql} ORDER BY n DESC, value LIMIT ${facetLimit}`, params);
      facets[field] = r.rows.map((x) => ({ value: x.value, count: Number(x.n) }));
    }
    return {
      total: Number(total.rows[0].n),
      hits: hits.rows.map((x) => ({
        recordId: x.record_id as string, datasetId: x.dataset_id as string, title: (x.title as string) ?? null,
        contentTier: Number(x.content_tier), metadataTier: x.metadata_tier as string, mediaType: (x.media_type as string) ?? null,
        dataProvider: (x.data_provider as string) ?? null, rank: Number(x.rank),
      })),
      facets,
    };
  }

  /** The tsvector expression parts of a document: texts grouped by (configuration, weight). */
  private async prepareVector(doc: PublishedDocument): Promise<[PublishedDocument, Array<[string, string, string]>]> {
    const groups = new Map<string, string[]>();
    const add = (cfg: string, weight: string, text: string) => {
      const key = `${cfg}\u0000${weight}`;
      const list = groups.get(key);
      if (list) list.push(text);
      else groups.set(key, [text]);
    };
    for (const [field, weight] of Object.entries(WEIGHTS)) {
      for (const v of doc.fields[field as keyof typeof WEIGHTS]) {
        if (!v.text.trim()) continue;
        // Exact words always (simple), stemmed words too when the language has a configuration.
        add('simple', weight, v.text);
        const cfg = await this.configFor(v.lang);
        if (cfg !== 'simple') add(cfg, weight, v.text);
      }
    }
    for (const v of [...doc.fields.dates, doc.fields.dataProvider, doc.fields.provider, doc.fields.datasetName, doc.fields.country]) {
      if (v && v.trim()) add('simple', 'D', v);
    }
    const parts: Array<[string, string, string]> = [];
    for (const [key, texts] of groups) {
      const [cfg, weight] = key.split('\u0000');
      parts.push([cfg, weight, texts.join(' \n ')]);
    }
    return [doc, parts];
  }
}

interface DeletedRow {
  record_id: string;
  dataset_id: string;
  title: string | null;
  data_provider: string | null;
}

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
/** Parameters per statement stay well below PostgreSQL's 65,535. */
const MAX_PARAMS_PER_STATEMENT = 20_000;

/** One VALUES row: its SQL (numbered from `params.length + 1`) with its parameters appended to `params`. */
function recordRow(params: unknown[], target: PublishTarget, d: PublishedDocument, vector: Array<[string, string, string]>): string {
  const f = d.fields;
  const texts = (xs: LangText[]) => xs.map((x) => x.text);
  const values: unknown[] = [
    target, d.recordId, d.datasetId, d.executionId ?? null, d.edm, d.contentTier, d.contentTierBeforeLicenseCorrection ?? null,
    d.metadataTier, d.metadataTierAllProxies ?? null, d.license ?? null, f.titles[0]?.text ?? null,
    texts(f.titles), texts(f.descriptions), texts(f.creators), texts(f.subjects), texts(f.types), f.dates, texts(f.places),
    f.dataProvider ?? null, f.provider ?? null, f.datasetName ?? null, f.country ?? null, f.language ?? null, f.rights ?? null,
    f.mediaType ?? null, f.hasThumbnail,
  ];
  const placeholders = values.map((v) => {
    params.push(v);
    return `$${params.length}`;
  });
  const vectorSql =
    vector.length === 0
      ? `''::tsvector`
      : vector
          .map(([cfg, weight, text]) => {
            params.push(cfg, text);
            // The weight is one of A–D from WEIGHTS, never user input.
            return `setweight(to_tsvector($${params.length - 1}::regconfig, $${params.length}), '${weight}')`;
          })
          .join(' || ');
  return `(${placeholders.join(', ')}, ${vectorSql})`;
}

/** Upserts records with multi-row INSERTs (a record id twice in a batch: the last one wins). */
async function upsertRecords(tx: Queryable, target: PublishTarget, prepared: Array<[PublishedDocument, Array<[string, string, string]>]>): Promise<void> {
  const unique = [...new Map(prepared.map((p) => [p[0].recordId, p])).values()];
  let params: unknown[] = [];
  let rows: string[] = [];
  const flush = async () => {
    if (rows.length === 0) return;
    await tx.query(`INSERT INTO published_record (${RECORD_COLUMNS}) VALUES ${rows.join(',\n')} ON CONFLICT (target, record_id) DO UPDATE SET ${UPSERT_SET}`, params);
    params = [];
    rows = [];
  };
  for (const [doc, vector] of unique) {
    rows.push(recordRow(params, target, doc, vector));
    if (params.length >= MAX_PARAMS_PER_STATEMENT) await flush();
  }
  await flush();
  // A successful index removes any tombstone of the record (metis-steps.md §11, step 7).
  await tx.query('DELETE FROM published_tombstone WHERE target = $1 AND record_id = ANY($2::text[])', [target, unique.map((p) => p[0].recordId)]);
}

async function removeWithTombstones(tx: Queryable, target: PublishTarget, entries: TombstoneInput[]): Promise<void> {
  const r = await tx.query<DeletedRow>(
    `DELETE FROM published_record WHERE target = $1 AND record_id = ANY($2::text[]) RETURNING record_id, dataset_id, title, data_provider`,
    [target, entries.map((e) => e.recordId)],
  );
  const previous = new Map(r.rows.map((x) => [x.record_id, x]));
  await insertTombstones(
    tx,
    target,
    entries.map((e) => ({ ...e, title: e.title ?? previous.get(e.recordId)?.title ?? undefined, dataProvider: e.dataProvider ?? previous.get(e.recordId)?.data_provider ?? undefined })),
  );
}

async function insertTombstones(tx: Queryable, target: PublishTarget, all: TombstoneInput[]): Promise<void> {
  // One row per record id (the last entry wins): a statement may not upsert the same row twice.
  const entries = [...new Map(all.map((e) => [e.recordId, e])).values()];
  if (entries.length === 0) return;
  await tx.query(
    `INSERT INTO published_tombstone (target, record_id, dataset_id, reason, title, data_provider)
     SELECT $1, r, d, why, t, p FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(r, d, why, t, p)
     ON CONFLICT (target, record_id) DO UPDATE SET dataset_id = EXCLUDED.dataset_id, reason = EXCLUDED.reason,
        title = EXCLUDED.title, data_provider = EXCLUDED.data_provider, created_at = now()`,
    [
      target,
      entries.map((e) => e.recordId),
      entries.map((e) => e.datasetId),
      entries.map((e) => e.reason),
      entries.map((e) => e.title ?? null),
      entries.map((e) => e.dataProvider ?? null),
    ],
  );
}

/** Opens the published store over a database and makes sure its tables exist. */
export async function openPublishedStore(db: Db): Promise<PublishedStore> {
  const store = new PublishedStore(db);
  await store.migrate();
  return store;
}
