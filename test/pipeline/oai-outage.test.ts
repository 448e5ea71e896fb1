/**
 * The provider's OAI-PMH server gone mid-harvest (every GetRecord's connection reset, longer than the
 * OAI client's own 4 tries): the fetches wait it out within the retry budget and the task completes
 * with every record harvested, as a fault-free run does; a server that stays gone past the budget
 * fails the task with RETRY_BUDGET_SPENT instead of failing records and saying "completed".
 * Embedded runtime (the fetch processor is the same on Kafka), a real HTTP server on 127.0.0.1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite } from '../../src/store/db.ts';
import { startEmbedded } from '../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../../src/pipeline/ports/create-metis-ports.ts';
import type { StepName, TaskSpecInput } from '../../src/model/index.ts';
import type { PipelineOptions } from '../../src/pipeline/context.ts';
import { startOaiTestServer, type OaiTestServerOptions } from '../support/oai-server.ts';
import { demoExpectations, progressCounts } from '../support/pipeline-harness.ts';

const STEPS: StepName[] = ['harvest', 'validate-external'];

async function run(n: number, oaiOptions: Omit<OaiTestServerOptions, 'size'>, options: Partial<PipelineOptions>) {
  const dir = mkdtempSync(join(tmpdir(), 'metis-oai-outage-'));
  const oai = await startOaiTestServer({ size: n, pageSize: 10, ...oaiOptions });
  const db = await openPglite();
  const ports = await createMetisPorts(defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 'thumbs'), allowLoopback: true }));
  const pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 2, options });
  try {
    const spec: TaskSpecInput = { dataset: { id: '9700', name: 'Outage', country: 'Italy', language: 'it' }, source: { type: 'oai', url: oai.url, metadataPrefix: 'edm' }, steps: STEPS };
    const task = await pipeline.service.submit(spec);
    const s = await pipeline.service.waitForTask(task.taskId, { timeoutMs: 240_000 });
    return { s, progress: await progressCounts(db, task.taskId), stats: oai.stats };
  } finally {
    await pipeline.stop();
    await ports.close();
    await db.close();
    await oai.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

test('GetRecords refused for 12 s mid-harvest are waited out: the task completes with every record', { timeout: 300_000 }, async () => {
  const N = 40;
  let goneFrom: number | undefined;
  const OUTAGE_MS = 12_000;
  const { s, progress, stats } = await run(
    N,
    {
      fault: ({ verb, verbSeq }) => {
        if (verb !== 'GetRecord') return undefined;
        // From the 10th GetRecord on, the server is gone for OUTAGE_MS (every connection reset).
        if (verbSeq === 10) goneFrom = Date.now();
        return goneFrom !== undefined && Date.now() - goneFrom < OUTAGE_MS ? { reset: true } : undefined;
      },
    },
    { retryBudgetMs: 120_000 },
  );
  assert.equal(s.task.state, 'completed', s.task.reason ?? '');
  const { noAbout } = demoExpectations(N);
  assert.deepEqual(progress.harvest, { success: N - noAbout, warn: 0, fail: noAbout, cancelled: 0 });
  assert.deepEqual(s.errors.filter((e) => /GetRecord failed/.test(e.message)), []);
  // The outage happened and outlasted the client's own tries: requests were refused and repeated.
  assert.ok(goneFrom !== undefined && stats.byVerb.GetRecord >= N + 8, `GetRecord requests: ${stats.byVerb.GetRecord}`);
});

test('an OAI server gone for longer than the retry budget fails the task with RETRY_BUDGET_SPENT', { timeout: 300_000 }, async () => {
  const N = 20;
  const { s } = await run(N, { fault: ({ verb, verbSeq }) => (verb === 'GetRecord' && verbSeq > 5 ? { reset: true } : undefined) }, { retryBudgetMs: 3_000 });
  assert.equal(s.task.state, 'failed');
  assert.match(s.task.reason ?? '', /^GetRecord .* still failed after 3000 ms of retries \(retry budget, retryBudgetMs\): /);
  // No record failed for the outage (the ones not fetched were cancelled with the task).
  assert.deepEqual(s.errors.filter((e) => /GetRecord failed/.test(e.message)), []);
});
