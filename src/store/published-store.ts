/**
 * The published index (metis-steps.md §11, §12): one store, two targets (`preview`, `publish`).
 * Each indexed record keeps its full EDM (with tier annotations), its tiers and searchable fields,
 * and a `tsvector` built per language (`published-text-search.ts`). Removing a record from a target
 * leaves a tombstone carrying the reason; indexing it again removes the tombstone
 * (`published-writes.ts`). Search is `published-search.ts`; every statement is in
 * `sql/published.sql.ts`. The same SQL runs on `pg` and PGlite.
 */
import type { Db } from './db.ts';
import { publishedMigrations } from './published-schema.ts';
import { searchPublished, type SearchQuery, type SearchResult } from './published-search.ts';
import { TextSearchConfigs } from './published-text-search.ts';
import {
  insertTombstones,
  removeWithTombstones,
  tombstonesOf,
  upsertRecords,
  type DeletedRow,
} from './published-writes.ts';
import * as SQL from './sql/published.sql.ts';
import type { PublishedBatch, PublishedDocument, PublishTarget } from '../model/published.ts';

export type {
  LangText,
  PublishedBatch,
  PublishedDocument,
  PublishTarget,
  SearchFields,
  TombstoneInput,
} from '../model/published.ts';
export type { FacetField, SearchHit, SearchQuery, SearchResult } from './published-search.ts';

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

export class PublishedStore {
  private readonly configs: TextSearchConfigs;

  constructor(readonly db: Db) {
    this.configs = new TextSearchConfigs(db);
  }

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
  configFor(lang: string | undefined): Promise<string> {
    return this.configs.configFor(lang);
  }

  /**
   * Indexes records and writes tombstones in one transaction, in input order: an indexed record
   * loses its tombstone; a tombstoned record leaves the target.
   */
  async applyBatch(target: PublishTarget, batch: PublishedBatch): Promise<void> {
    const docs = batch.index ?? [];
    const vectors = await Promise.all(docs.map((d) => this.configs.vectorOf(d)));
    await this.db.transaction(async (tx) => {
      if (docs.length > 0)
        await upsertRecords(
          tx,
          target,
          docs.map((d, i) => [d, vectors[i]]),
        );
      if (batch.tombstones?.length) await removeWithTombstones(tx, target, batch.tombstones);
      if (batch.remove?.length) await tx.query(SQL.deleteRecordsQuietly, [target, batch.remove]);
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
    const r = await this.db.query<{ record_id: string }>(SQL.removeUnseen, [target, datasetId, executionId]);
    return r.rows.map((x) => x.record_id).sort();
  }

  /** Removes the given records, leaving tombstones; returns which ids were removed and which were unknown. */
  async depublishRecords(
    target: PublishTarget,
    recordIds: string[],
    reason: string,
  ): Promise<{ removed: string[]; missing: string[] }> {
    return this.db.transaction(async (tx) => {
      const r = await tx.query<DeletedRow>(SQL.deleteRecords, [target, recordIds]);
      await insertTombstones(tx, target, tombstonesOf(r.rows, reason));
      const removed = new Set(r.rows.map((x) => x.record_id));
      return {
        removed: recordIds.filter((id) => removed.has(id)),
        missing: recordIds.filter((id) => !removed.has(id)),
      };
    });
  }

  /** Removes every record of a dataset from the target, leaving tombstones; returns the removed ids. */
  async depublishDataset(target: PublishTarget, datasetId: string, reason: string): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      const r = await tx.query<DeletedRow>(SQL.deleteDataset, [target, datasetId]);
      await insertTombstones(tx, target, tombstonesOf(r.rows, reason));
      return r.rows.map((x) => x.record_id).sort();
    });
  }

  async getRecord(target: PublishTarget, recordId: string): Promise<PublishedRecordRow | undefined> {
    const r = await this.db.query<Record<string, unknown>>(SQL.selectRecord, [target, recordId]);
    const x = r.rows[0];
    if (!x) return undefined;
    return {
      recordId: x.record_id as string,
      datasetId: x.dataset_id as string,
      executionId: (x.execution_id as string) ?? null,
      edm: x.edm as string,
      contentTier: Number(x.content_tier),
      metadataTier: x.metadata_tier as string,
      license: (x.license as string) ?? null,
      title: (x.title as string) ?? null,
      dataProvider: (x.data_provider as string) ?? null,
      mediaType: (x.media_type as string) ?? null,
      hasThumbnail: x.has_thumbnail as boolean,
    };
  }

  async getTombstone(target: PublishTarget, recordId: string): Promise<TombstoneRow | undefined> {
    const r = await this.db.query<Record<string, unknown>>(SQL.selectTombstone, [target, recordId]);
    const x = r.rows[0];
    if (!x) return undefined;
    return {
      recordId: x.record_id as string,
      datasetId: x.dataset_id as string,
      reason: x.reason as string,
      title: (x.title as string) ?? null,
      dataProvider: (x.data_provider as string) ?? null,
      createdAt: new Date(x.created_at as string),
    };
  }

  /** Record ids of a dataset in a target, sorted. */
  async recordIds(target: PublishTarget, datasetId: string): Promise<string[]> {
    const r = await this.db.query<{ record_id: string }>(SQL.selectRecordIds, [target, datasetId]);
    return r.rows.map((x) => x.record_id);
  }

  /** Full-text search with filters, facet counts and paging. */
  search(target: PublishTarget, q: SearchQuery = {}): Promise<SearchResult> {
    return searchPublished(this.db, this.configs, target, q);
  }
}

/** Opens the published store over a database and makes sure its tables exist. */
export async function openPublishedStore(db: Db): Promise<PublishedStore> {
  const store = new PublishedStore(db);
  await store.migrate();
  return store;
}
