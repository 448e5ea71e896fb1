/** Worker of `npm run bench xslt`: runs one chain (port or xslt) over the records for a fixed time. */
import { parentPort, workerData } from 'node:worker_threads';
import { buildChain, type Mode, type RuleSet } from './_xslt-chain.ts';

const { mode, schemaDir, rules, cacheDir, records, durationMs, warmup } = workerData as {
  mode: Mode;
  schemaDir: string;
  rules?: RuleSet;
  cacheDir: string;
  records: string[];
  durationMs: number;
  warmup: number;
};
const chain = await buildChain(mode, schemaDir, rules, cacheDir);
for (let i = 0; i < warmup; i++) chain.all(records[i % records.length]); // warm-up (a JVM needs ~1,500)
parentPort!.postMessage('ready');
parentPort!.once('message', () => {
  let done = 0;
  const end = performance.now() + durationMs;
  while (performance.now() < end) chain.all(records[done++ % records.length]);
  parentPort!.postMessage(done);
});
