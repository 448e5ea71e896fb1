/**
 * Operator control across two worker processes on Kafka:
 * - throttling: the OAI-PMH server sees at most the configured concurrency and request rate in
 *   total (`hostLimits`): the workers share the host's concurrency slots in PostgreSQL and each
 *   enforces its share of the rate;
 * - cancellation: after `cancel`, workers stop the task's records within seconds (no more requests to
 *   the provider, no more results other than `cancelled`), and the results already written stay.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TaskSpecInput } from '../../src/model/index.ts';
import { PipelineStore } from '../../src/store/pipeline-store.ts';
import { requireKafka, requirePostgres, uniqueName } from '../support/services.ts';
import { createTestDatabase } from '../support/pg.ts';
import { startOaiTestServer } from '../support/oai-server.ts';
import { kafkaService, spawnWorker, until, waitForBalancedGroup } from '../support/pipeline-harness.ts';
import { pipelineTopics } from '../../src/pipeline/topics.ts';

const N = 400;
const LIMITS = { maxConcurrent: 4, ratePerSecond: 40 };

test('2 workers on Kafka: the OAI server sees at most the configured concurrency and rate; cancel stops the rest within seconds', { timeout: 600_000 }, async () => {
  const brokers = (await requireKafka()).join(',');
  await requirePostgres();
  const dir = mkdtempSync(join(tmpdir(), 'metis-pipe-ctl-'));
  // Latency makes requests overlap, so a missing concurrency limit would show.
  const oai = await startOaiTestServer({ size: N, pageSize: 20, latencyMs: 30 });
  const tdb = await createTestDatabase('metis_pipe_ctl');
  const name = uniqueName('pipe_ctl');
  const cfg = { pgUrl: tdb.url, brokers, appId: name, topicPrefix: name, workDir: join(dir, 'kafka'), partitions: 4, hostLimits: LIMITS };
  const workers = [spawnWorker(cfg, `${name}-w1`), spawnWorker(cfg, `${name}-w2`)];
  const client = await kafkaService(tdb.db, brokers, name);
  const store = new PipelineStore(tdb.db);
  const count = async (taskId: string, where = 'true') =>
    (await tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM record_result WHERE task_id = $1 AND ${where}`, [taskId])).rows[0].n;
  try {
    await Promise.all(workers.map((w) => w.ready));
    await waitForBalancedGroup(brokers, name, 2, pipelineTopics(name).fetch, 4);
    // No media (the provider under test is the OAI server); harvest → normalize keeps records moving.
    const spec: TaskSpecInput = {
      dataset: { id: '9500', name: 'Control', country: 'Italy', language: 'it' },
      source: { type: 'oai', url: oai.url, metadataPrefix: 'edm' },
      steps: ['harvest', 'validate-external', 'transform', 'validate-internal', 'normalize'],
    };
    const submittedAt = performance.now();
    const task = await client.service.submit(spec);
    // Let the harvest run at its throttled pace for a while: ~40 requests/s means ~10 s for 400 records.
    await until('150 records harvested', async () => ((await count(task.taskId, "step = 'harvest'")) >= 150 ? true : undefined), 300_000, 100);
    const arrivalsAtCancel = oai.stats.arrivals.length;
    assert.ok(oai.stats.maxConcurrent <= LIMITS.maxConcurrent, `peak concurrency ${oai.stats.maxConcurrent} > ${LIMITS.maxConcurrent}`);
    assert.ok(oai.stats.maxConcurrent >= 2, `the limit was used (peak ${oai.stats.maxConcurrent})`);
    // The rate limit is a token bucket per worker holding one second of its share (at least one
    // token), the shares adding up to at most 1: whatever the load, n requests cannot have arrived
    // sooner than (n − rate − 2) / rate seconds after the submit (a slow machine only makes it later).
    const a = oai.stats.arrivals;
    const n = a.length;
    const minMs = ((n - LIMITS.ratePerSecond - 2) / LIMITS.ratePerSecond) * 1000;
    assert.ok(a[n - 1] - submittedAt >= minMs, `${n} requests within ${Math.round(a[n - 1] - submittedAt)} ms of the submit: above ${LIMITS.ratePerSecond}/s`);
    const rate = ((n - 1) * 1000) / (a[n - 1] - a[0]);
    const cancelledAt = Date.now();
    assert.equal(await client.service.cancel(task.taskId), true);
    const doneBefore = await count(task.taskId, "status <> 'cancelled'");
    // Within seconds: no more requests to the provider and no more non-cancelled results.
    let last = { requests: -1, results: -1, at: Date.now() };
    await until(
      'the task to go quiet',
      async () => {
        const now = { requests: oai.stats.requests, results: await count(task.taskId, "status <> 'cancelled'"), at: Date.now() };
        if (now.requests !== last.requests || now.results !== last.results) last = now;
        return Date.now() - last.at >= 3000 ? true : undefined;
      },
      60_000,
      200,
    );
    const quietAfterMs = last.at - cancelledAt;
    assert.ok(quietAfterMs <= 10_000, `requests or results went on for ${quietAfterMs} ms after cancel`);
    const t = await store.getTask(task.taskId);
    assert.equal(t?.state, 'cancelled');
    assert.ok(oai.stats.arrivals.length < N + N / 20 + 1, 'the harvest did not run to the end');
    // Records already done stay.
    const doneAfter = await count(task.taskId, "status <> 'cancelled'");
    assert.ok(doneAfter >= doneBefore, `results written before the cancel stay (${doneBefore} → ${doneAfter})`);
    assert.ok((await count(task.taskId, "step = 'harvest' AND status = 'success'")) >= 150);
    console.log(`# peak concurrency ${oai.stats.maxConcurrent} (limit ${LIMITS.maxConcurrent}), mean rate ${rate.toFixed(1)}/s (limit ${LIMITS.ratePerSecond}/s), ${arrivalsAtCancel} → ${oai.stats.arrivals.length} requests, quiet ${quietAfterMs} ms after cancel`);
  } finally {
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await client.close();
    await tdb.drop();
    await oai.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
