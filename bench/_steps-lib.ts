/**
 * Shared helpers for `npm run bench steps`: timing, record sets, and the section contract other step
 * benchmarks plug into (the leading underscore keeps `bench/run.ts` from listing this file).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** One input record for a benchmark. */
export interface BenchRecord {
  name: string;
  content: string;
}

/** A named set of records measured together (per-record numbers are over all of them). */
export interface RecordSet {
  name: string;
  records: BenchRecord[];
}

/** One result row: a workload on a record set, per record. */
export interface BenchRow {
  section: string;
  workload: string;
  engine: string;
  set: string;
  medianMs: number;
  p99Ms: number;
  /** Process CPU time per record (ms), when measured in-process. */
  cpuMs?: number;
  note?: string;
}

/** What every section gets: the record sets, the iteration count, and where the fixtures are. */
export interface BenchContext {
  sets: RecordSet[];
  iterations: number;
  fixturesDir: URL;
  schemaDir: string;
}

/** A benchmark section; sections run in order and their rows end up in one table. */
export interface BenchSection {
  name: string;
  run(ctx: BenchContext): Promise<BenchRow[]>;
}

export const FIXTURES_DIR = new URL('../../shared/fixtures/metis/', import.meta.url);
export const SCHEMA_DIR = fileURLToPath(
  new URL('metis-framework/metis-validation/metis-validation-service/src/test/resources/__files/test_schema.zip.extracted/', FIXTURES_DIR),
);

/** The valid EDM external fixture records (MANIFEST "edm-ext"). */
export const EXTERNAL_FIXTURES = [
  'metis-framework/metis-repository/metis-repository-rest/src/test/resources/record-test.xml',
  'metis-sandbox/src/test/resources/zip/Record1.xml',
  'metis-sandbox/src/test/resources/zip/Record2.xml',
  'metis-sandbox/src/test/resources/zip/Record3.xml',
  'metis-sandbox/src/test/resources/zip/Record4.xml',
  'metis-sandbox/src/test/resources/record/valid-record.xml',
  'Europeana-Cloud/service/commons/src/test/resources/Lithuania_1.xml',
  'Europeana-Cloud/service/commons/src/test/resources/Lithuania_2.xml',
];

export function loadFixtureSet(): RecordSet {
  return {
    name: `fixtures (${EXTERNAL_FIXTURES.length} EDM external records, 2.4–9.9 KB)`,
    records: EXTERNAL_FIXTURES.map((p) => ({ name: p.split('/').pop()!, content: readFileSync(new URL(p, FIXTURES_DIR), 'utf8') })),
  };
}

/**
 * Times `fn` over `inputs` (cycled) after a warm-up.
 * @returns median and p99 of the per-call durations in milliseconds, and the mean
 */
export function measure<T>(inputs: T[], fn: (input: T) => unknown, iterations: number): { medianMs: number; p99Ms: number; meanMs: number; cpuMs: number } {
  const warmup = Math.max(50, Math.floor(iterations / 5));
  for (let i = 0; i < warmup; i++) fn(inputs[i % inputs.length]);
  const times = new Float64Array(iterations);
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < iterations; i++) {
    const input = inputs[i % inputs.length];
    const t0 = performance.now();
    fn(input);
    times[i] = performance.now() - t0;
  }
  const cpu = process.cpuUsage(cpu0);
  const sorted = [...times].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return {
    medianMs: sorted[sorted.length >> 1],
    p99Ms: sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * 0.99))],
    meanMs: mean,
    // CPU time of this process per call: robust against other load on a shared machine.
    cpuMs: (cpu.user + cpu.system) / 1000 / iterations,
  };
}

/** Formats rows as a Markdown table (ms per record). */
export function markdownTable(rows: BenchRow[]): string {
  const f = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? '–' : x.toFixed(3));
  const lines = ['| section | workload | engine | records | median ms | p99 ms | CPU ms | note |', '|---|---|---|---|---:|---:|---:|---|'];
  for (const r of rows)
    lines.push(`| ${r.section} | ${r.workload} | ${r.engine} | ${r.set} | ${f(r.medianMs)} | ${f(r.p99Ms)} | ${f(r.cpuMs)} | ${r.note ?? ''} |`);
  return lines.join('\n');
}

