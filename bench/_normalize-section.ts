/**
 * The `normalize` section of `npm run bench steps`: per-record cost of the normalization step on the
 * EDM internal fixture records (those with a Europeana proxy), next to parse + serialize alone (the
 * floor any tree-based step pays), and the one-off cost of building the language vocabulary.
 */
import { readFileSync } from 'node:fs';
import { parseXml, serializeXml } from '../src/edm/xml.ts';
import { createNormalizer } from '../src/steps/normalize/index.ts';
import { languageVocabulary } from '../src/steps/normalize/languages/vocabulary.ts';
import { FIXTURES, INTERNAL_RECORDS } from '../test/normalize/fixtures.ts';
import { measure, type BenchRow, type BenchSection } from './_steps-lib.ts';

export const normalizeSection: BenchSection = {
  name: 'normalize',
  async run(ctx) {
    const rows: BenchRow[] = [];
    const t0 = performance.now();
    languageVocabulary();
    const vocabularyMs = performance.now() - t0;

    const files = INTERNAL_RECORDS.filter((f) => /europeanaProxy>\s*true/.test(readFileSync(FIXTURES + f, 'utf8')));
    const records = files.map((f) => readFileSync(FIXTURES + f, 'utf8'));
    const sizes = records.map((r) => Buffer.byteLength(r) / 1024);
    const set = `EDM internal fixtures (${records.length} records, ${Math.min(...sizes).toFixed(1)}–${Math.max(...sizes).toFixed(0)} KB)`;
    const normalize = createNormalizer();
    const row = (workload: string, engine: string, m: { medianMs: number; p99Ms: number }, note?: string) =>
      rows.push({ section: 'normalize', workload, engine, set, medianMs: m.medianMs, p99Ms: m.p99Ms, note });

    row('parse + serialize only', 'ours (edm/xml-parse.ts tree)', measure(records, (c) => serializeXml(parseXml(c)), ctx.iterations));
    const all = measure(records, (c) => normalize({ recordId: 'r', content: c }), ctx.iterations);
    row('normalize (7 operations)', 'ours (TypeScript)', all, `${Math.round(1000 / all.medianMs)} records/s at the median; vocabulary built once in ${vocabularyMs.toFixed(0)} ms`);
    // Each record alone, to show how the cost grows with the record (and what parsing takes of it).
    const perRecord = Math.max(100, ctx.iterations >> 3);
    records.forEach((content, i) => {
      const parse = measure([content], (c) => serializeXml(parseXml(c)), perRecord);
      row(`normalize ${files[i].split('/').pop()} (${sizes[i].toFixed(1)} KB)`, 'ours (TypeScript)', measure([content], (c) => normalize({ recordId: 'r', content: c }), perRecord), `parse + serialize alone ${parse.medianMs.toFixed(3)} ms`);
    });
    return rows;
  },
};
