/** Full-text search over a published target: web-search syntax, filters, facet counts and paging. */
import type { Queryable } from './db.ts';
import type { TextSearchConfigs } from './published-text-search.ts';
import * as SQL from './sql/published.sql.ts';
import type { PublishTarget } from '../model/published.ts';
import { errors } from '../errors/index.ts';

/** Facet fields; `type`, `subject`, `creator` are multi-valued. */
export type FacetField =
  | 'mediaType'
  | 'dataProvider'
  | 'provider'
  | 'country'
  | 'language'
  | 'rights'
  | 'hasThumbnail'
  | 'contentTier'
  | 'metadataTier'
  | 'datasetId'
  | 'type'
  | 'subject'
  | 'creator';

const SCALAR_COLUMNS: Record<string, string> = {
  mediaType: 'media_type',
  dataProvider: 'data_provider',
  provider: 'provider',
  country: 'country',
  language: 'language',
  rights: 'rights',
  hasThumbnail: 'has_thumbnail',
  contentTier: 'content_tier',
  metadataTier: 'metadata_tier',
  datasetId: 'dataset_id',
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

/** Interpolated into SQL, so forced to safe integers. */
const int = (v: number | undefined, fallback: number) => (Number.isFinite(v) ? Math.trunc(v as number) : fallback);

export async function searchPublished(
  db: Queryable,
  configs: TextSearchConfigs,
  target: PublishTarget,
  q: SearchQuery = {},
): Promise<SearchResult> {
  const params: unknown[] = [target];
  const where = ['target = $1'];
  let rank = '0';
  if (q.text && q.text.trim()) {
    params.push(q.text.trim());
    const textParam = `$${params.length}`;
    let query = `websearch_to_tsquery('simple', ${textParam})`;
    const cfg = await configs.configFor(q.lang);
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
    else throw errors.SEARCH_FIELD_UNKNOWN({ what: 'search filter', field });
  }
  const whereSql = where.join(' AND ');
  const limit = Math.min(Math.max(int(q.limit, 20), 0), 500);
  const offset = Math.max(int(q.offset, 0), 0);
  const total = await db.query<{ n: string | number }>(SQL.countMatches(whereSql), params);
  const hits = await db.query<Record<string, unknown>>(SQL.pageOfMatches(whereSql, rank, limit, offset), params);
  const facets: SearchResult['facets'] = {};
  const facetLimit = Math.min(Math.max(int(q.facetLimit, 50), 1), 1000);
  for (const field of q.facets ?? []) {
    const sql = SCALAR_COLUMNS[field]
      ? SQL.scalarFacet(SCALAR_COLUMNS[field], whereSql, facetLimit)
      : ARRAY_COLUMNS[field]
        ? SQL.arrayFacet(ARRAY_COLUMNS[field], whereSql, facetLimit)
        : undefined;
    if (!sql) throw errors.SEARCH_FIELD_UNKNOWN({ what: 'facet', field });
    const r = await db.query<{ value: string; n: string | number }>(sql, params);
    facets[field] = r.rows.map((x) => ({ value: x.value, count: Number(x.n) }));
  }
  return {
    total: Number(total.rows[0].n),
    hits: hits.rows.map((x) => ({
      recordId: x.record_id as string,
      datasetId: x.dataset_id as string,
      title: (x.title as string) ?? null,
      contentTier: Number(x.content_tier),
      metadataTier: x.metadata_tier as string,
      mediaType: (x.media_type as string) ?? null,
      dataProvider: (x.data_provider as string) ?? null,
      rank: Number(x.rank),
    })),
    facets,
  };
}
