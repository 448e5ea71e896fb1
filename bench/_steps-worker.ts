/**
 * Worker for the multi-thread throughput row of `npm run bench steps`: runs the chain
 * sort → validate external → transform (default) → validate internal over the given records for a
 * fixed time and reports how many records it completed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createTransformer } from '../src/steps/transform/transformer.ts';
import { createExternalValidator, createInternalValidator } from '../src/steps/validate/validator.ts';

const { schemaDir, records, durationMs } = workerData as { schemaDir: string; records: string[]; durationMs: number };
const ext = await createExternalValidator({ schemaLocation: schemaDir });
const int = await createInternalValidator({ schemaLocation: schemaDir });
const transform = await createTransformer({ datasetId: '1', datasetName: 'One', country: 'Italy', language: 'it' });
const chain = (content: string) => {
  const a = ext({ recordId: 'r', content });
  const b = transform({ recordId: 'r', content: a.content! });
  const c = int({ recordId: 'r', content: b.content! });
  if (c.status !== 'success') throw new Error(`chain failed: ${c.messages[0]?.message}`);
};
for (let i = 0; i < 300; i++) chain(records[i % records.length]); // warm-up
parentPort!.postMessage('ready');
parentPort!.once('message', () => {
  let done = 0;
  const end = performance.now() + durationMs;
  while (performance.now() < end) chain(records[done++ % records.length]);
  parentPort!.postMessage(done);
});
