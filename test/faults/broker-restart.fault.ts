/**
 * Fault (suite only, not CI: its own broker takes a minute to start on a loaded machine): the Kafka
 * broker restarts mid-run (a clean shutdown, then a start on the same ports and data). Its own
 * single-node Kafka (test/support/own-kafka.ts; the shared broker is never touched) and a database on
 * the shared PostgreSQL. Two workers wait the outage out (librdkafka reconnects; a runtime the engine
 * stopped is replaced by the worker itself) and are never restarted by hand: the task completes, the
 * database equals a fault-free run's, the outcomes topic holds one event per (task, step, record).
 * Prints the time to recover (broker back → results move). Run: bash scripts/fault-suite.sh
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TaskSpecInput } from '../../src/model/index.ts';
import { requirePostgres, uniqueName } from '../support/services.ts';
import { createTestDatabase } from '../support/pg.ts';
import { startOwnKafka } from '../support/own-kafka.ts';
import { startOaiTestServer } from '../support/oai-server.ts';
import { describeDuplicates, scanOutcomes } from '../support/outcome-duplicates.ts';
import { demoExpectations, kafkaService, progressCounts, resultRows, spawnWorker, until, type WorkerProcess } from '../support/pipeline-harness.ts';
import { assertSameAsFaultFreeRun } from '../support/fault-free-run.ts';

const N = Number(process.env.FAULT_RECORDS ?? 600);
const DOWN_MS = Number(process.env.FAULT_BROKER_DOWN_MS ?? 10_000);
const STEPS = ['harvest', 'validate-external', 'transform', 'validate-internal', 'normalize'] as const;

test(`a ${N}-record run on 2 workers survives a Kafka broker restart (${DOWN_MS / 1000} s down)`, { timeout: 1_200_000 }, async () => {
  await requirePostgres();
  const dir = mkdtempSync(join(tmpdir(), 'metis-fault-kafka-'));
  const kafka = await startOwnKafka();
  const oai = await startOaiTestServer({ size: N, pageSize: 50, latencyMs: 10 });
  const tdb = await createTestDatabase('metis_fault_kafka');
  const name = uniqueName('fault_kafka');
  const brokers = kafka.brokers;
  const cfg = { pgUrl: tdb.url, brokers, appId: name, topicPrefix: name, workDir: join(dir, 'w'), partitions: 4, hostLimits: { maxConcurrent: 4, ratePerSecond: 30 } };
  process.env.LOG_LEVEL ??= 'warn';
  const workers: WorkerProcess[] = [spawnWorker(cfg, `${name}-w1`), spawnWorker(cfg, `${name}-w2`)];
  const spec: TaskSpecInput = { dataset: { id: '9610', name: 'Fault Kafka', country: 'Italy', language: 'it' }, source: { type: 'oai', url: oai.url, metadataPrefix: 'edm' }, steps: [...STEPS] };
  const rows = async (taskId: string) => (await tdb.db.query<{ n: number }>('SELECT count(*)::int AS n FROM record_result WHERE task_id = $1', [taskId])).rows[0].n;
  try {
    await Promise.all(workers.map((w) => w.ready));
    const client = await kafkaService(tdb.db, brokers, name);
    try {
      const task = await client.service.submit(spec);
      await until('results before the fault', async () => ((await rows(task.taskId)) >= N ? true : undefined), 600_000, 100);
      await client.bus.close().catch(() => undefined);
      const downAt = Date.now();
      await kafka.stop();
      await sleep(DOWN_MS);
      await kafka.start();
      const back = Date.now();
      const before = await rows(task.taskId);
      await until('results to move again', async () => ((await rows(task.taskId)) > before ? true : undefined), 600_000, 50);
      const recovered = Date.now() - back;
      const s = await client.service.waitForTask(task.taskId, { timeoutMs: 600_000, pollMs: 500 });
      assert.equal(s.task.state, 'completed', `task ended ${s.task.state}: ${s.task.reason}`);
      assert.equal(s.task.terminalCount, N);
      for (const w of workers) assert.equal(w.proc.exitCode, null, `worker ${w.id} still runs:\n${w.output().slice(-2000)}`);
      const { noAbout, invalid, valid } = demoExpectations(N);
      const p = await progressCounts(tdb.db, task.taskId);
      assert.deepEqual(p.harvest, { success: N - noAbout, warn: 0, fail: noAbout, cancelled: 0 });
      assert.equal(p['validate-external'].fail, invalid);
      for (const step of ['transform', 'validate-internal', 'normalize']) assert.deepEqual([p[step].fail, p[step].cancelled, p[step].success + p[step].warn], [0, 0, valid], step);
      const faulted = await resultRows(tdb.db, task.taskId);
      const scan = await scanOutcomes(brokers, `${name}.outcomes`, { taskId: task.taskId });
      assert.deepEqual(scan.duplicates, [], describeDuplicates(scan.duplicates));
      assert.equal(scan.records, faulted.size);

      await assertSameAsFaultFreeRun(tdb.db, task.taskId, spec, dir);
      const restarts = workers.map((w) => w.output().match(/kafka runtime running again/g)?.length ?? 0);
      console.log(`# ${N} records, ${faulted.size} rows identical to the fault-free run, ${scan.records} outcome events, 0 duplicated; runtimes restarted by the workers: ${restarts.join(' + ')}`);
      console.log(`# broker down ${((back - downAt) / 1000).toFixed(0)} s (stop + ${DOWN_MS / 1000} s + start); time to recover (broker back → results move) ${(recovered / 1000).toFixed(1)} s`);
    } finally {
      await client.close().catch(() => undefined);
    }
  } finally {
    if (process.env.PIPELINE_DEBUG_DIR) for (const w of workers) writeFileSync(join(process.env.PIPELINE_DEBUG_DIR, `${w.id}-${w.proc.pid}.log`), w.output());
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await tdb.drop();
    await oai.close();
    await kafka.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
