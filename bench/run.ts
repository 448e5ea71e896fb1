/**
 * Benchmark dispatcher: `npm run bench <name> [args...]` runs `bench/<name>.ts`'s default export.
 * Several names may be given (`npm run bench steps engine`); with none, the available ones are listed.
 */
import { readdirSync } from 'node:fs';

const here = new URL('./', import.meta.url);
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3));
const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench <${available.join('|')}> [args...]`);
  process.exit(name ? 1 : 0);
}
const mod = (await import(new URL(`./${name}.ts`, here).href)) as { default: (args: string[]) => Promise<void> };
await mod.default(args);
