/**
 * Tiers and indexing benchmark: `npm run bench tiers [records=2000] [batch=100] [pg]`.
 * - tiers: computeTiers on each tier fixture (parse + classify), ms per record;
 * - index: the indexing step (tiers + annotations + fields + batched writes) into PGlite, and into
 *   the PostgreSQL server when `pg` is given (METIS_PG_ADMIN_URL, a throw-away database).
 */
import { readFileSync } from 'node:fs';
import { computeTiers } from '../src/steps/tiers/index.ts';
import { createIndexer } from '../src/steps/index/index.ts';
import { openPglite, type Db } from '../src/store/db.ts';
import { openPublishedStore } from '../src/store/published-store.ts';

const dir = new URL('../../shared/fixtures/metis/metis-framework/metis-indexing/src/test/resources/', import.meta.url);
const FIXTURES = ['europeana_record_rdf_with_tier_calculated.xml', 'europeana_record_to_sample_index_rdf.xml', 'europeana_record_with_technical_metadata.xml'];

function timeIt(n: number, fn: () => void): number {
  for (let i = 0; i < Math.min(50, n); i++) fn(); // warm-up
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return (performance.now() - t0) / n;
}

async function benchIndex(label: string, db: Db, records: number, batch: number, content: string): Promise<void> {
  const store = await openPublishedStore(db);
  const index = createIndexer({ store, target: 'preview' });
  const t0 = performance.now();
  for (let i = 0; i < records; i += batch) {
    const chunk = Array.from({ length: Math.min(batch, records - i) }, (_, k) => ({ recordId: `/bench/${i + k}`, content, datasetId: 'bench', executionId: 'e1' }));
    await index(chunk);
  }
  const ms = performance.now() - t0;
  const search0 = performance.now();
  const r = await store.search('preview', { text: 'czas', facets: ['mediaType', 'contentTier'], limit: 20 });
  const searchMs = performance.now() - search0;
  console.log(`index ${label}: ${records} records in batches of ${batch}: ${(ms / records).toFixed(3)} ms/record (${Math.round((records / ms) * 1000)} records/s); search+2 facets over ${r.total}: ${searchMs.toFixed(1)} ms`);
}

export default async function main(args: string[]): Promise<void> {
  const records = Number(args.find((a) => /^\d+$/.test(a)) ?? 2000);
  const batch = Number(args.filter((a) => /^\d+$/.test(a))[1] ?? 100);
  for (const f of FIXTURES) {
    const xml = readFileSync(new URL(f, dir), 'utf8');
    const ms = timeIt(Math.max(50, Math.round(records / 4)), () => computeTiers(xml));
    console.log(`tiers ${f} (${Math.round(xml.length / 1024)} KiB): ${ms.toFixed(3)} ms/record`);
  }
  const content = readFileSync(new URL(FIXTURES[0], dir), 'utf8');
  // The indexing step's own CPU work (tiers, annotations, fields, serialization) without a database.
  const noDb = createIndexer({ store: { applyBatch: async () => {} }, target: 'preview' });
  const cpu0 = performance.now();
  for (let i = 0; i < records; i += batch) await noDb(Array.from({ length: batch }, (_, k) => ({ recordId: `/b/${i + k}`, content, datasetId: 'b' })));
  console.log(`index step without database: ${((performance.now() - cpu0) / records).toFixed(3)} ms/record`);
  const lite = await openPglite();
  await benchIndex('PGlite', lite, records, batch, content);
  await lite.close();
  if (args.includes('pg')) {
    const { createTestDatabase } = await import('../test/support/pg.ts');
    const t = await createTestDatabase('metis_bench');
    try {
      await benchIndex('PostgreSQL', t.db, records, batch, content);
    } finally {
      await t.drop();
    }
  }
}
