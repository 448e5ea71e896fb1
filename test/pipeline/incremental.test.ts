/**
 * Incremental harvesting and deleted-record detection on the embedded runtime: a second harvest of
 * the same endpoint skips unchanged records, and a full harvest after records vanished from the
 * source depublishes them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite } from '../../src/store/db.ts';
import { startEmbedded } from '../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../../src/pipeline/ports/create-metis-ports.ts';
import { startDemoOaiServer } from '../../src/steps/harvest/oai/demo-server.ts';
import { openPublishedStore } from '../../src/store/published-store.ts';
import { startDemoMediaServer } from '../../src/pipeline/demo-media-server.ts';

test('a second harvest skips unchanged records; a full harvest depublishes records gone from the source', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metis-incr-'));
  const db = await openPglite();
  const ports = await createMetisPorts(defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 'thumbs'), threads: 0, allowLoopback: true }));
  const pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 2 });
  // Media makes the records publishable (content tier above 0), which detection then depublishes.
  const media = await startDemoMediaServer({ width: 800, height: 600 });
  const steps = ['harvest', 'validate-external', 'transform', 'validate-internal', 'normalize', 'media', 'preview', 'publish'] as const;
  const dataset = { id: '77', name: 'Incremental', country: 'Italy', language: 'it' };
  const run = async (size: number, params: Record<string, unknown>) => {
    const oai = await startDemoOaiServer({ size, pageSize: 10, dataset: { invalidRatio: 0, mediaBaseUrl: media.url } });
    try {
      const task = await pipeline.service.submit({ dataset, source: { type: 'oai', url: oai.url, metadataPrefix: 'edm' }, steps: [...steps], params });
      const s = await pipeline.service.waitForTask(task.taskId, { timeoutMs: 120_000 });
      assert.equal(s.task.state, 'completed', s.task.reason ?? '');
      return s;
    } finally {
      await oai.close();
    }
  };
  try {
    const first = await run(20, { detectDeleted: true });
    const p1 = Object.fromEntries(first.progress.map((p) => [p.step, p]));
    assert.equal(p1.publish.success + p1.publish.fail, 20);

    const second = await run(20, { incremental: true });
    const p2 = Object.fromEntries(second.progress.map((p) => [p.step, p]));
    assert.equal(p2.harvest.success, 20, 'every record is harvested');
    assert.equal(p2['validate-external'], undefined, 'no unchanged record goes further');

    const published = await openPublishedStore(db);
    const before = await published.recordIds('publish', '77');
    assert.ok(before.length > 0);
    // The source now holds only the first 15 records: a full harvest with detection removes the other 5.
    const third = await run(15, { detectDeleted: true });
    assert.equal(third.task.expectedTotal, 15);
    const after = await published.recordIds('publish', '77');
    const removed = before.filter((id) => !after.includes(id));
    assert.equal(removed.length, before.length - after.length);
    assert.ok(removed.length >= 1 && removed.length <= 5, `removed ${removed.length}`);
    for (const id of removed) assert.ok(await published.getTombstone('publish', id), `tombstone for ${id}`);
  } finally {
    await pipeline.stop();
    await ports.close();
    await db.close();
    await media.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
