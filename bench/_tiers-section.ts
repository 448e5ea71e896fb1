/**
 * `tiers` and `index` sections of `npm run bench steps`: per-record cost of `computeTiers` and of the
 * indexing step with batched writes (100 records per transaction) into PGlite, on the fully
 * processed fixture records of metis-indexing (the inputs Metis computes tiers on).
 */
import { readFileSync } from 'node:fs';
import { createIndexer } from '../src/steps/index/index.ts';
import { computeTiers } from '../src/steps/tiers/index.ts';
import { openPglite } from '../src/store/db.ts';
import { openPublishedStore } from '../src/store/published-store.ts';
import { FIXTURES_DIR, measure, type BenchRecord, type BenchRow, type BenchSection } from './_steps-lib.ts';

const INDEXING = 'metis-framework/metis-indexing/src/test/resources/';
const TIER_FIXTURES = [
  'europeana_record_rdf_with_tier_calculated.xml',
  'europeana_record_rdf_tier_for_overwrite.xml',
  'europeana_record_to_sample_index_rdf.xml',
  'europeana_record_to_sample_pid_index_rdf.xml',
  'europeana_record_with_geospatial_data.xml',
  'europeana_record_with_normalized_date_timespan.xml',
];

function loadTierRecords(): BenchRecord[] {
  return TIER_FIXTURES.map((name) => ({ name, content: readFileSync(new URL(INDEXING + name, FIXTURES_DIR), 'utf8') }));
}

const SET = 'metis-indexing fixtures (6 records, 8–39 KB)';

export const tiersSection: BenchSection = {
  name: 'tiers',
  async run(ctx) {
    const records = loadTierRecords();
    const m = measure(records, (r) => computeTiers(r.content), ctx.iterations);
    return [{ section: 'tiers', workload: 'computeTiers (parse + content + 2 metadata tiers)', engine: 'ours', set: SET, ...m }];
  },
};

export const indexSection: BenchSection = {
  name: 'index',
  async run(ctx) {
    const records = loadTierRecords();
    const db = await openPglite();
    try {
      const store = await openPublishedStore(db);
      const index = createIndexer({ store, target: 'preview' });
      const batch = 100;
      const batches = Math.max(3, Math.ceil(Math.min(ctx.iterations, 2000) / batch));
      const perRecord: number[] = [];
      const cpu0 = process.cpuUsage();
      for (let b = 0; b < batches; b++) {
        const input = Array.from({ length: batch }, (_, i) => {
          const r = records[(b * batch + i) % records.length];
          return { recordId: `/bench/${b * batch + i}`, content: r.content, datasetId: 'bench', executionId: 'e1' };
        });
        const t0 = performance.now();
        await index(input);
        perRecord.push((performance.now() - t0) / batch);
      }
      const cpu = process.cpuUsage(cpu0);
      const sorted = perRecord.sort((a, b) => a - b);
      const row: BenchRow = {
        section: 'index',
        workload: 'index step, 100 records per transaction',
        engine: 'ours + PGlite',
        set: SET,
        medianMs: sorted[sorted.length >> 1],
        p99Ms: sorted[sorted.length - 1],
        cpuMs: (cpu.user + cpu.system) / 1000 / (batches * batch),
        note: 'per record, batch time / 100',
      };
      return [row];
    } finally {
      await db.close();
    }
  },
};
