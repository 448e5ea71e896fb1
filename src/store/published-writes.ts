/**
 * Writes to the published index inside one transaction: multi-row record upserts (with their search
 * vectors) and tombstones. A record indexed again loses its tombstone (metis-steps.md §11, step 7).
 */
import type { Queryable } from './db.ts';
import type { VectorPart } from './published-text-search.ts';
import * as SQL from './sql/published.sql.ts';
import type { LangText, PublishedDocument, PublishTarget, TombstoneInput } from '../model/published.ts';

/** A record removed from a target: what its tombstone keeps. */
export interface DeletedRow {
  record_id: string;
  dataset_id: string;
  title: string | null;
  data_provider: string | null;
}

/** Parameters per statement stay well below PostgreSQL's 65,535. */
const MAX_PARAMS_PER_STATEMENT = 20_000;

/** One VALUES row: its SQL (numbered from `params.length + 1`) with its parameters appended to `params`. */
function recordRow(params: unknown[], target: PublishTarget, d: PublishedDocument, vector: VectorPart[]): string {
  const f = d.fields;
  const texts = (xs: LangText[]) => xs.map((x) => x.text);
  // prettier-ignore
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
            // The weight is one of A–D from the text-search weights, never user input.
            return `setweight(to_tsvector($${params.length - 1}::regconfig, $${params.length}), '${weight}')`;
          })
          .join(' || ');
  return `(${placeholders.join(', ')}, ${vectorSql})`;
}

/** Upserts records with multi-row INSERTs (a record id twice in a batch: the last one wins). */
export async function upsertRecords(
  tx: Queryable,
  target: PublishTarget,
  prepared: Array<[PublishedDocument, VectorPart[]]>,
): Promise<void> {
  const unique = [...new Map(prepared.map((p) => [p[0].recordId, p])).values()];
  let params: unknown[] = [];
  let rows: string[] = [];
  const flush = async () => {
    if (rows.length === 0) return;
    await tx.query(SQL.upsertRecords(rows), params);
    params = [];
    rows = [];
  };
  for (const [doc, vector] of unique) {
    rows.push(recordRow(params, target, doc, vector));
    if (params.length >= MAX_PARAMS_PER_STATEMENT) await flush();
  }
  await flush();
  await tx.query(SQL.deleteTombstones, [target, unique.map((p) => p[0].recordId)]);
}

/** Removes records, leaving tombstones that keep the given title / data provider, else the removed record's. */
export async function removeWithTombstones(
  tx: Queryable,
  target: PublishTarget,
  entries: TombstoneInput[],
): Promise<void> {
  const r = await tx.query<DeletedRow>(SQL.deleteRecords, [target, entries.map((e) => e.recordId)]);
  const previous = new Map(r.rows.map((x) => [x.record_id, x]));
  await insertTombstones(
    tx,
    target,
    entries.map((e) => ({
      ...e,
      title: e.title ?? previous.get(e.recordId)?.title ?? undefined,
      dataProvider: e.dataProvider ?? previous.get(e.recordId)?.data_provider ?? undefined,
    })),
  );
}

/** Tombstones for removed records, all with one reason. */
export function tombstonesOf(rows: DeletedRow[], reason: string): TombstoneInput[] {
  return rows.map((row) => ({
    recordId: row.record_id,
    datasetId: row.dataset_id,
    reason,
    title: row.title ?? undefined,
    dataProvider: row.data_provider ?? undefined,
  }));
}

export async function insertTombstones(tx: Queryable, target: PublishTarget, all: TombstoneInput[]): Promise<void> {
  // One row per record id (the last entry wins): a statement may not upsert the same row twice.
  const entries = [...new Map(all.map((e) => [e.recordId, e])).values()];
  if (entries.length === 0) return;
  await tx.query(SQL.upsertTombstones, [
    target,
    entries.map((e) => e.recordId),
    entries.map((e) => e.datasetId),
    entries.map((e) => e.reason),
    entries.map((e) => e.title ?? null),
    entries.map((e) => e.dataProvider ?? null),
  ]);
}
