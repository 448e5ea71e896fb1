#!/usr/bin/env node
// Entry point of the `metis-streams` command: runs the compiled build in dist/ (`npm run build`).
// No TypeScript loader at run time; the sources run through tsx only in tests and benchmarks.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('metis-streams: dist/ is missing: run `npm run build` first\n');
  process.exit(1);
}
await import(main.href);
