/**
 * The listing keeps one page in memory, whatever the dataset size: the heap after 100 pages of a
 * 50,000-record listing is about what it was after 10.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createOaiClient } from '../../src/steps/harvest/oai/oai-client.ts';
import { startOaiTestServer } from '../support/oai-server.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

test('listing 50,000 headers does not grow the heap with the dataset', async () => {
  const oai = await startOaiTestServer({ size: 50_000, pageSize: 500 });
  const client = createOaiClient({ retries: 0, retryDelayMs: 1 });
  const heap: Record<number, number> = {};
  try {
    let n = 0;
    const listing = client.listIdentifiers(
      { baseUrl: oai.url, metadataPrefix: 'edm' },
      {
        onPage: (s) => {
          if (s.pagesRead === 10 || s.pagesRead === 100) {
            gc();
            heap[s.pagesRead] = process.memoryUsage().heapUsed;
          }
        },
      },
    );
    for await (const h of listing) if (h.identifier) n++;
    assert.equal(n, 50_000);
    const growth = heap[100] - heap[10];
    console.log(`# heap growth between page 10 and page 100: ${(growth / 1024 / 1024).toFixed(2)} MiB (45,000 headers passed)`);
    // 45,000 retained headers take about 20 MiB.
    assert.ok(growth < 5 * 1024 * 1024, `heap grew by ${growth} bytes`);
  } finally {
    await client.close();
    await oai.close();
  }
});
