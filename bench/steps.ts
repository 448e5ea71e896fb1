/**
 * `npm run bench steps [--iterations=N] [--seconds=S] [--only=name,name]`: per-record cost of the Metis
 * steps, side by side in one run with reference tools doing the same work on the same records.
 *
 * Sections (exported, in order; other step benchmarks append theirs to `sections`):
 * - `validate-transform`: parse, sort+validate external, transform (default TS and provider XSLT on
 *   SaxonJS), validate internal, and the whole chain, on the fixture records and a ~90 KB record;
 * - `xmllint`: Debian `xmllint --schema` in batch mode (warm part only: (T(N files) − T(1 file)) / (N − 1));
 * - `saxon-java`: JDK Xerces XSD + Saxon-HE 9.9 XSLT in one warm JVM (a small program compiled with javac);
 * - `throughput`: the chain in 1 and 2 worker threads, records per second.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { parseXml } from '../src/edm/xml.ts';
import { parseXmlReference } from '../test/support/xml-oracle.ts';
import { createTransformer, createXsltTransformer } from '../src/steps/transform/transformer.ts';
import { createExternalValidator, createInternalValidator } from '../src/steps/validate/validator.ts';
import {
  type BenchContext,
  type BenchRow,
  type BenchSection,
  type RecordSet,
  FIXTURES_DIR,
  SCHEMA_DIR,
  loadFixtureSet,
  markdownTable,
  measure,
} from './_steps-lib.ts';
import { makeLargeRecord } from './_large-record.ts';
import { mediaSection } from './_media-section.ts';
import { normalizeSection } from './_normalize-section.ts';
import { indexSection, tiersSection } from './_tiers-section.ts';
import { enrichSection } from './_enrich-section.ts';

export type { BenchContext, BenchRow, BenchSection } from './_steps-lib.ts';

const BENCH_XSLT = new URL('./xslt/edm-external-to-internal.xsl', import.meta.url);
const SAXON_JAR = ['/usr/share/java/Saxon-HE.jar', '/usr/share/java/Saxon-HE-9.9.1.5.jar'].find((p) => existsSync(p));

/** Prepared inputs of a record set: raw, sorted (external step output) and transformed (internal input). */
interface Prepared {
  set: RecordSet;
  raw: string[];
  sorted: string[];
  internal: string[];
}
const preparedCache = new Map<string, Prepared>();

async function prepare(set: RecordSet): Promise<Prepared> {
  const hit = preparedCache.get(set.name);
  if (hit) return hit;
  const ext = await createExternalValidator({ schemaLocation: SCHEMA_DIR });
  const transform = await createTransformer({ datasetId: '1', datasetName: 'One', country: 'Italy', language: 'it' });
  const raw = set.records.map((r) => r.content);
  const sorted = raw.map((content, i) => {
    const o = ext({ recordId: set.records[i].name, content });
    if (o.status !== 'success') throw new Error(`${set.records[i].name} is not valid external: ${o.messages[0]?.message}`);
    return o.content!;
  });
  const internal = sorted.map((content) => transform({ recordId: 'r', content }).content!);
  ext.dispose();
  const p = { set, raw, sorted, internal };
  preparedCache.set(set.name, p);
  return p;
}

const validateTransformSection: BenchSection = {
  name: 'validate-transform',
  async run(ctx) {
    const ext = await createExternalValidator({ schemaLocation: ctx.schemaDir });
    const int = await createInternalValidator({ schemaLocation: ctx.schemaDir });
    const transform = await createTransformer({ datasetId: '1', datasetName: 'One', country: 'Italy', language: 'it' });
    const xslt = await createXsltTransformer({ source: readFileSync(BENCH_XSLT, 'utf8'), parameters: { datasetId: '1' } });
    const rows: BenchRow[] = [];
    for (const set of ctx.sets) {
      const p = await prepare(set);
      // Fewer iterations for big records: same statistical use, bounded run time.
      const avgBytes = p.raw.reduce((s, c) => s + c.length, 0) / p.raw.length;
      const n = Math.max(50, Math.round(ctx.iterations * Math.min(1, 10_000 / avgBytes)));
      const row = (workload: string, engine: string, m: { medianMs: number; p99Ms: number; cpuMs: number }, note?: string) =>
        rows.push({ section: this.name, workload, engine, set: set.name, medianMs: m.medianMs, p99Ms: m.p99Ms, cpuMs: m.cpuMs, note });
      row('parse', 'saxes (test oracle, test/support/xml-oracle.ts)', measure(p.raw, (c) => parseXmlReference(c), n));
      row('parse', 'ours, indexOf/regex (edm/xml-parse.ts, used by the steps)', measure(p.raw, (c) => parseXml(c), n));
      row('sort + validate external', 'ours (libxml2-wasm XSD + TS Schematron)', measure(p.raw, (c) => ext({ recordId: 'r', content: c }), n));
      row('transform (default)', 'ours (TypeScript)', measure(p.sorted, (c) => transform({ recordId: 'r', content: c }), n));
      row('transform (provider XSLT 2.0)', 'SaxonJS 2.7 (SEF)', measure(p.sorted, (c) => xslt({ recordId: 'r', content: c }), Math.max(30, n >> 2)), 'bench/xslt/edm-external-to-internal.xsl');
      row('validate internal', 'ours (libxml2-wasm XSD + TS Schematron)', measure(p.internal, (c) => int({ recordId: 'r', content: c }), n));
      const chain = (content: string) => {
        const a = ext({ recordId: 'r', content });
        const b = transform({ recordId: 'r', content: a.content! });
        return int({ recordId: 'r', content: b.content! });
      };
      const c = measure(p.raw, chain, n);
      row('chain: sort → ext → transform → int', 'ours, 1 thread', c, `${Math.round(1000 / c.medianMs)} records/s at the wall-clock median, ${Math.round(1000 / c.cpuMs)} per CPU-second`);
    }
    ext.dispose();
    int.dispose();
    return rows;
  },
};

