/**
 * The HTTP API in Kafka mode, over real HTTP: `metis-streams serve --mode kafka` spawned as a
 * process over a fresh PostgreSQL database, one worker process in the consumer group, a demo OAI-PMH
 * dataset served on loopback. A task created through the API reaches the worker over the Kafka
 * tasks topic and completes; the API reads its progress, report and records from PostgreSQL; the
 * engine page shows the deployment's topics, the consumer group with its member and its lag; a task
 * is cancelled through the API; /ready checks Kafka; tokens guard the writes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoOaiServer } from '../../src/steps/harvest/oai/demo-server.ts';
import { demoDefect } from '../../src/steps/harvest/oai/demo-dataset.ts';
import { startDemoMediaServer } from '../../src/pipeline/demo-media-server.ts';
import { startOaiTestServer } from '../support/oai-server.ts';
import { requireKafka, requirePostgres, uniqueName } from '../support/services.ts';
import { createTestDatabase } from '../support/pg.ts';
import { spawnWorker } from '../support/pipeline-harness.ts';
import { client, readEvents, startServe } from '../api/support.ts';

const N = 20;
const OPERATOR = 'operator-token-kafka-0123';
const VIEWER = 'viewer-token-kafka-012345';

test('serve --mode kafka: a task created over HTTP runs on a Kafka worker; progress, report, records, engine, lag, cancel', { timeout: 600_000 }, async () => {
  const brokers = (await requireKafka()).join(',');
  await requirePostgres();
  const dir = mkdtempSync(join(tmpdir(), 'metis-api-kafka-'));
  const media = await startDemoMediaServer({ width: 320, height: 240 });
  const oai = await startDemoOaiServer({ size: N, pageSize: 5, dataset: { mediaBaseUrl: media.url } });
  const slowOai = await startOaiTestServer({ size: 200, pageSize: 5, latencyMs: 500, dataset: { mediaBaseUrl: media.url } });
  const tdb = await createTestDatabase('metis_api_kafka');
  const name = uniqueName('api_kafka');
  const worker = spawnWorker({ pgUrl: tdb.url, brokers, appId: name, topicPrefix: name, workDir: join(dir, 'w'), partitions: 2 }, `${name}-w1`);
  let serve: Awaited<ReturnType<typeof startServe>> | undefined;
  try {
    [serve] = await Promise.all([
      startServe(['--mode', 'kafka', '--pg-url', tdb.url, '--brokers', brokers, '--topic-prefix', name, '--app-id', name, '--data-dir', join(dir, 'api')], {
        METIS_API_TOKENS: `operator:${OPERATOR},viewer:${VIEWER}`,
      }),
      worker.ready,
    ]);
    const op = client(serve.url, OPERATOR);
    const viewer = client(serve.url, VIEWER);
    const ready = await client(serve.url).get('/ready');
    assert.deepEqual(ready.body, { ready: true, checks: { database: 'ok', kafka: 'ok' } });
    assert.equal((await client(serve.url).get('/api/tasks')).status, 401);
    assert.equal((await viewer.post('/api/tasks/x/cancel')).status, 403);
    assert.equal((await viewer.get('/api/info')).body.mode, 'kafka');

    const created = await op.post('/api/tasks', {
      dataset: { id: '9200', name: 'Demo', country: 'Italy', language: 'it' },
      source: { type: 'oai', url: oai.url, metadataPrefix: 'edm' },
    });
    assert.equal(created.status, 201, created.text);
    const taskId = created.body.taskId;
    const events = await readEvents(`${serve.url}/api/tasks/${taskId}/events?access_token=${VIEWER}`, (e) => e.event === 'end');
    const end = events[events.length - 1].data;
    assert.equal(end.state, 'completed', `${JSON.stringify(end)}\n${worker.output().slice(-3000)}`);
    assert.equal(end.processed, N);

    const noAbout = Array.from({ length: N }, (_, i) => demoDefect(i)).filter((d) => d === 'no-about').length;
    const harvest = end.steps.find((s: { step: string }) => s.step === 'harvest');
    assert.deepEqual([harvest.success, harvest.fail], [N - noAbout, noAbout]);
    const errs = await viewer.get(`/api/tasks/${taskId}/errors?step=harvest`);
    assert.equal(errs.body.totalRecords, noAbout);
    const recs = await viewer.get(`/api/tasks/${taskId}/records?status=fail&step=harvest`);
    assert.equal(recs.body.total, noAbout);
    const sandbox = await viewer.get(`/api/sandbox/dataset/${taskId}/progress`);
    assert.equal(sandbox.body.status, 'COMPLETED');

    // The engine page: this deployment's topics and its consumer group with the one worker.
    const engine = await viewer.get('/api/engine');
    assert.equal(engine.body.mode, 'kafka');
    const topics = engine.body.topics.map((t: { name: string }) => t.name);
    assert.ok(topics.includes(`${name}.tasks`) && topics.includes(`${name}.outcomes`), topics.join(', '));
    assert.ok(engine.body.topics.every((t: { partitions: number }) => t.partitions >= 1));
    const group = engine.body.groups.find((g: { groupId: string }) => g.groupId === name);
    assert.ok(group, JSON.stringify(engine.body.groups));
    assert.equal(group.members.length, 1);
    assert.equal(engine.body.workers, 1);
    assert.ok(group.members[0].partitions.length > 0);
    assert.equal(typeof group.lag, 'number');
    const metrics = await viewer.get('/metrics');
    assert.match(metrics.text, new RegExp(`metis_consumer_group_lag\\{group="${name}",topic="${name}\\.[a-z.-]+"\\} \\d+`));
    assert.match(metrics.text, new RegExp(`metis_records_total\\{step="harvest",status="fail"\\} ${noAbout}\\b`));

    // Cancel a running task through the API: the worker stops its records.
    const slow = await op.post('/api/tasks', {
      dataset: { id: 'slow', name: 'Slow' },
      source: { type: 'oai', url: slowOai.url, metadataPrefix: 'edm' },
    });
    assert.equal(slow.status, 201);
    const c = await op.post(`/api/tasks/${slow.body.taskId}/cancel`);
    assert.equal(c.status, 200, c.text);
    assert.equal(c.body.task.state, 'cancelled');
    assert.equal((await op.post(`/api/tasks/${slow.body.taskId}/cancel`)).body.error.code, 'TASK_NOT_RUNNING');
  } finally {
    await serve?.stop();
    await worker.kill('SIGTERM');
    await oai.close();
    await slowOai.close();
    await media.close();
    await tdb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
