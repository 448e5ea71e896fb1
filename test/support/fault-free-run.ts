/**
 * The reference of the fault tests: the same dataset and plan run without faults on the embedded
 * runtime, and its database compared with the faulted run's (every result row, step counters, error
 * groups).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openPglite, type Db } from '../../src/store/db.ts';
import { startEmbedded } from '../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../../src/pipeline/ports/create-metis-ports.ts';
import type { TaskSpecInput } from '../../src/model/index.ts';
import { diffResults, errorGroups, progressCounts, resultRows, type ResultRow } from './pipeline-harness.ts';

/** A fault-free run's database: result rows, step counters, error groups. */
export interface FaultFreeResult {
  rows: Map<string, ResultRow>;
  progress: Awaited<ReturnType<typeof progressCounts>>;
  errors: string[];
}

/** Runs `spec` fault-free on the embedded runtime (work files under `dir`) and returns its database. */
export async function faultFreeRun(spec: TaskSpecInput, dir: string): Promise<FaultFreeResult> {
  const edb = await openPglite();
  const eports = await createMetisPorts(defaultMetisConfig({ db: edb, cacheDir: join(dir, 'e', 'cache'), thumbnailDir: join(dir, 'e', 'thumbs'), allowLoopback: true }));
  const embedded = await startEmbedded({ db: edb, ports: eports.ports, partitions: 4 });
  try {
    const etask = await embedded.service.submit(spec);
    const es = await embedded.service.waitForTask(etask.taskId, { timeoutMs: 600_000, pollMs: 500 });
    assert.equal(es.task.state, 'completed');
    return { rows: await resultRows(edb, etask.taskId), progress: await progressCounts(edb, etask.taskId), errors: await errorGroups(edb, etask.taskId) };
  } finally {
    await embedded.stop();
    await eports.close();
    await edb.close();
  }
}

/** Runs `spec` fault-free (work files under `dir`) and asserts the faulted task's database equals it. */
export async function assertSameAsFaultFreeRun(db: Db, taskId: string, spec: TaskSpecInput, dir: string): Promise<void> {
  const ref = await faultFreeRun(spec, dir);
  assert.deepEqual(diffResults(await resultRows(db, taskId), ref.rows), []);
  assert.deepEqual(ref.progress, await progressCounts(db, taskId));
  assert.deepEqual(ref.errors, await errorGroups(db, taskId));
}
