/**
 * Fault: the database restarts mid-run, then refuses connections for 30 s (its own PostgreSQL
 * cluster, test/support/own-postgres.ts: the shared server is never touched). Two worker processes on
 * the shared Kafka wait both out (back-off, reconnection, a new runtime when the engine stopped one)
 * and are never restarted by hand: the task completes, no record failed for the outage, the database
 * equals a fault-free run's (embedded runtime, same dataset), and the outcomes topic read
 * read_committed holds one event per (task, step, record). Prints the time to recover after each fault
 * (database back → results move again).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectPg } from '../../src/store/db.ts';
import type { TaskSpecInput } from '../../src/model/index.ts';
import { requireKafka, uniqueName } from '../support/services.ts';
import { startOwnPostgres } from '../support/own-postgres.ts';
import { startOaiTestServer } from '../support/oai-server.ts';
import { describeDuplicates, scanOutcomes } from '../support/outcome-duplicates.ts';
import { demoExpectations, kafkaService, progressCounts, resultRows, spawnWorker, until, type WorkerProcess } from '../support/pipeline-harness.ts';
import { assertSameAsFaultFreeRun } from '../support/fault-free-run.ts';

const N = 600;
const OUTAGE_MS = 30_000;
const STEPS = ['harvest', 'validate-external', 'transform', 'validate-internal', 'normalize'] as const;

test(`a ${N}-record run on 2 workers survives a PostgreSQL restart and ${OUTAGE_MS / 1000} s of refused connections`, { timeout: 600_000 }, async () => {
  const brokers = (await requireKafka()).join(',');
  const dir = mkdtempSync(join(tmpdir(), 'metis-fault-pg-'));
  const pg = await startOwnPostgres();
  // Throttled (≈ 30 GetRecords/s) so that the run lasts long enough for both faults.
  const oai = await startOaiTestServer({ size: N, pageSize: 50, latencyMs: 10 });
  const db = connectPg(pg.url, { max: 2 });
  const name = uniqueName('fault_pg');
  const cfg = { pgUrl: pg.url, brokers, appId: name, topicPrefix: name, workDir: join(dir, 'kafka'), partitions: 4, hostLimits: { maxConcurrent: 4, ratePerSecond: 30 }, options: { retryBudgetMs: 180_000 } };
  process.env.LOG_LEVEL ??= 'warn';
  const workers: WorkerProcess[] = [spawnWorker(cfg, `${name}-w1`), spawnWorker(cfg, `${name}-w2`)];
  const spec: TaskSpecInput = { dataset: { id: '9600', name: 'Fault PG', country: 'Italy', language: 'it' }, source: { type: 'oai', url: oai.url, metadataPrefix: 'edm' }, steps: [...STEPS] };
  // During an outage this test's own queries fail too: those polls count as "not yet".
  const rows = async (taskId: string): Promise<number | undefined> => {
    try {
      return (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM record_result WHERE task_id = $1', [taskId])).rows[0].n;
    } catch {
      return undefined;
    }
  };
  /** Database back → the first new result row: the time the workers took to heal. */
  const recovery = async (taskId: string, before: number, backAt: number) => {
    await until('results to move again', async () => ((await rows(taskId)) ?? -1) > before, 300_000, 50);
    return Date.now() - backAt;
  };
  try {
    await Promise.all(workers.map((w) => w.ready));
    const client = await kafkaService(db, brokers, name);
    try {
      const task = await client.service.submit(spec);
      const at = async (n: number) => until(`${n} result rows`, async () => ((await rows(task.taskId)) ?? 0) >= n ? rows(task.taskId) : undefined, 300_000, 50);

      // Fault 1: a restart (immediate shutdown, as a crash would, and start again at once).
      await at(N);
      await pg.kill();
      await pg.start();
      const back1 = Date.now();
      const recovered1 = await recovery(task.taskId, await until('the database', () => rows(task.taskId), 60_000, 20), back1);

      // Fault 2: refused connections for 30 s.
      await at(Math.round(N * 2.5));
      await pg.stop();
      const stoppedAt = Date.now();
      await sleep(OUTAGE_MS);
      await pg.start();
      const back2 = Date.now();
      const recovered2 = await recovery(task.taskId, await until('the database', () => rows(task.taskId), 60_000, 20), back2);

      const s = await client.service.waitForTask(task.taskId, { timeoutMs: 300_000, pollMs: 500 });
      assert.equal(s.task.state, 'completed', `task ended ${s.task.state}: ${s.task.reason}`);
      assert.equal(s.task.terminalCount, N);
      for (const w of workers) assert.equal(w.proc.exitCode, null, `worker ${w.id} is still running (never restarted by hand):\n${w.output().slice(-2000)}`);

      const { noAbout, invalid, valid } = demoExpectations(N);
      const p = await progressCounts(db, task.taskId);
      assert.deepEqual(p.harvest, { success: N - noAbout, warn: 0, fail: noAbout, cancelled: 0 });
      assert.equal(p['validate-external'].fail, invalid);
      for (const step of ['transform', 'validate-internal', 'normalize'])
        assert.deepEqual([p[step].fail, p[step].cancelled, p[step].success + p[step].warn], [0, 0, valid], `${step}: ${JSON.stringify(s.errors.filter((e) => e.step === step))}`);
      const faulted = await resultRows(db, task.taskId);
      const scan = await scanOutcomes(brokers, `${name}.outcomes`, { taskId: task.taskId });
      assert.deepEqual(scan.duplicates, [], describeDuplicates(scan.duplicates));
      assert.equal(scan.records, faulted.size);

      // The fault-free run: same dataset and plan, embedded runtime.
      await assertSameAsFaultFreeRun(db, task.taskId, spec, dir);
      const restarts = workers.map((w) => w.output().match(/kafka runtime running again/g)?.length ?? 0);
      console.log(`# ${N} records, ${faulted.size} rows identical to the fault-free run, ${scan.records} outcome events, 0 duplicated; workers restarted their runtime ${restarts.join(' + ')} times`);
      console.log(`# time to recover: restart ${(recovered1 / 1000).toFixed(1)} s; ${((back2 - stoppedAt) / 1000).toFixed(0)} s outage ${(recovered2 / 1000).toFixed(1)} s (database back → results move)`);
    } finally {
      await client.close();
    }
  } finally {
    if (process.env.PIPELINE_DEBUG_DIR) for (const w of workers) writeFileSync(join(process.env.PIPELINE_DEBUG_DIR, `${w.id}-${w.proc.pid}.log`), w.output());
    await Promise.all(workers.map((w) => w.kill('SIGTERM')));
    await db.close();
    await oai.close();
    await pg.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
});
