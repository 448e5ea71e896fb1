/**
 * Enrichment benchmark section: median ms per record for `createEnricher` against the built-in
 * entity store (PGlite, in process), with a warm cache and with the cache off, on the EDM-internal
 * fixture records. Dereferencing of non-Europeana URIs is off (no dereference service offline);
 * Europeana entity links are dereferenced through the store.
 */
import { readFileSync } from 'node:fs';
import { parseXml, serializeXml } from '../src/edm/xml.ts';
import { openPglite } from '../src/store/db.ts';
import { EntityStore } from '../src/store/entity-store.ts';
import { readEntityFile } from '../src/steps/enrich/entity-file.ts';
import { createEnricher } from '../src/steps/enrich/enricher.ts';
import { loadEraWords } from '../src/steps/enrich/additional-data.ts';
import { FIXTURES_DIR, type BenchContext, type BenchRecord, type BenchRow, type BenchSection } from './_steps-lib.ts';

const CLIENT = 'metis-framework/metis-enrichment/metis-enrichment-client/src/';
const COMMON = 'metis-framework/metis-enrichment/metis-enrichment-common/src/test/resources/';

/** Fixture records that validate against EDM-INTERNAL.xsd (MANIFEST column "XSD int" = ok). */
export const INTERNAL_FIXTURES = [
  'metis-sandbox/src/test/resources/record/transform/record-expected.xml',
  'metis-sandbox/src/test/resources/record/debias/debias-text-record.xml',
  'metis-sandbox/src/test/resources/record/debias/debias-video-record.xml',
  'metis-framework/metis-transformation/metis-transformation-service/src/test/resources/europeana_record_edm_internal.xml',
  'metis-framework/metis-validation/metis-validation-service/src/test/resources/Item_35834473_test.xml',
  `${CLIENT}test/resources/sample_1.rdf`,
  `${CLIENT}test/resources/sample_2.rdf`,
  `${CLIENT}test/resources/sample_completeness.rdf`,
  `${CLIENT}test/resources/enrichment/sample_dereference_not_found.rdf`,
  `${CLIENT}test/resources/enrichment/sample_dereference_redirect.rdf`,
  `${CLIENT}test/resources/enrichment/sample_enrichment_failure.rdf`,
  `${CLIENT}test/resources/enrichment/sample_enrichment_noentity.rdf`,
  `${CLIENT}test/resources/enrichment/sample_enrichment_success.rdf`,
  'Europeana-Cloud/service/dps/storm/topologies/media-service/src/test/resources/files/fileWithSingleResource.xml',
  'Europeana-Cloud/service/dps/storm/topologies/media-service/src/test/resources/files/fileWithTwoResources.xml',
  'Europeana-Cloud/service/dps/storm/topologies/media-service/src/test/resources/files/one-resource.xml',
  'metis-framework/metis-media-service/src/test/resources/__files/rdf_with_oembed_sample_II.xml',
  'metis-framework/metis-indexing/src/test/resources/europeana_record_to_sample_index_rdf.xml',
  'metis-framework/metis-indexing/src/test/resources/europeana_record_to_sample_pid_index_rdf.xml',
  'metis-sandbox/src/test/resources/record.problempatterns/P1_lowercase_title.xml',
  'metis-sandbox/src/test/resources/record.problempatterns/P1_uppercase_title.xml',
  'metis-sandbox/src/test/resources/record.problempatterns/record_pattern_problem.xml',
];

/** The entities loaded into the store: the Entity API answers and entity XMLs of Metis's tests. */
const ENTITY_FILES = [
  ...[
    'concept',
    'mgmt-concept-base',
    'concept-ii',
    'mgmt-concept-base-ii',
    'mgmt-concept-ii-base',
    'concept-iv',
    'resolve-uri-place',
    'resolve-uri-concept',
    'organization',
    'organization-ii',
  ].map((n) => `${CLIENT}test/resources/entity-api/entity-api-response-${n}.json`),
  ...['agent', 'concept', 'place', 'organization'].map((n) => `${COMMON}entity-${n}.xml`),
];

export function loadInternalRecords(fixturesDir: URL = FIXTURES_DIR): BenchRecord[] {
  return INTERNAL_FIXTURES.map((p) => ({
    name: p.split('/').pop()!,
    content: readFileSync(new URL(p, fixturesDir), 'utf8'),
  }));
}

async function measureAsync(records: BenchRecord[], fn: (r: BenchRecord) => Promise<unknown>, iterations: number) {
  for (const r of records) await fn(r); // warm-up: fills the caches, JIT
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const r = records[i % records.length];
    const t0 = performance.now();
    await fn(r);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return {
    medianMs: times[Math.floor(times.length / 2)],
    p99Ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))],
  };
}

export const enrichSection: BenchSection = {
  name: 'enrich',
  async run(ctx: BenchContext): Promise<BenchRow[]> {
    const records = loadInternalRecords(ctx.fixturesDir);
    const set = `EDM-internal fixtures (${records.length} records)`;
    const db = await openPglite();
    const rows: BenchRow[] = [];
    try {
      const eraWords = await loadEraWords(
        new URL(`${CLIENT}main/resources/adList`, ctx.fixturesDir),
        new URL(`${CLIENT}main/resources/bcList`, ctx.fixturesDir),
      );
      const iterations = Math.max(records.length * 10, Math.min(ctx.iterations, 2000));
      for (const [workload, cacheSize] of [
        ['enrich, entity store, warm cache', 5000],
        ['enrich, entity store, no cache (SQL per lookup)', 0],
      ] as const) {
        const store = new EntityStore(db, { cacheSize });
        await store.migrate();
        for (const f of ENTITY_FILES) await store.importEntities(await readEntityFile(new URL(f, ctx.fixturesDir)));
        const enrich = createEnricher({ entityClient: store, eraWords });
        const m = await measureAsync(records, (r) => enrich({ recordId: r.name, content: r.content }), iterations);
        rows.push({ section: 'enrich', workload, engine: 'TS + PGlite', set, ...m });
      }
      // Baseline: what parsing and serializing the same records costs without any enrichment.
      const base = await measureAsync(records, async (r) => serializeXml(parseXml(r.content)), iterations);
      rows.push({ section: 'enrich', workload: 'baseline: parse + serialize only', engine: 'TS', set, ...base });
    } finally {
      await db.close();
    }
    return rows;
  },
};
