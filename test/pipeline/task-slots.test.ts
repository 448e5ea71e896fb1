/**
 * A task's own throttle (`limits.maxInFlight`): never more of its records in work at once, whatever
 * the partitions' concurrency would allow.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite } from '../../src/store/db.ts';
import { startEmbedded } from '../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../../src/pipeline/ports/create-metis-ports.ts';
import { TaskSlots } from '../../src/pipeline/task-slots.ts';
import { startOaiTestServer } from '../support/oai-server.ts';

test('TaskSlots: at most max at once per task, other tasks unaffected', async () => {
  const slots = new TaskSlots();
  let active = 0;
  let peak = 0;
  const work = () => slots.run('a', 2, async () => {
    peak = Math.max(peak, ++active);
    await new Promise((r) => setImmediate(r));
    active--;
  });
  let other = 0;
  await Promise.all([...Array.from({ length: 10 }, work), slots.run('b', 1, async () => void other++)]);
  assert.equal(peak, 2);
  assert.equal(other, 1);
  assert.equal(slots.active('a'), 0);
});

test('a task with limits.maxInFlight 2 never has more than 2 GetRecord requests at the provider', { timeout: 120_000 }, async () => {
  const N = 40;
  const dir = mkdtempSync(join(tmpdir(), 'metis-slots-'));
  // One listing page: once it is read, every request is a GetRecord of this task.
  const oai = await startOaiTestServer({ size: N, pageSize: N, latencyMs: 30 });
  const db = await openPglite();
  const ports = await createMetisPorts(defaultMetisConfig({ db, cacheDir: join(dir, 'c'), thumbnailDir: join(dir, 't'), allowLoopback: true, threads: 0 }));
  const pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 4 });
  try {
    const task = await pipeline.service.submit({
      dataset: { id: '61', name: 'Slots', country: 'Italy', language: 'it' },
      source: { type: 'oai', url: oai.url, metadataPrefix: 'edm' },
      steps: ['harvest'],
      limits: { maxInFlight: 2 },
    });
    const s = await pipeline.service.waitForTask(task.taskId, { timeoutMs: 100_000 });
    assert.equal(s.task.state, 'completed');
    assert.equal(oai.stats.byVerb.GetRecord, N);
    assert.equal(oai.stats.maxConcurrent, 2, `peak ${oai.stats.maxConcurrent}`);
  } finally {
    await pipeline.stop();
    await ports.close();
    await db.close();
    await oai.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
