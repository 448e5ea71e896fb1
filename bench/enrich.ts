/**
 * `npm run bench enrich [--iterations=N]`: the enrichment section of `npm run bench steps`, alone.
 */
import { FIXTURES_DIR, SCHEMA_DIR, markdownTable } from './_steps-lib.ts';
import { enrichSection } from './_enrich-section.ts';

export default async function main(args: string[]): Promise<void> {
  const iterations = Number(args.find((a) => a.startsWith('--iterations='))?.split('=')[1] ?? 1000);
  console.log(
    `# enrich benchmark — ${new Date().toISOString()}, node ${process.version}, ${iterations} iterations per workload\n`,
  );
  const rows = await enrichSection.run({ sets: [], iterations, fixturesDir: FIXTURES_DIR, schemaDir: SCHEMA_DIR });
  console.log(markdownTable(rows));
}
