/**
 * `npm run bench normalize [--iterations=N]`: the normalization section of `npm run bench steps`, alone.
 */
import { markdownTable } from './_steps-lib.ts';
import { normalizeSection } from './_normalize-section.ts';
import { FIXTURES_DIR, SCHEMA_DIR } from './_steps-lib.ts';

export default async function main(args: string[]): Promise<void> {
  const iterations = Number(args.find((a) => a.startsWith('--iterations='))?.split('=')[1] ?? 2000);
  console.log(`# normalize benchmark — ${new Date().toISOString()}, node ${process.version}, ${iterations} iterations per workload\n`);
  const rows = await normalizeSection.run({ sets: [], iterations, fixturesDir: FIXTURES_DIR, schemaDir: SCHEMA_DIR });
  console.log(markdownTable(rows));
}
