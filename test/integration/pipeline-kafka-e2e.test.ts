/**
 * The whole Metis chain on Kafka with two worker processes (exactly-once, results in PostgreSQL):
 * a generated OAI-PMH dataset (some records broken on purpose) harvested from a local server, media
 * from another. Every record's fate and every step's counts are what the inputs imply, and the same
 * dataset on the embedded runtime (LocalRuntime + PGlite) leaves identical results, row for row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite } from '../../src/store/db.ts';
import { startEmbedded } from '../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../../src/pipeline/ports/create-metis-ports.ts';
import { startDemoServersProcess } from '../support/demo-servers-process.ts';
import type { TaskSpecInput } from '../../src/model/index.ts';
import { requireKafka, requirePostgres, uniqueName } from '../support/services.ts';
import { createTestDatabase } from '../support/pg.ts';
import { demoExpectations, diffResults, errorGroups, kafkaService, progressCounts, resultRows, spawnWorker } from '../support/pipeline-harness.ts';

const N = Number(process.env.PIPELINE_E2E_RECORDS ?? 400);
const PARTITIONS = 4;

test(`${N} OAI records through the full chain on Kafka with 2 worker processes = the embedded runtime's results`, { timeout: 900_000 }, async () => {
  const brokers = (await requireKafka()).join(',');
  await requirePostgres();
  const dir = mkdtempSync(join(tmpdir(), 'metis-pipe-kafka-'));
  // The servers run in a process of their own: the embedded run below loads this one's event loop,
  // and servers answering late would give that run media timeouts the Kafka run did not see.
  const servers = await startDemoServersProcess({ size: N, pageSize: 50 });
  const tdb = await createTestDatabase('metis_pipe_e2e');
  const name = uniqueName('pipe_e2e');
  const cfg = { pgUrl: tdb.url, brokers, appId: name, topicPrefix: name, workDir: join(dir, 'kafka'), partitions: PARTITIONS };
  const workers = [spawnWorker(cfg, `${name}-w1`), spawnWorker(cfg, `${name}-w2`)];
  const client = await kafkaService(tdb.db, brokers, name);
  const spec: TaskSpecInput = { dataset: { id: '9200', name: 'Demo', country: 'Italy', language: 'it' }, source: { type: 'oai', url: servers.oaiUrl, metadataPrefix: 'edm' } };
  try {
    await Promise.all(workers.map((w) => w.ready));
    const t0 = Date.now();
    const task = await client.service.submit(spec);
    const s = await client.service.waitForTask(task.taskId, { timeoutMs: 840_000, pollMs: 500 });
    const kafkaSeconds = (Date.now() - t0) / 1000;
    assert.equal(s.task.state, 'completed', `task ended ${s.task.state}: ${s.task.reason}`);
    assert.equal(s.task.expectedTotal, N);
    assert.equal(s.task.terminalCount, N);

    const { noAbout, invalid, valid } = demoExpectations(N);
    const p = await progressCounts(tdb.db, task.taskId);
    assert.deepEqual(p.harvest, { success: N - noAbout, warn: 0, fail: noAbout, cancelled: 0 });
    assert.equal(p['validate-external'].fail, invalid);
    assert.equal(p['validate-external'].success + p['validate-external'].warn, valid);
    for (const step of ['transform', 'validate-internal', 'normalize', 'enrich', 'media', 'preview']) {
      assert.equal(p[step].fail + p[step].cancelled, 0, `${step}: ${JSON.stringify(s.errors.filter((e) => e.step === step))}`);
      assert.equal(p[step].success + p[step].warn, valid, `${step}: every valid record passed`);
    }
    // Publication refuses content tier 0 (e.g. records whose only media answer 404): a failure, counted.
    assert.equal(p.publish.success + p.publish.warn + p.publish.fail, valid);
    assert.ok(p.publish.success + p.publish.warn > 0);
    assert.deepEqual([...new Set(s.errors.filter((e) => e.step === 'publish').map((e) => e.message))], p.publish.fail > 0 ? ['Record not suitable for publication'] : []);
    const kafkaRows = await resultRows(tdb.db, task.taskId);
    // One row per (step, record) the chain reached: harvest N, validate-external N - noAbout, the rest valid each.
    assert.equal(kafkaRows.size, N + (N - noAbout) + 7 * valid);
    // The media server's images were fetched and thumbnailed: previews name thumbnails.
    assert.ok([...kafkaRows.values()].some((r) => r.step === 'preview' && r.content?.includes('<edm:preview ')));
    // Both workers did part of the work (each owns some partitions of every topic).
    for (const w of workers) assert.equal(w.proc.exitCode, null, `worker ${w.id} still running:\n${w.output().slice(-2000)}`);

    // The same dataset on the embedded runtime.
    const edb = await openPglite();
    const eports = await createMetisPorts(defaultMetisConfig({ db: edb, cacheDir: join(dir, 'e', 'cache'), thumbnailDir: join(dir, 'e', 'thumbs'), allowLoopback: true }));
    const embedded = await startEmbedded({ db: edb, ports: eports.ports, partitions: PARTITIONS });
    try {
      const t1 = Date.now();
      const etask = await embedded.service.submit(spec);
      const es = await embedded.service.waitForTask(etask.taskId, { timeoutMs: 600_000, pollMs: 500 });
      const embeddedSeconds = (Date.now() - t1) / 1000;
      assert.equal(es.task.state, 'completed');
      const embeddedRows = await resultRows(edb, etask.taskId);
      assert.deepEqual(diffResults(kafkaRows, embeddedRows), []);
      assert.deepEqual(await progressCounts(edb, etask.taskId), p);
      assert.deepEqual(await errorGroups(edb, etask.taskId), await errorGroups(tdb.db, task.taskId));
      console.log(`# ${N} records: Kafka 2 workers ${kafkaSeconds.toFixed(1)} s, embedded ${embeddedSeconds.toFixed(1)} s; ${kafkaRows.size} result rows identical`);
    } finally {
      await embedded.stop();
      await eports.close();
      await edb.close();
    }
  } finally {
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await client.close();
    await tdb.drop();
    await servers.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
