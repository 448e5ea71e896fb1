/**
 * The seed's intake through Kafka Connect + Debezium into a pipeline worker process: rows inserted
 * into `record_execution` (validation_topology with fixture records, one oai_topology row with an OAI
 * endpoint) are processed, results land in `record_execution_result` / `record_execution_exception`,
 * a per-record execution's task completes, and `execution_status = 'DROPPED'` cancels an execution
 * and writes the seed's exception row for every record it skips.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { registerSeedConnector, seedTopic } from '../../src/pipeline/seed-intake.ts';
import { PipelineStore } from '../../src/store/pipeline-store.ts';
import { requireConnect, requireKafka, requirePostgres, uniqueName, KAFKA_CONNECT_URL } from '../support/services.ts';
import { createTestDatabase } from '../support/pg.ts';
import { startOaiTestServer } from '../support/oai-server.ts';
import { spawnWorker, until } from '../support/pipeline-harness.ts';
import { fixture, VALID_EXTERNAL } from '../transform/fixtures.ts';

test('record_execution rows reach the pipeline through Debezium; results land in the seed tables; DROPPED cancels', { timeout: 600_000 }, async () => {
  const brokers = (await requireKafka()).join(',');
  await requirePostgres({ logical: true });
  await requireConnect();
  const dir = mkdtempSync(join(tmpdir(), 'metis-pipe-seed-'));
  const N = 12;
  const oai = await startOaiTestServer({ size: N, pageSize: 5 });
  // A slow endpoint for the execution that gets dropped.
  const slow = await startOaiTestServer({ size: 300, pageSize: 5, latencyMs: 300 });
  const tdb = await createTestDatabase('metis_pipe_seed');
  const name = uniqueName('pipe_seed');
  const cdcPrefix = `${name}_cdc`;
  const cfg = { pgUrl: tdb.url, brokers, appId: name, topicPrefix: name, workDir: join(dir, 'kafka'), partitions: 2, seedTopic: seedTopic(cdcPrefix) };
  const store = new PipelineStore(tdb.db);
  await store.migrate();
  let registered = false;
  const worker = spawnWorker(cfg, `${name}-w1`);
  try {
    await worker.ready;
    await registerSeedConnector({ connectUrl: KAFKA_CONNECT_URL, pgUrl: tdb.url, name, topicPrefix: cdcPrefix });
    registered = true;
    await until('the connector to run', async () => {
      const r = await fetch(`${KAFKA_CONNECT_URL}/connectors/${name}/status`);
      const s = r.ok ? ((await r.json()) as { connector: { state: string }; tasks: Array<{ state: string }> }) : undefined;
      return s?.connector.state === 'RUNNING' && s.tasks[0]?.state === 'RUNNING' ? true : undefined;
    }, 120_000, 500);

    const insert = `INSERT INTO record_execution (dataset_id, execution_id, execution_name, record_id, record_data, execution_parameters) VALUES ($1, $2, $3, $4, $5, $6)`;
    const valid = VALID_EXTERNAL.slice(0, 3).map((p) => fixture(p));
    for (let i = 0; i < valid.length; i++) await tdb.db.query(insert, ['ds1', 'exec-val', 'validation_topology', `rec-${i}`, valid[i], '{}']);
    await tdb.db.query(insert, ['ds1', 'exec-val', 'validation_topology', 'rec-broken', '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>', '{}']);
    await tdb.db.query(insert, ['ds1', 'exec-oai', 'oai_topology', 'oai', '', JSON.stringify({ oaiEndpoint: oai.url, oaiMetadataPrefix: 'edm', oaiSet: 'demo' })]);

    // Validation results: three passed, the broken one failed with a reason.
    await until('validation results', async () => {
      const r = await tdb.db.query<{ n: number }>(`SELECT (SELECT count(*) FROM record_execution_result WHERE execution_id = 'exec-val') + (SELECT count(*) FROM record_execution_exception WHERE execution_id = 'exec-val') AS n`);
      return Number(r.rows[0].n) >= valid.length + 1 ? true : undefined;
    }, 240_000, 500);
    const ok = await tdb.db.query<{ record_id: string; execution_name: string; record_result_data: string }>(`SELECT record_id, execution_name, record_result_data FROM record_execution_result WHERE execution_id = 'exec-val' ORDER BY record_id`);
    assert.deepEqual(ok.rows.map((r) => r.record_id), ['rec-0', 'rec-1', 'rec-2']);
    assert.ok(ok.rows.every((r) => r.execution_name === 'validation_topology'));
    const bad = await tdb.db.query<{ record_id: string; exception_content: string }>(`SELECT record_id, exception_content FROM record_execution_exception WHERE execution_id = 'exec-val'`);
    assert.deepEqual(bad.rows.map((r) => r.record_id), ['rec-broken']);
    assert.ok(bad.rows[0].exception_content.length > 0);
    // The per-record task completes once every row of its execution has its result.
    const valTask = await until('the validation task to complete', async () => {
      const t = await store.getTask('seed-ds1-exec-val-validation_topology');
      return t?.state === 'completed' ? t : undefined;
    }, 60_000, 250);
    assert.equal(valTask.state, 'completed');

    // Rows of an execution already DROPPED: each skipped with the seed's exception row, the task cancelled.
    await tdb.db.query(`INSERT INTO execution_status (execution_id, status) VALUES ('exec-val-dropped', 'DROPPED')`);
    for (let i = 0; i < 2; i++) await tdb.db.query(insert, ['ds1', 'exec-val-dropped', 'validation_topology', `rec-${i}`, valid[i], '{}']);
    const droppedRows = await until('exception rows of the dropped rows', async () => {
      const r = await tdb.db.query<{ record_id: string; exception_name: string; exception_content: string }>(`SELECT record_id, exception_name, exception_content FROM record_execution_exception WHERE execution_id = 'exec-val-dropped' ORDER BY record_id`);
      return r.rows.length >= 2 ? r.rows : undefined;
    }, 120_000, 250);
    assert.deepEqual(droppedRows, [0, 1].map((i) => ({ record_id: `rec-${i}`, exception_name: 'TaskDroppedException', exception_content: 'Task was dropped by user' })));
    assert.equal((await tdb.db.query(`SELECT 1 FROM record_execution_result WHERE execution_id = 'exec-val-dropped'`)).rowCount, 0);
    assert.equal((await store.getTask('seed-ds1-exec-val-dropped-validation_topology'))?.state, 'cancelled');

    // The OAI execution harvested the endpoint: one result per record (the demo's no-about records fail).
    await until('the OAI execution', async () => {
      const r = await tdb.db.query<{ n: number }>(`SELECT (SELECT count(*) FROM record_execution_result WHERE execution_id = 'exec-oai') + (SELECT count(*) FROM record_execution_exception WHERE execution_id = 'exec-oai') AS n`);
      return Number(r.rows[0].n) >= N ? true : undefined;
    }, 240_000, 500);
    assert.equal(oai.stats.byVerb.GetRecord, N);
    const harvested = await tdb.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM record_execution_result WHERE execution_id = 'exec-oai'`);
    assert.ok(harvested.rows[0].n > 0);

    // DROPPED cancels: a slow OAI execution stops.
    await tdb.db.query(insert, ['ds1', 'exec-drop', 'oai_topology', 'oai', '', JSON.stringify({ oaiEndpoint: slow.url, oaiMetadataPrefix: 'edm', oaiSet: 'demo' })]);
    await until('the slow execution to start', () => (slow.stats.byVerb.GetRecord ?? 0) >= 5 ? true : undefined, 240_000, 200);
    await tdb.db.query(`INSERT INTO execution_status (execution_id, status) VALUES ('exec-drop', 'DROPPED')`);
    const dropped = await until('the dropped execution to be cancelled', async () => {
      const r = await tdb.db.query<{ state: string }>(`SELECT state FROM task WHERE origin->>'executionId' = 'exec-drop'`);
      return r.rows[0]?.state === 'cancelled' ? r.rows[0] : undefined;
    }, 60_000, 250);
    assert.equal(dropped.state, 'cancelled');
    let last = { n: -1, at: Date.now() };
    await until('requests to stop', () => {
      const n = slow.stats.requests;
      if (n !== last.n) last = { n, at: Date.now() };
      return Date.now() - last.at > 3000 ? true : undefined;
    }, 60_000, 200);
    assert.ok(slow.stats.requests < 300, `the dropped execution stopped (${slow.stats.requests} requests)`);
    // Records it had listed but not harvested when it was dropped: the seed's exception row each;
    // every record it asked the server for has a result or an exception row.
    const ended = await tdb.db.query<{ exception_name: string | null }>(
      `SELECT NULL AS exception_name FROM record_execution_result WHERE execution_id = 'exec-drop'
       UNION ALL SELECT exception_name FROM record_execution_exception WHERE execution_id = 'exec-drop'`,
    );
    assert.ok(ended.rows.some((r) => r.exception_name === 'TaskDroppedException'), 'skipped records have exception rows');
    assert.ok(ended.rows.length >= (slow.stats.byVerb.GetRecord ?? 0), `${ended.rows.length} rows for ${slow.stats.byVerb.GetRecord} GetRecords`);
  } finally {
    await worker.kill('SIGTERM');
    if (registered) await fetch(`${KAFKA_CONNECT_URL}/connectors/${name}`, { method: 'DELETE' }).catch(() => undefined);
    const admin = new pg.Client({ connectionString: tdb.url.replace(/\/[^/]*$/, '/postgres') });
    await admin.connect();
    await until('the replication slot to be released', async () => {
      const r = await admin.query(`SELECT active FROM pg_replication_slots WHERE slot_name = $1`, [name]);
      if (r.rows.length === 0) return true;
      if (r.rows[0].active) return undefined;
      await admin.query('SELECT pg_drop_replication_slot($1)', [name]);
      return true;
    }, 60_000, 500).catch(() => undefined);
    await admin.end();
    await tdb.drop();
    await oai.close();
    await slow.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
