/**
 * Operator features of the pipeline on the embedded runtime (Kafka adds nothing to them; the Kafka
 * versions of throttling and cancellation are in test/integration/pipeline-kafka-control.test.ts):
 * re-run from a step, incremental harvest, provider throttling, retries of failed requests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite, type Db } from '../../src/store/db.ts';
import { startEmbedded, type EmbeddedPipeline } from '../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig, type MetisPortsHandle } from '../../src/pipeline/ports/create-metis-ports.ts';
import type { HostLimits } from '../../src/pipeline/host-limiter.ts';
import type { StepName, TaskSpecInput } from '../../src/model/index.ts';
import { demoDefect, demoIdentifier } from '../../src/steps/harvest/oai/demo-dataset.ts';
import { startOaiTestServer, type OaiTestServer, type OaiTestServerOptions } from '../support/oai-server.ts';
import { demoExpectations, diffResults, resultRows } from '../support/pipeline-harness.ts';

const STEPS: StepName[] = ['harvest', 'validate-external', 'transform', 'validate-internal', 'normalize'];

interface Rig {
  db: Db;
  pipeline: EmbeddedPipeline;
  oai: OaiTestServer;
  spec: (extra?: Partial<TaskSpecInput>) => TaskSpecInput;
  close(): Promise<void>;
}

async function rig(oaiOptions: OaiTestServerOptions, hostLimits?: HostLimits): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'metis-pipe-ctl-'));
  const oai = await startOaiTestServer(oaiOptions);
  const db = await openPglite();
  const ports: MetisPortsHandle = await createMetisPorts(defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 'thumbs'), allowLoopback: true }));
  const pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 3, hostLimits });
  return {
    db,
    pipeline,
    oai,
    spec: (extra = {}) => ({ dataset: { id: '9600', name: 'Control', country: 'Italy', language: 'it' }, source: { type: 'oai', url: oai.url, metadataPrefix: 'edm' }, steps: STEPS, ...extra }),
    async close() {
      await pipeline.stop();
      await ports.close();
      await db.close();
      await oai.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const rowsOf = (m: Awaited<ReturnType<typeof resultRows>>, steps: string[]) => new Map([...m].filter(([, r]) => steps.includes(r.step)));

test('re-run from validate-external: the steps after it give the same results as the first run', { timeout: 300_000 }, async () => {
  const N = 30;
  const r = await rig({ size: N, pageSize: 10 });
  try {
    const first = await r.pipeline.service.submit(r.spec());
    const s1 = await r.pipeline.service.waitForTask(first.taskId, { timeoutMs: 240_000 });
    assert.equal(s1.task.state, 'completed');
    const rerun = await r.pipeline.service.rerun(first.taskId, 'validate-external');
    assert.deepEqual(rerun.plan, ['transform', 'validate-internal', 'normalize']);
    const s2 = await r.pipeline.service.waitForTask(rerun.taskId, { timeoutMs: 240_000 });
    assert.equal(s2.task.state, 'completed', s2.task.reason ?? '');
    const { valid } = demoExpectations(N);
    assert.equal(s2.task.terminalCount, valid);
    const later = ['transform', 'validate-internal', 'normalize'];
    const a = rowsOf(await resultRows(r.db, first.taskId), later);
    const b = await resultRows(r.db, rerun.taskId);
    assert.equal(a.size, 3 * valid);
    assert.deepEqual([...new Set([...b.values()].map((x) => x.step))].sort(), [...later].sort());
    assert.deepEqual(diffResults(a, b), []);
    assert.equal(r.oai.stats.byVerb.GetRecord, N, 'the re-run did not harvest again');
  } finally {
    await r.close();
  }
});

test('incremental harvest: a second run skips the unchanged records', { timeout: 300_000 }, async () => {
  const N = 24;
  const r = await rig({ size: N, pageSize: 10 });
  try {
    const spec = r.spec({ params: { incremental: true } });
    const t1 = await r.pipeline.service.submit(spec);
    assert.equal((await r.pipeline.service.waitForTask(t1.taskId, { timeoutMs: 240_000 })).task.state, 'completed');
    const t2 = await r.pipeline.service.submit(spec);
    const s2 = await r.pipeline.service.waitForTask(t2.taskId, { timeoutMs: 240_000 });
    assert.equal(s2.task.state, 'completed', s2.task.reason ?? '');
    const { noAbout } = demoExpectations(N);
    const rows = await resultRows(r.db, t2.taskId);
    const harvest = [...rows.values()].filter((x) => x.step === 'harvest');
    assert.equal(harvest.length, N);
    const unchanged = harvest.filter((x) => x.messages.includes('"UNCHANGED"'));
    assert.equal(unchanged.length, N - noAbout, 'every record with an id was recognised as unchanged');
    assert.equal(rows.size, N, 'no record went past harvest the second time');
    assert.equal(s2.task.terminalCount, N);
  } finally {
    await r.close();
  }
});

test('throttling: the provider never sees more than maxConcurrent requests at once nor more than the rate', { timeout: 300_000 }, async () => {
  const N = 120;
  const limits = { maxConcurrent: 3, ratePerSecond: 30 };
  const r = await rig({ size: N, pageSize: 15, latencyMs: 40 }, limits);
  try {
    const t = await r.pipeline.service.submit(r.spec({ steps: ['harvest', 'validate-external'] }));
    const s = await r.pipeline.service.waitForTask(t.taskId, { timeoutMs: 240_000 });
    assert.equal(s.task.state, 'completed');
    assert.equal(s.task.terminalCount, N);
    const a = r.oai.stats.arrivals;
    assert.equal(a.length, N + N / 15);
    assert.ok(r.oai.stats.maxConcurrent <= limits.maxConcurrent, `peak ${r.oai.stats.maxConcurrent}`);
    assert.ok(r.oai.stats.maxConcurrent >= 2, `the concurrency was used (peak ${r.oai.stats.maxConcurrent})`);
    // Token bucket of one second: in any interval of t s at most rate × t requests + the burst.
    let excess = -Infinity;
    for (let i = 0; i < a.length; i++) for (let j = i; j < a.length; j++) excess = Math.max(excess, j - i + 1 - (limits.ratePerSecond * (a[j] - a[i])) / 1000);
    // Slack: arrivals are timed at the server; ~100 ms of scheduling jitter can squeeze an interval.
    assert.ok(excess <= limits.ratePerSecond * 1.1 + 1, `burst ${excess.toFixed(1)} over the rate`);
    // 135 requests at 30/s (first second's burst included) take at least ~3.5 s.
    assert.ok(a[a.length - 1] - a[0] >= ((a.length - limits.ratePerSecond) / limits.ratePerSecond) * 1000 * 0.95);
  } finally {
    await r.close();
  }
});

test('retries: a record whose GetRecord fails twice (503) and then succeeds is harvested', { timeout: 300_000 }, async () => {
  const N = 12;
  const flakyIndex = [...Array(N).keys()].find((i) => demoDefect(i) === undefined)!;
  const flaky = demoIdentifier(flakyIndex);
  let failures = 0;
  const r = await rig({
    size: N,
    pageSize: 6,
    fault: (req) => (req.verb === 'GetRecord' && req.params.get('identifier') === flaky && failures++ < 2 ? { status: 503, retryAfter: '0' } : undefined),
  });
  try {
    const t = await r.pipeline.service.submit(r.spec({ steps: ['harvest', 'validate-external'] }));
    const s = await r.pipeline.service.waitForTask(t.taskId, { timeoutMs: 240_000 });
    assert.equal(s.task.state, 'completed');
    assert.equal(failures, 3, 'two injected failures, then the answer');
    const { noAbout } = demoExpectations(N);
    const p = Object.fromEntries(s.progress.map((x) => [x.step, x]));
    assert.equal(p.harvest.success, N - noAbout);
    assert.equal(p.harvest.fail, noAbout);
    const rows = await resultRows(r.db, t.taskId);
    const flakyRow = rows.get(`harvest|/9600/URN_NBN_DEMO_doc_1_${flakyIndex}`);
    assert.equal(flakyRow?.status, 'success');
    assert.equal(rows.get(`validate-external|/9600/URN_NBN_DEMO_doc_1_${flakyIndex}`)?.status, 'success');
    assert.equal(r.oai.stats.byVerb.GetRecord, N + 2);
  } finally {
    await r.close();
  }
});
