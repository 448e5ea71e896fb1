/**
 * The whole Metis chain on the embedded runtime (LocalRuntime + PGlite): a generated OAI-PMH dataset
 * (some records broken on purpose) is harvested from a real HTTP server on loopback, its media from
 * another, and every record's fate and every step's counts are what the inputs imply.
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
import { demoDefect } from '../../src/steps/harvest/oai/demo-dataset.ts';
import { startDemoMediaServer } from '../../src/pipeline/demo-media-server.ts';

const N = 60;

test('a demo dataset runs harvest → publish; failures stop records at the step that must catch them', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metis-e2e-'));
  const media = await startDemoMediaServer({ width: 640, height: 480 });
  const oai = await startDemoOaiServer({ size: N, pageSize: 7, dataset: { mediaBaseUrl: media.url } });
  const db = await openPglite();
  const ports = await createMetisPorts(defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 'thumbs'), allowLoopback: true }));
  const pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 3 });
  try {
    const task = await pipeline.service.submit({
      dataset: { id: '9200', name: 'Demo', country: 'Italy', language: 'it' },
      source: { type: 'oai', url: oai.url, metadataPrefix: 'edm' },
    });
    const s = await pipeline.service.waitForTask(task.taskId, { timeoutMs: 120_000 });
    assert.equal(s.task.state, 'completed', `task ended ${s.task.state}: ${s.task.reason}`);
    assert.equal(s.task.expectedTotal, N);

    const defects = Array.from({ length: N }, (_, i) => demoDefect(i));
    const noAbout = defects.filter((d) => d === 'no-about').length;
    const invalid = defects.filter((d) => d === 'no-rights' || d === 'no-type').length;
    assert.ok(noAbout > 0 && invalid > 0, 'the demo dataset has broken records of both kinds');
    const p = Object.fromEntries(s.progress.map((x) => [x.step, x]));
    assert.equal(p.harvest.success, N - noAbout);
    assert.equal(p.harvest.fail, noAbout);
    assert.equal(p['validate-external'].fail, invalid);
    const valid = N - noAbout - invalid;
    assert.equal(p['validate-external'].success + p['validate-external'].warn, valid);
    for (const step of ['transform', 'validate-internal', 'normalize', 'enrich', 'media', 'preview'] as const) {
      assert.equal(p[step].success + p[step].warn + p[step].fail, valid, `${step} saw every valid record`);
      assert.equal(p[step].fail, 0, `${step}: ${JSON.stringify(s.errors.filter((e) => e.step === step))}`);
    }
    assert.equal(p.publish.success + p.publish.warn + p.publish.fail, valid);
    assert.equal(s.task.terminalCount, N);
    // The failures are reported grouped by message, with record ids.
    const xsd = s.errors.filter((e) => e.step === 'validate-external');
    assert.equal(xsd.reduce((n, e) => n + e.count, 0), invalid);
    assert.ok(s.errors.some((e) => e.step === 'harvest' && /Could not find provider ID/.test(e.message)));
    // Media: images were fetched from the media server; tiers were counted for every record that
    // reached publish, those refused in content tier 0 included.
    assert.ok(media.counts.image > 0);
    assert.equal(s.tiers.reduce((n, t) => n + t.count, 0), p.publish.success + p.publish.warn + p.publish.fail);
  } finally {
    await pipeline.stop();
    await ports.close();
    await db.close();
    await oai.close();
    await media.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
