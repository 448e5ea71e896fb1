/**
 * The built-in entity store: contextual entities (Agents, Concepts, Places, TimeSpans,
 * Organizations) kept in PostgreSQL (server or PGlite) for deployments without access to Europeana's
 * Entity API. It answers the same `EntityClient` questions: text matched by normalized label +
 * language + type, co-reference URIs, and ids. Its statements are in `sql/entities.sql.ts`. It
 * stores entities that are already parsed and labelled (`steps/enrich/entity-file.ts` reads files).
 */
import { LRUCache } from 'lru-cache';
import type { Entity, EntityClient, EntityType, LabelledEntity, TextQuery } from '../model/entities.ts';
import type { Db } from './db.ts';
import { ENTITY_STORE_SQL } from './entity-schema.ts';
import * as SQL from './sql/entities.sql.ts';

interface EntityRow {
  about: string;
  type: string;
  xml: string;
  parents: string[];
  same_as: string[];
}

const toEntity = (r: EntityRow): Entity => ({
  about: r.about,
  type: r.type as EntityType,
  xml: r.xml,
  parents: r.parents,
  sameAs: r.same_as,
});

/**
 * Label normalization for matching: Unicode compatibility form, diacritics removed, lower case,
 * whitespace collapsed ("  Valstybés  Archyvas" matches "valstybes archyvas").
 */
export function normalizeLabel(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[łøđßæœıþ]/g, (c) => FOLD[c])
    .replace(/\s+/g, ' ')
    .trim();
}

/** Latin letters that have no canonical decomposition but are commonly typed without their mark. */
const FOLD: Record<string, string> = { ł: 'l', ø: 'o', đ: 'd', ß: 'ss', æ: 'ae', œ: 'oe', ı: 'i', þ: 'th' };

export interface EntityStoreOptions {
  /** Answers kept in memory (0 turns the cache off). Default 5000. */
  cacheSize?: number;
}

/**
 * PostgreSQL-backed `EntityClient`. `new EntityStore(db)`, then `migrate()` once, then
 * `importEntities(await readEntityFile(path))`.
 */
export class EntityStore implements EntityClient {
  private readonly cache: LRUCache<string, { value: unknown }> | undefined;

  constructor(
    private readonly db: Db,
    options: EntityStoreOptions = {},
  ) {
    const size = options.cacheSize ?? 5000;
    this.cache = size > 0 ? new LRUCache({ max: size }) : undefined;
  }

  /** Creates the tables if they do not exist; safe when several workers start at once. */
  async migrate(): Promise<void> {
    if (this.db.kind !== 'pg') {
      await this.db.exec(ENTITY_STORE_SQL);
      return;
    }
    // Concurrent CREATE ... IF NOT EXISTS can still collide on the server: serialize on a lock.
    await this.db.transaction(async (tx) => {
      await tx.query('SELECT pg_advisory_xact_lock(7357005)');
      for (const statement of ENTITY_STORE_SQL.split(/;\s*\n/)) if (statement.trim()) await tx.query(statement);
    });
  }

  /** Inserts or replaces entities (with their labels and co-reference URIs) in one transaction, in batches. */
  async importEntities(entities: LabelledEntity[], batchSize = 500): Promise<number> {
    // The last occurrence of an id wins (one statement cannot update a row twice).
    const unique = [...new Map(entities.map((e) => [e.about, e])).values()];
    await this.db.transaction(async (tx) => {
      for (let i = 0; i < unique.length; i += batchSize) {
        const batch = unique.slice(i, i + batchSize);
        const abouts = batch.map((e) => e.about);
        await tx.query(SQL.upsertEntities, [
          abouts,
          batch.map((e) => e.type),
          batch.map((e) => e.xml),
          batch.map((e) => JSON.stringify(e.parents)),
          batch.map((e) => JSON.stringify(e.sameAs)),
        ]);
        await tx.query(SQL.deleteLabels, [abouts]);
        await tx.query(SQL.deleteUris, [abouts]);
        const labels: string[][] = [[], [], [], []];
        const uris: string[][] = [[], []];
        for (const e of batch) {
          for (const l of e.labels) {
            labels[0].push(normalizeLabel(l.label));
            labels[1].push(e.type);
            labels[2].push(l.lang.toLowerCase());
            labels[3].push(e.about);
          }
          for (const u of new Set([e.about, ...e.sameAs])) {
            uris[0].push(u);
            uris[1].push(e.about);
          }
        }
        await tx.query(SQL.insertLabels, labels);
        await tx.query(SQL.insertUris, uris);
      }
    });
    this.cache?.clear();
    return unique.length;
  }

  /** Number of stored entities. */
  async count(): Promise<number> {
    const r = await this.db.query<{ n: number }>(SQL.count);
    return r.rows[0].n;
  }

  private async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache?.get(key);
    if (hit) return hit.value as T;
    const value = await load();
    this.cache?.set(key, { value });
    return value;
  }

  /** Entities with a prefLabel/altLabel/hiddenLabel equal to the normalized text, of a wanted type, in the language (or none). */
  findByText(query: TextQuery): Promise<Entity[]> {
    const label = normalizeLabel(query.text);
    const lang = query.lang?.toLowerCase() ?? null;
    return this.cached(`t\u0000${label}\u0000${lang ?? ''}\u0000${query.types.join(',')}`, async () => {
      const r = await this.db.query<EntityRow>(SQL.byText, [label, query.types, lang]);
      return r.rows.map(toEntity);
    });
  }

  /** The entity whose id or co-reference (sameAs / exactMatch) is `uri`. */
  findByUri(uri: string): Promise<Entity | undefined> {
    return this.cached(`u\u0000${uri}`, async () => {
      const r = await this.db.query<EntityRow>(SQL.byUri, [uri]);
      return r.rows[0] ? toEntity(r.rows[0]) : undefined;
    });
  }

  /** The entity with this id. */
  getById(id: string): Promise<Entity | undefined> {
    return this.cached(`i\u0000${id}`, async () => {
      const r = await this.db.query<EntityRow>(SQL.byId, [id]);
      return r.rows[0] ? toEntity(r.rows[0]) : undefined;
    });
  }
}
