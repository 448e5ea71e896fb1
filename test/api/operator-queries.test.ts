/**
 * The operator read-side (src/store/operator-queries.ts) over a real embedded run: a generated OAI-PMH
 * dataset (some records broken on purpose) harvested from a server on loopback, media from another.
 * Every answer is checked against what the inputs imply and against the pipeline's own counters.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite, type Db } from '../../src/store/db.ts';
import { startEmbedded, type EmbeddedPipeline } from '../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../../src/pipeline/ports/create-metis-ports.ts';
import { startDemoOaiServer } from '../../src/steps/harvest/oai/demo-server.ts';
import { demoDefect } from '../../src/steps/harvest/oai/demo-dataset.ts';
import { startDemoMediaServer } from '../../src/pipeline/demo-media-server.ts';
import * as Q from '../../src/store/operator-queries.ts';

const N = 30;
let dir: string;
let db: Db;
let pipeline: EmbeddedPipeline;
let closeAll: () => Promise<void>;
let taskId: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'metis-opq-'));
  const media = await startDemoMediaServer({ width: 640, height: 480 });
  const oai = await startDemoOaiServer({ size: N, pageSize: 7, dataset: { mediaBaseUrl: media.url } });
  db = await openPglite();
  const ports = await createMetisPorts(
    defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 'thumbs'), allowLoopback: true }),
  );
  pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 2 });
  closeAll = async () => {
    await pipeline.stop();
    await ports.close();
    await db.close();
    await oai.close();
    await media.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const task = await pipeline.service.submit({
    dataset: { id: '9200', name: 'Demo', country: 'Italy', language: 'it' },
    source: { type: 'oai', url: oai.url, metadataPrefix: 'edm' },
  });
  taskId = task.taskId;
  const s = await pipeline.service.waitForTask(taskId, { timeoutMs: 300_000 });
  assert.equal(s.task.state, 'completed', `task ended ${s.task.state}: ${s.task.reason}`);
});

after(async () => closeAll?.());

const defects = Array.from({ length: N }, (_, i) => demoDefect(i));
const noAbout = defects.filter((d) => d === 'no-about').length;
const invalid = defects.filter((d) => d === 'no-rights' || d === 'no-type').length;

test('listTasks filters by state and dataset and pages', async () => {
  const all = await Q.listTasks(db, {});
  assert.equal(all.total, 1);
  assert.equal(all.items[0].taskId, taskId);
  assert.equal((await Q.listTasks(db, { states: ['completed'] })).total, 1);
  assert.equal((await Q.listTasks(db, { states: ['failed', 'queued'] })).total, 0);
  assert.equal((await Q.listTasks(db, { datasetId: 'other' })).total, 0);
  const beyond = await Q.listTasks(db, { offset: 5 });
  assert.deepEqual([beyond.total, beyond.items.length], [1, 0]);
});

test('taskProgress: counts per step in plan order, a sane rate, no ETA once finished', async () => {
  const p = await Q.taskProgress(db, taskId);
  assert.ok(p);
  assert.equal(p.state, 'completed');
  assert.equal(p.processed, N);
  assert.equal(p.expectedTotal, N);
  assert.equal(p.steps[0].step, 'harvest');
  assert.equal(p.steps[0].total, N);
  assert.equal(p.steps[0].fail, noAbout);
  const ve = p.steps.find((s) => s.step === 'validate-external')!;
  assert.equal(ve.fail, invalid);
  for (const s of p.steps) {
    assert.equal(s.etaSeconds, null);
    // At least one second of active time: never more records per second than records.
    assert.ok(s.ratePerSecond !== null && s.ratePerSecond > 0 && s.ratePerSecond <= s.total, `${s.step} ${s.ratePerSecond}`);
  }
  assert.equal(p.deletedAtSource, 0);
  assert.equal(await Q.taskProgress(db, 'no-such-task'), undefined);
});

test('errorGroups: every group, filtered by step, level and text, paged; downloads hold the same groups', async () => {
  const all = await Q.errorGroups(db, taskId, { limit: null });
  assert.equal(all.total, all.items.length);
  const stored = await pipeline.store.errorReport(taskId);
  assert.equal(all.total, stored.length);
  const ve = await Q.errorGroups(db, taskId, { step: 'validate-external', level: 'error' });
  assert.equal(ve.totalRecords, invalid);
  assert.ok(ve.items.every((g) => g.step === 'validate-external' && g.level === 'error'));
  const paged = await Q.errorGroups(db, taskId, { limit: 1, offset: 0 });
  assert.equal(paged.items.length, 1);
  assert.equal(paged.total, all.total);
  const text = await Q.errorGroups(db, taskId, { text: 'PROVIDER ID' });
  assert.ok(text.items.length > 0 && text.items.every((g) => /provider id/i.test(g.message)));
  const csv = await Q.errorReportCsv(db, taskId);
  assert.equal(csv.trim().split('\r\n').length, all.total + 1);
  const json = await Q.errorReportMetisJson(db, taskId);
  assert.equal(json.errors.length, all.total);
  assert.equal(
    json.errors.reduce((n, e) => n + e.occurrences, 0),
    all.items.reduce((n, g) => n + g.count, 0),
  );
});

test('tierSummary counts every record whose tiers were computed, and records carry them', async () => {
  const t = await Q.tierSummary(db, taskId);
  const valid = N - noAbout - invalid;
  assert.equal(t.total, valid);
  assert.equal(Object.values(t.content).reduce((a, b) => a + b, 0), valid);
  assert.equal(Object.values(t.metadata).reduce((a, b) => a + b, 0), valid);
  assert.equal(t.tierZero.content.samples.length, Math.min(t.content['0'], 10));
  const rt = await Q.recordTiers(db, taskId, { limit: 500 });
  assert.equal(rt.total, valid);
});

test('listRecords: status per step and filters; recordJourney, content and diff', async () => {
  const all = await Q.listRecords(db, taskId, { limit: 500 });
  assert.equal(all.total, N);
  const failedHarvest = await Q.listRecords(db, taskId, { step: 'harvest', status: 'fail' });
  assert.equal(failedHarvest.total, noAbout);
  const failedVe = await Q.listRecords(db, taskId, { status: 'fail', step: 'validate-external' });
  assert.equal(failedVe.total, invalid);
  assert.ok(failedVe.items.every((r) => r.lastStep === 'validate-external' && r.status === 'fail'));
  const reachedPublish = await Q.listRecords(db, taskId, { step: 'publish' });
  assert.equal(reachedPublish.total, N - noAbout - invalid);
  assert.ok(reachedPublish.items.every((r) => r.contentTier !== null));
  const withError = await Q.listRecords(db, taskId, { error: 'provider id' });
  assert.equal(withError.total, noAbout);
  assert.equal((await Q.listRecords(db, taskId, { error: 'provider id', step: 'harvest', status: 'fail' })).total, noAbout);
  assert.equal((await Q.listRecords(db, taskId, { error: 'provider id', step: 'normalize' })).total, 0);
  // Without a step, the status is the one at the last step reached: every record that failed anywhere.
  const progress = await pipeline.store.progress(taskId);
  const failedAnywhere = progress.reduce((n, s) => n + s.fail, 0);
  const lastFail = await Q.listRecords(db, taskId, { status: 'fail', limit: 500 });
  assert.equal(lastFail.total, failedAnywhere);
  assert.ok(lastFail.items.every((r) => r.status === 'fail' && r.steps[r.lastStep] === 'fail'));
  const paged = await Q.listRecords(db, taskId, { limit: 5, offset: 5 });
  assert.deepEqual(paged.items.map((r) => r.recordId), all.items.slice(5, 10).map((r) => r.recordId));
  assert.equal((await Q.listRecords(db, taskId, { offset: 1000 })).total, N);

  const id = reachedPublish.items[0].recordId;
  const j = await Q.recordJourney(db, taskId, id);
  assert.ok(j);
  assert.equal(j.steps[0].step, 'harvest');
  assert.equal(j.lastStep, 'publish');
  assert.ok(j.tiers);
  const harvested = await Q.recordContent(db, taskId, id, 'harvest');
  assert.match(harvested!, /ProvidedCHO/);
  const d = await Q.recordDiff(db, taskId, id, 'harvest', 'normalize');
  assert.ok(!('missing' in d));
  assert.ok(d.added + d.removed > 0);
  assert.match(d.unified, /^--- /m);
  // Every line of the old and the new version is there once.
  const normalized = (await Q.recordContent(db, taskId, id, 'normalize'))!;
  assert.equal(d.lines.filter((l) => l.op !== '+').length, harvested!.split('\n').length);
  assert.equal(d.lines.filter((l) => l.op !== '-').length, normalized.split('\n').length);
  assert.equal(await Q.recordJourney(db, taskId, 'nope'), undefined);

  // Internal validation leaves the content as transform made it: stored once, by reference, and
  // still every step's content for the operator (journey, content, diff).
  const raw = await db.query<{ content: string | null; content_from: string | null }>(
    "SELECT content, content_from FROM record_result WHERE task_id = $1 AND record_id = $2 AND step = 'validate-internal'",
    [taskId, id],
  );
  assert.deepEqual(raw.rows, [{ content: null, content_from: 'transform' }]);
  const transformed = await Q.recordContent(db, taskId, id, 'transform');
  assert.match(transformed!, /ProvidedCHO/);
  assert.equal(await Q.recordContent(db, taskId, id, 'validate-internal'), transformed);
  assert.ok(j.steps.find((s) => s.step === 'validate-internal')?.hasContent);
  const same = await Q.recordDiff(db, taskId, id, 'transform', 'validate-internal');
  assert.ok(!('missing' in same) && same.added + same.removed === 0);
});
