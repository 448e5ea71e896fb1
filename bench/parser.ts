/**
 * `npm run bench parser [--steps=5] [--reps=3]`: how parse time grows with each dimension of a hostile
 * record (issue #12): nesting depth, attributes on one element, sibling elements, namespace
 * declarations, and plain size. Each dimension doubles at every step; the ratio to the previous step
 * is ≈ 2 when the parser is linear (≈ 4 would be quadratic). Both parsers run: the record parser
 * (src/edm/xml-parse.ts) on the record, and the streaming OAI-PMH parser
 * (src/steps/harvest/oai/oai-response.ts) on a GetRecord response wrapping it, fed in 64 KiB chunks.
 * Limits are lifted so the cost of the shape itself is measured, not the refusal.
 */
import { parseXml } from '../src/edm/xml.ts';
import { parseGetRecord } from '../src/steps/harvest/oai/oai-response.ts';
import {
  deepRecord,
  getRecordResponse,
  manyAttributesRecord,
  manyNamespacesRecord,
  manySiblingsRecord,
  sizedRecord,
} from '../test/hostile/support/parser-generators.ts';

const UNLIMITED = { maxDepth: 1e9, maxNamespaceDeclarations: 1e9, maxNamespacesInScope: 1e9 };

const DIMENSIONS: Array<{ name: string; start: number; make: (n: number) => string }> = [
  { name: 'depth (nested elements)', start: 12_500, make: deepRecord },
  { name: 'attributes on one element', start: 12_500, make: manyAttributesRecord },
  { name: 'sibling elements (one line)', start: 25_000, make: manySiblingsRecord },
  { name: 'namespace declarations', start: 4_000, make: manyNamespacesRecord },
  { name: 'size (ordinary resources)', start: 2_500, make: sizedRecord },
];

async function* chunks(s: string): AsyncGenerator<Buffer> {
  const b = Buffer.from(s);
  for (let i = 0; i < b.length; i += 65_536) yield b.subarray(i, i + 65_536);
}

async function median(reps: number, fn: () => unknown): Promise<number> {
  await fn(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    await fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1];
}

export default async function main(args: string[]): Promise<void> {
  const opt = (k: string, d: number) => Number(args.find((a) => a.startsWith(`--${k}=`))?.split('=')[1] ?? d);
  const steps = opt('steps', 5);
  const reps = opt('reps', 3);
  console.log(`# parser scaling — ${new Date().toISOString()}, node ${process.version}, median of ${reps}\n`);
  console.log('| dimension | n | input | record parser | ratio | OAI stream parser | ratio |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const dim of DIMENSIONS) {
    let prevRecord = 0;
    let prevOai = 0;
    let firstRecord = 0;
    let firstOai = 0;
    for (let step = 0, n = dim.start; step < steps; step++, n *= 2) {
      const record = dim.make(n);
      const response = getRecordResponse(record);
      const recordMs = await median(reps, () => parseXml(record, UNLIMITED));
      const oaiMs = await median(reps, () => parseGetRecord(chunks(response), UNLIMITED));
      const ratio = (ms: number, prev: number) => (prev ? (ms / prev).toFixed(2) : '');
      console.log(
        `| ${dim.name} | ${n.toLocaleString('en')} | ${(record.length / 1024).toFixed(0)} KB | ` +
          `${recordMs.toFixed(1)} ms | ${ratio(recordMs, prevRecord)} | ${oaiMs.toFixed(1)} ms | ${ratio(oaiMs, prevOai)} |`,
      );
      if (step === 0) [firstRecord, firstOai] = [recordMs, oaiMs];
      prevRecord = recordMs;
      prevOai = oaiMs;
    }
    // The per-step ratios are noisy on a busy machine; the mean over all doublings is steadier.
    const mean = (last: number, first: number) => Math.pow(last / first, 1 / (steps - 1)).toFixed(2);
    console.log(
      `| ${dim.name}: mean ratio per doubling | | ×${2 ** (steps - 1)} | | ${mean(prevRecord, firstRecord)} | | ${mean(prevOai, firstOai)} |`,
    );
  }
}
