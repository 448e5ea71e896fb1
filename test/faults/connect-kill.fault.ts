/**
 * Fault: Kafka Connect SIGKILLed during a seed intake (Debezium on `record_execution`), then started
 * again. Runs its own distributed Connect worker (test/support/own-connect.ts: own REST port, group
 * and config/offset/status topics on the shared broker, source offsets flushed every 30 s or
 * FAULT_CONNECT_FLUSH_MS): the
 * shared Connect on 8083 is never touched. One pipeline worker process reads the connector's topic
 * and is never restarted.
 *
 * First a fault-free intake: N seed rows (validation_topology, the demo dataset's records, some of
 * them invalid) of execution `ref`, processed to the end. Then the same N rows as execution `fault`,
 * inserted a batch at a time; once a quarter of them have results Connect is SIGKILLed, the rest are
 * inserted while it is down, and it is started again. Debezium resumes from its last flushed offset,
 * so change events it had sent since are sent again (at-least-once; with no offset flushed yet it
 * snapshots the whole table again, the fault-free execution's rows too). The seed intake drops a row
 * whose record already has its result (src/pipeline/seed-intake.ts), admission one still in flight
 * (src/pipeline/harvest-processors.ts); each is logged ("… dropped a redelivered …"): the test counts
 * those lines and checks they match the duplicated change events it reads on the connector's topic.
 *
 * Expected: every seeded record processed exactly once: the fault execution's record_result rows,
 * step counters and error groups equal the fault-free execution's, as do its seed result and
 * exception rows; the outcomes topic (read_committed) holds one event per (task, step, record).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { registerSeedConnector, seedTopic } from '../../src/pipeline/seed-intake.ts';
import { PipelineStore } from '../../src/store/pipeline-store.ts';
import { demoRecord } from '../../src/steps/harvest/oai/demo-dataset.ts';
import { requireKafka, requirePostgres, uniqueName } from '../support/services.ts';
import { createTestDatabase } from '../support/pg.ts';
import { startOwnConnect, type OwnConnect } from '../support/own-connect.ts';
import { describeDuplicates, readCommitted, scanOutcomes } from '../support/outcome-duplicates.ts';
import { absorbedReplays, endWorkers } from '../support/worker-logs.ts';
import { diffResults, errorGroups, progressCounts, resultRows, spawnWorker, until } from '../support/pipeline-harness.ts';

const N = Number(process.env.FAULT_CONNECT_RECORDS ?? 200);
const BATCH = 10;
const taskOf = (execution: string) => `seed-ds1-${execution}-validation_topology`;

test(`Kafka Connect SIGKILLed during a ${N}-row seed intake: every seeded record processed exactly once`, { timeout: 1_500_000 }, async () => {
  const brokers = (await requireKafka()).join(',');
  await requirePostgres({ logical: true });
  const dir = mkdtempSync(join(tmpdir(), 'metis-fault-connect-'));
  const tdb = await createTestDatabase('metis_fault_connect');
  const name = uniqueName('fault_connect');
  const cdcPrefix = `${name}_cdc`;
  const cfg = { pgUrl: tdb.url, brokers, appId: name, topicPrefix: name, workDir: join(dir, 'kafka'), partitions: 2, seedTopic: seedTopic(cdcPrefix) };
  await new PipelineStore(tdb.db).migrate();
  process.env.LOG_LEVEL ??= 'warn';
  const worker = spawnWorker(cfg, `${name}-w1`);
  let connect: OwnConnect | undefined;
  const insert = async (execution: string, from: number, to: number) => {
    const values: unknown[] = [];
    const rows: string[] = [];
    for (let i = from; i < to; i++) {
      const b = values.length;
      rows.push(`('ds1', $${b + 1}, 'validation_topology', $${b + 2}, $${b + 3}, '{}')`);
      values.push(execution, `rec-${i}`, demoRecord(i, { mediaBaseUrl: 'http://127.0.0.1:9/' }).xml);
    }
    await tdb.db.query(`INSERT INTO record_execution (dataset_id, execution_id, execution_name, record_id, record_data, execution_parameters) VALUES ${rows.join(', ')}`, values);
  };
  const results = async (execution: string) => {
    const r = await tdb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM record_result WHERE task_id = $1', [taskOf(execution)]);
    return r.rows[0].n;
  };
  const seedRows = async (execution: string) => {
    const ok = await tdb.db.query('SELECT record_id, record_result_data FROM record_execution_result WHERE execution_id = $1 ORDER BY record_id', [execution]);
    const bad = await tdb.db.query('SELECT record_id, exception_name, exception_content FROM record_execution_exception WHERE execution_id = $1 ORDER BY record_id', [execution]);
    return { ok: ok.rows, bad: bad.rows };
  };
  try {
    const [, c] = await Promise.all([worker.ready, startOwnConnect({ brokers, id: `${name}_connect`, offsetFlushMs: Number(process.env.FAULT_CONNECT_FLUSH_MS ?? 30_000) })]);
    connect = c;
    await registerSeedConnector({ connectUrl: connect.url, pgUrl: tdb.url, name, topicPrefix: cdcPrefix });
    await connect.running(name);

    // The fault-free intake.
    await insert('ref', 0, N);
    await until('the fault-free intake', async () => ((await results('ref')) >= N ? true : undefined), 600_000, 500);

    // The faulted intake: Connect killed a quarter of the way, the rest inserted while it is down.
    let inserted = 0;
    const feed = async (upTo: number) => {
      for (; inserted < upTo; inserted += BATCH) {
        await insert('fault', inserted, Math.min(upTo, inserted + BATCH));
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const half = Math.floor(N / 2);
    const feeding = feed(half);
    await until('a quarter of the records processed', async () => ((await results('fault')) >= N / 4 ? true : undefined), 600_000, 100);
    const killedAt = Date.now();
    await connect.kill();
    const atKill = await results('fault');
    await feeding;
    await feed(N);
    const startAt = Date.now();
    await connect.start();
    await connect.running(name);
    const connectBack = Date.now();
    const before = await results('fault');
    await until('results after the restart', async () => ((await results('fault')) > before ? true : undefined), 600_000, 100);
    const resumed = Date.now();
    await until('the faulted intake', async () => ((await results('fault')) >= N ? true : undefined), 600_000, 500);
    assert.equal(worker.proc.exitCode, null, `the worker still runs (never restarted by hand):\n${worker.output().slice(-2000)}`);

    // Exactly once: equal to the fault-free intake, one outcome event per row.
    const got = await resultRows(tdb.db, taskOf('fault'));
    const ref = await resultRows(tdb.db, taskOf('ref'));
    assert.equal(got.size, N);
    assert.deepEqual(diffResults(got, ref), []);
    assert.deepEqual(await progressCounts(tdb.db, taskOf('fault')), await progressCounts(tdb.db, taskOf('ref')));
    assert.deepEqual(await errorGroups(tdb.db, taskOf('fault')), await errorGroups(tdb.db, taskOf('ref')));
    assert.deepEqual(await seedRows('fault'), await seedRows('ref'));
    const scans = [];
    for (const execution of ['ref', 'fault']) {
      const scan = await scanOutcomes(brokers, `${name}.outcomes`, { taskId: taskOf(execution) });
      assert.deepEqual(scan.duplicates, [], `${execution}: duplicated outcomes:\n${describeDuplicates(scan.duplicates)}`);
      assert.equal(scan.records, N);
      scans.push(scan.records);
    }

    // What Debezium sent more than once (both executions: a restart without a flushed offset
    // snapshots the whole table again), and what the intake dropped (one log line each).
    const events = new Map<string, number>();
    await readCommitted(brokers, seedTopic(cdcPrefix), (m) => {
      const v = JSON.parse(m.value?.toString('utf8') ?? 'null') as { execution_id?: string; record_id?: string } | null;
      if (v?.record_id) events.set(`${v.execution_id}|${v.record_id}`, (events.get(`${v.execution_id}|${v.record_id}`) ?? 0) + 1);
    });
    assert.equal(events.size, 2 * N, 'every seeded row reached the connector topic');
    const redelivered = [...events.values()].reduce((n, k) => n + k - 1, 0);
    const droppedLines = () => worker.output().match(/dropped a redelivered (input|change event)/g)?.length ?? 0;
    await until('every redelivered change event to be dropped', () => (droppedLines() >= redelivered ? true : undefined), 120_000, 250).catch(() => undefined);
    const dropped = droppedLines();
    assert.equal(dropped, redelivered, `the intake dropped ${dropped} redelivered inputs, Debezium sent ${redelivered} change events again`);
    assert.equal(absorbedReplays([worker]), 0, 'the sink absorbed replayed outcomes');

    console.log(
      `# ${N} seed rows; Connect SIGKILLed at ${atKill} results, down ${((startAt - killedAt) / 1000).toFixed(1)} s (${N - half} rows inserted meanwhile), ` +
        `JVM start + connector running again ${((connectBack - startAt) / 1000).toFixed(1)} s, first new result ${((resumed - connectBack) / 1000).toFixed(1)} s later; ` +
        `${redelivered} change events sent twice by Debezium, ${dropped} dropped by the intake; ${got.size} rows equal to the fault-free intake, ${scans.join(' + ')} outcome events, 0 duplicated`,
    );
  } finally {
    if (process.env.PIPELINE_DEBUG_DIR && connect) writeFileSync(join(process.env.PIPELINE_DEBUG_DIR, 'connect.log'), readFileSync(join(connect.dir, 'connect.log')));
    await endWorkers([worker]);
    if (connect) {
      await fetch(`${connect.url}/connectors/${name}`, { method: 'DELETE' }).catch(() => undefined);
      await connect.destroy();
    }
    const admin = new pg.Client({ connectionString: tdb.url.replace(/\/[^/]*$/, '/postgres') });
    await admin.connect();
    await until(
      'the replication slot to be released',
      async () => {
        const r = await admin.query(`SELECT active FROM pg_replication_slots WHERE slot_name = $1`, [name]);
        if (r.rows.length === 0) return true;
        if (r.rows[0].active) return undefined;
        await admin.query('SELECT pg_drop_replication_slot($1)', [name]);
        return true;
      },
      60_000,
      500,
    ).catch(() => undefined);
    await admin.end();
    await tdb.drop();
    rmSync(dir, { recursive: true, force: true });
  }
});