const xmllintSection: BenchSection = {
  name: 'xmllint',
  async run(ctx) {
    const rows: BenchRow[] = [];
    const dir = mkdtempSync(join(tmpdir(), 'bench-xmllint-'));
    try {
      for (const set of ctx.sets) {
        const p = await prepare(set);
        for (const [workload, root, inputs] of [
          ['validate external (XSD only)', 'EDM.xsd', p.sorted],
          ['validate internal (XSD only)', 'EDM-INTERNAL.xsd', p.internal],
        ] as const) {
          const copies = Math.max(1, Math.ceil(Math.min(ctx.iterations, 2000) / inputs.length));
          const files = inputs.map((c, i) => {
            const f = join(dir, `${set.records.length}-${root}-${i}.xml`);
            writeFileSync(f, c);
            return f;
          });
          const many = Array.from({ length: copies }, () => files).flat();
          const run = (list: string[]) => {
            const t0 = performance.now();
            execFileSync('xmllint', ['--noout', '--schema', join(ctx.schemaDir, root), ...list], { stdio: 'ignore' });
            return performance.now() - t0;
          };
          const one = Math.min(run([files[0]]), run([files[0]]), run([files[0]]));
          const all = Math.min(run(many), run(many));
          const per = (all - one) / (many.length - 1);
          rows.push({ section: this.name, workload, engine: 'xmllint (libxml2, Debian), batch', set: set.name, medianMs: per, p99Ms: NaN, note: `mean of ${many.length} files in one process, startup+compile (${one.toFixed(0)} ms) subtracted` });
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};

const saxonJavaSection: BenchSection = {
  name: 'saxon-java',
  async run(ctx) {
    if (!SAXON_JAR) return [{ section: this.name, workload: '-', engine: 'Saxon-HE Java', set: '-', medianMs: NaN, p99Ms: NaN, note: 'Saxon-HE.jar not found (apt install libsaxonhe-java)' }];
    const dir = mkdtempSync(join(tmpdir(), 'bench-java-'));
    const rows: BenchRow[] = [];
    try {
      execFileSync('javac', ['-cp', SAXON_JAR, '-d', dir, fileURLToPath(new URL('./java/MetisChainBench.java', import.meta.url))]);
      for (const set of ctx.sets) {
        const p = await prepare(set);
        // The JVM gets the sorted records: Metis runs its sorter XSLT first, which is not timed here.
        const files = p.sorted.map((c, i) => {
          const f = join(dir, `rec-${set.records.length}-${i}.xml`);
          writeFileSync(f, c);
          return f;
        });
        const out = execFileSync(
          'java',
          ['-cp', `${SAXON_JAR}:${dir}`, 'MetisChainBench', join(ctx.schemaDir, 'EDM.xsd'), join(ctx.schemaDir, 'EDM-INTERNAL.xsd'), fileURLToPath(BENCH_XSLT), String(Math.max(50, Math.round(ctx.iterations * Math.min(1, 10_000 / (p.raw.reduce((s, c) => s + c.length, 0) / p.raw.length))))), ...files],
          { encoding: 'utf8', maxBuffer: 1 << 20 },
        );
        for (const line of out.trim().split('\n')) {
          const r = JSON.parse(line) as { name: string; medianMs: number; p99Ms: number };
          rows.push({ section: this.name, workload: r.name, engine: 'JDK 17 Xerces + Saxon-HE 9.9, warm JVM', set: set.name, medianMs: r.medianMs, p99Ms: r.p99Ms, note: r.name.startsWith('chain') ? `${Math.round(1000 / r.medianMs)} records/s at the median; no sorter, no Schematron` : undefined });
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    return rows;
  },
};

/**
 * Runs the chain in `threads` workers for `seconds`; returns records per wall-clock second and per
 * CPU-second of the process (all threads), which stays meaningful when the machine is shared.
 */
async function chainThroughput(records: string[], threads: number, seconds: number): Promise<{ perSecond: number; perCpuSecond: number }> {
  // Workers do not inherit the tsx loader: register it inside the worker, then load the TS module.
  // A larger young generation halves GC cost on big records (measured: 18.8 → 11.3 ms CPU per 88 KB record).
  const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(new URL('./_steps-worker.ts', import.meta.url).href)}); })`;
  const workers = Array.from(
    { length: threads },
    () => new Worker(boot, { eval: true, workerData: { schemaDir: SCHEMA_DIR, records, durationMs: seconds * 1000 }, resourceLimits: { maxYoungGenerationSizeMb: 64 } }),
  );
  await Promise.all(workers.map((w) => new Promise((r, j) => (w.once('message', r), w.once('error', j)))));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const counts = await Promise.all(workers.map((w) => new Promise<number>((r, j) => (w.once('message', r), w.once('error', j), w.postMessage('go')))));
  const cpu = process.cpuUsage(cpu0);
  const elapsed = (performance.now() - t0) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  const total = counts.reduce((a, b) => a + b, 0);
  return { perSecond: total / elapsed, perCpuSecond: total / ((cpu.user + cpu.system) / 1e6) };
}

let throughputSeconds = 3;
const throughputSection: BenchSection = {
  name: 'throughput',
  async run(ctx) {
    const rows: BenchRow[] = [];
    for (const set of ctx.sets) {
      for (const threads of [1, 2]) {
        const { loadavg } = await import('node:os');
        const load = loadavg()[0];
        const { perSecond, perCpuSecond } = await chainThroughput(set.records.map((r) => r.content), threads, throughputSeconds);
        rows.push({
          section: this.name,
          workload: 'chain: sort → ext → transform → int',
          engine: `ours, ${threads} worker thread${threads > 1 ? 's' : ''}`,
          set: set.name,
          medianMs: 1000 / perSecond,
          p99Ms: NaN,
          cpuMs: 1000 / perCpuSecond,
          note: `**${Math.round(perSecond)} records/s** wall over ${throughputSeconds} s (load ${load.toFixed(1)}); ${Math.round(perCpuSecond)} per CPU-second → ${Math.round(perCpuSecond * threads)} records/s on ${threads} idle core${threads > 1 ? 's' : ''}`,
        });
      }
    }
    return rows;
  },
};

/** All sections of `npm run bench steps`, in order. Step benchmarks add theirs here. */
export const sections: BenchSection[] = [validateTransformSection, xmllintSection, saxonJavaSection, throughputSection];
// Normalization (src/steps/normalize): on EDM internal fixture records.
sections.push(normalizeSection);
// Enrichment (src/steps/enrich): against the built-in entity store on PGlite, EDM internal fixture records.
sections.push(enrichSection);
// Tiers and indexing (src/steps/tiers, src/steps/index): fully processed metis-indexing fixtures, PGlite.
sections.push(tiersSection, indexSection);
// Media processing (src/steps/media): one image by sharp vs ImageMagick `convert` (Metis's command), whole step over loopback HTTP.
sections.push(mediaSection);

export default async function main(args: string[]): Promise<void> {
  const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const iterations = Number(opt('iterations') ?? 2000);
  throughputSeconds = Number(opt('seconds') ?? 3);
  const only = opt('only')?.split(',');
  const large = makeLargeRecord();
  const ctx: BenchContext = {
    sets: [loadFixtureSet(), { name: `generated record (${(Buffer.byteLength(large) / 1024).toFixed(0)} KB)`, records: [{ name: 'large.xml', content: large }] }],
    iterations,
    fixturesDir: FIXTURES_DIR,
    schemaDir: SCHEMA_DIR,
  };
  const { loadavg, cpus } = await import('node:os');
  console.log(`# steps benchmark — ${new Date().toISOString()}, node ${process.version}, ${cpus().length} CPUs, load average at start ${loadavg().map((x) => x.toFixed(1)).join(' ')}, ${iterations} iterations per workload\n`);
  const rows: BenchRow[] = [];
  for (const s of sections) {
    if (only && !only.includes(s.name)) continue;
    const t0 = performance.now();
    const got = await s.run(ctx);
    rows.push(...got);
    console.error(`section ${s.name}: ${got.length} rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  console.log(markdownTable(rows));
  const pick = (section: string, workload: string, set: string) => rows.find((r) => r.section === section && r.workload.startsWith(workload) && r.set === set);
  console.log('');
  for (const set of ctx.sets) {
    const ours = pick('validate-transform', 'chain', set.name);
    const java = pick('saxon-java', 'chain', set.name);
    const xsl = pick('validate-transform', 'transform (provider', set.name);
    const def = pick('validate-transform', 'transform (default)', set.name);
    if (ours && java) console.log(`- ${set.name}: chain ours ${ours.medianMs.toFixed(3)} ms vs JVM ${java.medianMs.toFixed(3)} ms per record → ${(java.medianMs / ours.medianMs).toFixed(1)}× faster`);
    if (xsl && def) console.log(`- ${set.name}: default transform in TS is ${(xsl.medianMs / def.medianMs).toFixed(0)}× faster than the XSLT on SaxonJS`);
  }
}
