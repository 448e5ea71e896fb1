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
import { diffResults, errorGroups, progressCounts, resultRows } from './pipeline-harness.ts';

/** Runs `spec` fault-free (work files under `dir`) and asserts the faulted task's database equals it. */
export async function assertSameAsFaultFreeRun(db: Db, taskId: string, spec: TaskSpecInput, dir: string): Promise<void> {
  const edb = await openPglite();
  const eports = await createMetisPorts(defaultMetisConfig({ db: edb, cacheDir: join(dir, 'e', 'cache'), thumbnailDir: join(dir, 'e', 'thumbs'), allowLoopback: true }));
  const embedded = await startEmbedded({ db: edb, ports: eports.ports, partitions: 4 });
  try {
    const etask = await embedded.service.submit(spec);
    const es = await embedded.service.waitForTask(etask.taskId, { timeoutMs: 600_000, pollMs: 500 });
    assert.equal(es.task.state, 'completed');
    assert.deepEqual(diffResults(await resultRows(db, taskId), await resultRows(edb, etask.taskId)), []);
    assert.deepEqual(await progressCounts(edb, etask.taskId), await progressCounts(db, taskId));
    assert.deepEqual(await errorGroups(edb, etask.taskId), await errorGroups(db, taskId));
  } finally {
    await embedded.stop();
    await eports.close();
    await edb.close();
  }
}
