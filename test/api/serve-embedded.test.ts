/**
 * The HTTP API over real HTTP: `metis-streams serve` spawned as a process over a temporary embedded
 * database, with three tokens (viewer, operator, admin) and a small upload limit. A generated OAI-PMH
 * dataset (some records broken on purpose) and its media are served on loopback; the Sandbox's own
 * two-record zip (`dataset-valid-small.zip`) is uploaded. Every endpoint is called and its answer
 * checked against what the inputs imply; auth and input errors are checked for their status, code
 * and the field they name.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoOaiServer } from '../../src/steps/harvest/oai/demo-server.ts';
import { demoDefect } from '../../src/steps/harvest/oai/demo-dataset.ts';
import { startDemoMediaServer } from '../../src/pipeline/demo-media-server.ts';
import { startOaiTestServer } from '../support/oai-server.ts';
import { client, readEvents, startServe, type ServeProcess } from './support.ts';

const N = 24;
const TOKENS = { viewer: 'viewer-token-0123456789', operator: 'operator-token-0123456789', admin: 'admin-token-0123456789' };
const UPLOAD_LIMIT = 64 * 1024;
const SANDBOX = new URL('../../../shared/fixtures/metis/metis-sandbox/src/test/resources/zip/', import.meta.url);

let dir: string;
let serve: ServeProcess;
let oai: Awaited<ReturnType<typeof startDemoOaiServer>>;
let slowOai: Awaited<ReturnType<typeof startOaiTestServer>>;
let media: Awaited<ReturnType<typeof startDemoMediaServer>>;
let anon: ReturnType<typeof client>;
let viewer: ReturnType<typeof client>;
let operator: ReturnType<typeof client>;
let admin: ReturnType<typeof client>;
let taskId: string;

const defects = Array.from({ length: N }, (_, i) => demoDefect(i));
const noAbout = defects.filter((d) => d === 'no-about').length;
const invalid = defects.filter((d) => d === 'no-rights' || d === 'no-type').length;
const valid = N - noAbout - invalid;

const spec = (url: string, extra: Record<string, unknown> = {}) => ({
  dataset: { id: '9200', name: 'Demo', country: 'Italy', language: 'it' },
  source: { type: 'oai', url, metadataPrefix: 'edm' },
  ...extra,
});

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'metis-api-'));
  media = await startDemoMediaServer({ width: 640, height: 480 });
  oai = await startDemoOaiServer({ size: N, pageSize: 7, dataset: { mediaBaseUrl: media.url } });
  // A slow endpoint: a task on it is still running when the test cancels it.
  slowOai = await startOaiTestServer({ size: 200, pageSize: 5, latencyMs: 400, dataset: { mediaBaseUrl: media.url } });
  serve = await startServe(
    [
      '--data-dir',
      join(dir, 'data'),
      '--allow-loopback',
      '--threads',
      '0',
      '--upload-limit-bytes',
      String(UPLOAD_LIMIT),
      '--media-timeout-ms',
      '5000',
    ],
    { METIS_API_TOKENS: `viewer:${TOKENS.viewer},operator:${TOKENS.operator},admin:${TOKENS.admin}` },
  );
  anon = client(serve.url);
  viewer = client(serve.url, TOKENS.viewer);
  operator = client(serve.url, TOKENS.operator);
  admin = client(serve.url, TOKENS.admin);
});

after(async () => {
  await serve?.stop();
  await oai?.close();
  await slowOai?.close();
  await media?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('public routes answer without a token; /api and /metrics need one (401 names what to send, 403 the role)', async () => {
  assert.deepEqual((await anon.get('/health')).body, { status: 'ok' });
  const ready = await anon.get('/ready');
  assert.equal(ready.status, 200);
  assert.deepEqual(ready.body, { ready: true, checks: { database: 'ok' } });
  const doc = await anon.get('/openapi.json');
  assert.equal(doc.status, 200);
  assert.equal(doc.body.openapi, '3.0.3');
  for (const path of ['/api/tasks', '/api/tasks/{taskId}/errors', '/api/tasks/{taskId}/record/diff', '/api/sandbox/dataset/{taskId}/progress'])
    assert.ok(doc.body.paths[path], `OpenAPI documents ${path}`);
  // The body schema of a task is in the document, with the task model's fields.
  const createBody = doc.body.paths['/api/tasks'].post.requestBody.content['application/json'].schema;
  assert.ok(createBody.properties.dataset && createBody.properties.source && createBody.properties.limits);
  // Answers are documented too: shapes and the error body of every /api route.
  const listed = doc.body.paths['/api/tasks'].get.responses;
  assert.ok(listed['200'].content['application/json'].schema.properties.tasks);
  assert.ok(listed['401'].content['application/json'].schema.properties.error);
  assert.ok(doc.body.paths['/api/tasks/{taskId}/record/diff'].get.responses['200'].content['application/json'].schema.properties.lines);
  const ui = await anon.get('/docs/');
  assert.equal(ui.status, 200);
  assert.match(ui.text, /swagger/i);
  assert.doesNotMatch(ui.text, /https?:\/\/(cdn|unpkg|cdnjs)/, 'Swagger UI assets are served locally');

  const no = await anon.get('/api/tasks');
  assert.equal(no.status, 401);
  assert.equal(no.body.error.code, 'API_UNAUTHORIZED');
  assert.match(no.body.error.message, /Authorization: Bearer/);
  assert.match(no.headers.get('www-authenticate') ?? '', /^Bearer/);
  assert.equal((await anon.get('/metrics')).status, 401);
  const unknown = await client(serve.url, 'not-a-token-of-ours-123').get('/api/tasks');
  assert.equal(unknown.status, 401);
  assert.match(unknown.body.error.message, /Unknown API token/);

  assert.equal((await viewer.get('/api/tasks')).status, 200);
  const info = await viewer.get('/api/info');
  assert.equal(info.body.mode, 'embedded');
  assert.equal(info.body.role, 'viewer');
  assert.deepEqual(info.body.auth, { enabled: true, publicReads: false });
  const forbidden = await viewer.post('/api/tasks', spec(oai.url));
  assert.equal(forbidden.status, 403);
  assert.equal(forbidden.body.error.code, 'API_FORBIDDEN');
  assert.match(forbidden.body.error.message, /operator/);
  const depublishByOperator = await operator.post('/api/depublish', { datasetId: '9200', reason: 'GDPR' });
  assert.equal(depublishByOperator.status, 403);
  assert.match(depublishByOperator.body.error.message, /admin/);
  // A token in the query (for EventSource and <img>) works on GET only.
  assert.equal((await anon.get(`/api/tasks?access_token=${TOKENS.viewer}`)).status, 200);
  assert.equal((await anon.post(`/api/tasks?access_token=${TOKENS.admin}`, spec(oai.url))).status, 401);
});

test('input errors name the field; nothing is created', async () => {
  const cases: Array<[unknown, number, string, string]> = [
    [{ ...spec(oai.url), dataset: { id: 'bad id', name: 'x' } }, 400, 'API_INVALID_INPUT', 'dataset.id'],
    [{ ...spec(oai.url), source: { type: 'archive', url: '/etc/passwd' } }, 400, 'API_INVALID_INPUT', 'source.url'],
    [{ ...spec(oai.url), source: { type: 'seed', executionName: 'x' } }, 400, 'API_INVALID_INPUT', 'source.type'],
    [{ ...spec(oai.url), limits: { recordLimit: -1 } }, 400, 'API_INVALID_INPUT', 'limits.recordLimit'],
    [{ ...spec(oai.url), steps: ['harvest', 'nope'] }, 400, 'API_INVALID_INPUT', 'steps[1]'],
    [{ ...spec(oai.url), params: { incremental: 'yes' } }, 400, 'API_INVALID_INPUT', 'params.incremental'],
  ];
  for (const [body, status, code, field] of cases) {
    const r = await operator.post('/api/tasks', body);
    assert.equal(r.status, status, JSON.stringify(r.body));
    assert.equal(r.body.error.code, code);
    assert.equal(r.body.error.field, field, JSON.stringify(r.body));
    assert.ok(r.body.error.issues.length >= 1);
  }
  const order = await operator.post('/api/tasks', spec(oai.url, { steps: ['harvest', 'transform', 'validate-external'] }));
  assert.equal(order.status, 400);
  assert.equal(order.body.error.code, 'PLAN_INVALID');
  assert.match(order.body.error.message, /out of Metis's order/);
  const badJson = await operator.post('/api/tasks', '{"dataset":');
  assert.equal(badJson.status, 400);
  assert.equal(badJson.body.error.field, 'body');
  const badQuery = await viewer.get('/api/tasks?limit=abc&state=running');
  assert.equal(badQuery.status, 400);
  assert.deepEqual(badQuery.body.error.issues.map((i: { field: string }) => i.field).sort(), ['query.limit', 'query.state[0]']);
  const missing = await viewer.get('/api/tasks/no-such-task');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.error.code, 'TASK_NOT_FOUND');
  assert.equal((await viewer.get('/api/nothing-here')).body.error.code, 'API_NOT_FOUND');
  assert.equal((await viewer.get('/api/tasks')).body.total, 0, 'no refused request created a task');
});

test('an upload over the limit is refused with 413; an unknown part names itself', async () => {
  const big = new FormData();
  big.set('spec', JSON.stringify({ dataset: { id: 'big', name: 'Big' } }));
  big.set('archive', new Blob([Buffer.alloc(UPLOAD_LIMIT + 1024, 1)]), 'big.zip');
  const r = await operator.post('/api/tasks/upload', big);
  assert.equal(r.status, 413, r.text);
  assert.equal(r.body.error.code, 'API_PAYLOAD_TOO_LARGE');
  const odd = new FormData();
  odd.set('spec', JSON.stringify({ dataset: { id: 'odd', name: 'Odd' } }));
  odd.set('other', new Blob(['x']), 'x.txt');
  const o = await operator.post('/api/tasks/upload', odd);
  assert.equal(o.status, 400);
  assert.equal(o.body.error.field, 'other');
  const noSpec = new FormData();
  noSpec.set('archive', new Blob([readFileSync(new URL('dataset-valid-small.zip', SANDBOX))]), 'a.zip');
  const n = await operator.post('/api/tasks/upload', noSpec);
  assert.equal(n.status, 400);
  assert.equal(n.body.error.field, 'spec');
});

test('a task created over HTTP runs to completion; its progress streams as Server-Sent Events', async () => {
  const created = await operator.post('/api/tasks', spec(oai.url));
  assert.equal(created.status, 201, created.text);
  taskId = created.body.taskId;
  assert.equal(created.body.datasetId, '9200');
  assert.deepEqual(created.body.plan.slice(0, 3), ['harvest', 'validate-external', 'transform']);
  const events = await readEvents(`${serve.url}/api/tasks/${taskId}/events`, (e) => e.event === 'end', {
    authorization: `Bearer ${TOKENS.viewer}`,
  });
  const end = events[events.length - 1];
  assert.equal(end.event, 'end');
  assert.equal(end.data.state, 'completed', JSON.stringify(end.data));
  assert.ok(events.length >= 1);
  // No two consecutive events are the same progress (only changes are sent).
  const withoutClock = (d: Record<string, unknown>) => ({ ...d, durationSeconds: 0 });
  for (let i = 1; i < events.length - 1; i++) assert.notDeepEqual(withoutClock(events[i].data), withoutClock(events[i - 1].data));

  const t = await viewer.get(`/api/tasks/${taskId}`);
  assert.equal(t.body.state, 'completed');
  assert.equal(t.body.processed, N);
  const p = t.body.progress;
  assert.equal(p.expectedTotal, N);
  const harvest = p.steps.find((s: { step: string }) => s.step === 'harvest');
  assert.deepEqual([harvest.success, harvest.fail, harvest.total], [N - noAbout, noAbout, N]);
  for (const s of p.steps) {
    assert.equal(s.etaSeconds, null);
    assert.ok(s.ratePerSecond > 0 && s.ratePerSecond <= s.total, `${s.step}: ${s.ratePerSecond} rec/s`);
  }
  const list = await viewer.get('/api/tasks?state=completed&datasetId=9200');
  assert.ok(list.body.tasks.some((x: { taskId: string }) => x.taskId === taskId));
  assert.equal((await viewer.get('/api/tasks?state=failed')).body.tasks.length, 0);
});

test('the error report: every group, filtered, paged; CSV and JSON downloads hold every group', async () => {
  const all = await viewer.get(`/api/tasks/${taskId}/errors?limit=500`);
  assert.equal(all.status, 200);
  assert.equal(all.body.groups.length, all.body.total);
  const ve = await viewer.get(`/api/tasks/${taskId}/errors?step=validate-external&level=error`);
  assert.equal(ve.body.totalRecords, invalid);
  const h = await viewer.get(`/api/tasks/${taskId}/errors?step=harvest&q=provider%20id`);
  assert.equal(h.body.totalRecords, noAbout);
  assert.equal(h.body.groups[0].sampleIds.length, noAbout);
  const pageOne = await viewer.get(`/api/tasks/${taskId}/errors?limit=1&offset=1`);
  assert.equal(pageOne.body.groups.length, Math.min(1, Math.max(all.body.total - 1, 0)));
  assert.deepEqual(pageOne.body.groups[0], all.body.groups[1]);
  const csv = await viewer.get(`/api/tasks/${taskId}/errors.csv`);
  assert.match(csv.headers.get('content-type') ?? '', /text\/csv/);
  assert.match(csv.headers.get('content-disposition') ?? '', /attachment/);
  const lines = csv.text.trim().split('\r\n');
  assert.equal(lines[0], 'step,level,message,count,sample_ids');
  assert.equal(lines.length, all.body.total + 1);
  const json = await viewer.get(`/api/tasks/${taskId}/errors.json`);
  assert.equal(json.body.errors.length, all.body.total);
  assert.equal(
    json.body.errors.reduce((n: number, e: { occurrences: number }) => n + e.occurrences, 0),
    all.body.groups.reduce((n: number, g: { count: number }) => n + g.count, 0),
  );
  assert.equal((await viewer.get(`/api/tasks/${taskId}/errors?level=fatal`)).body.error.field, 'query.level');
});

test('tiers of every processed record (tier 0 included), records with status per step, a record journey and diff', async () => {
  const tiers = await viewer.get(`/api/tasks/${taskId}/tiers`);
  assert.equal(tiers.body.total, valid);
  assert.equal(Object.values(tiers.body.content as Record<string, number>).reduce((a, b) => a + b, 0), valid);
  assert.ok('0' in tiers.body.content && '0' in tiers.body.metadata);

  const all = await viewer.get(`/api/tasks/${taskId}/records?limit=500`);
  assert.equal(all.body.total, N);
  const failedVe = await viewer.get(`/api/tasks/${taskId}/records?status=fail&step=validate-external`);
  assert.equal(failedVe.body.total, invalid);
  const byError = await viewer.get(`/api/tasks/${taskId}/records?error=provider%20id`);
  assert.equal(byError.body.total, noAbout);
  const published = await viewer.get(`/api/tasks/${taskId}/records?step=publish`);
  assert.equal(published.body.total, valid);
  const rec = published.body.records[0];
  assert.ok(rec.contentTier !== null && rec.metadataTier !== null);
  assert.equal(rec.steps.harvest, 'success');

  const q = `recordId=${encodeURIComponent(rec.recordId)}`;
  const journey = await viewer.get(`/api/tasks/${taskId}/record?${q}`);
  assert.equal(journey.status, 200);
  assert.equal(journey.body.steps[0].step, 'harvest');
  assert.equal(journey.body.lastStep, 'publish');
  assert.ok(journey.body.tiers);
  // The demo's media are images: the media step stored thumbnails and the journey links them.
  assert.ok(journey.body.thumbnails.length > 0, JSON.stringify(journey.body.steps.find((x: { step: string }) => x.step === 'media')));
  for (const url of journey.body.thumbnails) {
    const img = await fetch(`${serve.url}${url}`, { headers: { authorization: `Bearer ${TOKENS.viewer}` } });
    assert.equal(img.status, 200);
    assert.match(img.headers.get('content-type') ?? '', /^image\//);
  }
  const xml = await viewer.get(`/api/tasks/${taskId}/record/content?${q}&step=harvest`);
  assert.match(xml.headers.get('content-type') ?? '', /application\/xml/);
  assert.match(xml.text, /ProvidedCHO/);
  const diff = await viewer.get(`/api/tasks/${taskId}/record/diff?${q}&from=harvest&to=normalize`);
  assert.ok(diff.body.added + diff.body.removed > 0);
  assert.equal(diff.body.lines.filter((l: { op: string }) => l.op !== '+').length, xml.text.split('\n').length);
  const none = await viewer.get(`/api/tasks/${taskId}/record?recordId=nope`);
  assert.equal(none.status, 404);
  assert.equal(none.body.error.code, 'RECORD_NOT_FOUND');
  const badStep = await viewer.get(`/api/tasks/${taskId}/record/content?${q}&step=nostep`);
  assert.equal(badStep.body.error.field, 'query.step');
  const patterns = await viewer.get(`/api/tasks/${taskId}/patterns`);
  assert.equal(patterns.body.available, true);
  for (const pat of patterns.body.patterns) {
    assert.match(pat.id, /^P\d+$/);
    assert.ok(pat.recordOccurrences >= pat.records.length && pat.records.length > 0);
  }
  assert.deepEqual((await viewer.get(`/api/tasks/${taskId}/deleted`)).body, { total: 0, records: [] });
});

test("the Sandbox's progress view has the Sandbox's shape; published search has facets; engine and metrics", async () => {
  const fixture = JSON.parse(readFileSync(new URL('responsefiles/response_body_dataset_valid_small.txt', SANDBOX), 'utf8'));
  const s = await viewer.get(`/api/sandbox/dataset/${taskId}/progress`);
  assert.equal(s.body.status, 'COMPLETED');
  assert.equal(s.body['total-records'], N);
  assert.equal(s.body['processed-records'], N);
  for (const key of Object.keys(fixture).filter((k) => k !== 'portal-publish')) assert.ok(key in s.body, `has ${key}`);
  const steps = s.body['progress-by-step'].map((x: { step: string }) => x.step);
  assert.deepEqual(steps, ['HARVEST_OAI_PMH', 'VALIDATE_EXTERNAL', 'TRANSFORM', 'VALIDATE_INTERNAL', 'NORMALIZE', 'ENRICH', 'MEDIA_PROCESS', 'PUBLISH']);
  for (const x of s.body['progress-by-step']) {
    assert.deepEqual(Object.keys(x).filter((k) => k !== 'errors').sort(), Object.keys(fixture['progress-by-step'][0]).sort());
    assert.equal(x.total, x.success + x.fail + x.warn);
  }
  assert.equal(s.body['progress-by-step'][0].fail, noAbout);
  const info = await viewer.get(`/api/sandbox/dataset/${taskId}/info`);
  assert.equal(info.body['harvesting-parameters']['harvest-protocol'], 'OAI_PMH');
  const rt = await viewer.get(`/api/sandbox/dataset/${taskId}/records-tiers`);
  assert.equal(rt.body.length, valid);
  const tierFixture = JSON.parse(readFileSync(new URL('responsefiles/get_records_tiers_response_body.txt', SANDBOX), 'utf8'));
  assert.deepEqual(Object.keys(rt.body[0]).sort(), Object.keys(tierFixture[0]).sort());
  const journeyTiers = (await viewer.get(`/api/tasks/${taskId}/record?recordId=${encodeURIComponent(rt.body[0]['record-id'])}`)).body.tiers;
  assert.equal(rt.body[0]['metadata-tier-language'], journeyTiers.metadataLanguage);
  // A record after a step, by the Sandbox's step names: as harvested, and as indexed.
  const rid = encodeURIComponent(rt.body[0]['record-id']);
  const asHarvested = await viewer.get(`/api/sandbox/dataset/${taskId}/record?recordId=${rid}&step=HARVEST`);
  assert.equal(asHarvested.text, (await viewer.get(`/api/tasks/${taskId}/record/content?recordId=${rid}&step=harvest`)).text);
  const asMedia = await viewer.get(`/api/sandbox/dataset/${taskId}/record?recordId=${rid}&step=MEDIA_PROCESS`);
  assert.equal(asMedia.text, (await viewer.get(`/api/tasks/${taskId}/record/content?recordId=${rid}&step=media`)).text);
  assert.equal((await viewer.get(`/api/sandbox/dataset/${taskId}/record?recordId=${rid}&step=DEBIAS`)).body.error.field, 'query.step');

  const search = await viewer.get('/api/published?datasetId=9200&facets=contentTier,metadataTier,mediaType&limit=5');
  assert.equal(search.status, 200);
  const publishedOk = (await viewer.get(`/api/tasks/${taskId}/progress`)).body.steps.find((x: { step: string }) => x.step === 'publish');
  assert.equal(search.body.total, publishedOk.success + publishedOk.warn);
  assert.equal(
    search.body.facets.contentTier.reduce((n: number, f: { count: number }) => n + f.count, 0),
    search.body.total,
  );
  assert.equal((await viewer.get('/api/published?facets=nope')).body.error.field, 'query.facets[0]');

  const engine = await viewer.get('/api/engine');
  assert.equal(engine.body.mode, 'embedded');
  assert.ok(engine.body.topics.some((t: { name: string }) => t.name === 'metis.tasks'));

  const metrics = await viewer.get('/metrics');
  assert.match(metrics.text, new RegExp(`metis_records_total\\{step="harvest",status="fail"\\} ${noAbout}\\b`));
  assert.match(metrics.text, /metis_tasks\{state="completed"\} \d+/);
  assert.match(metrics.text, /metis_step_record_seconds_count\{step="harvest"\} \d+/);
  assert.match(metrics.text, /http_requests_total\{method="GET",route="\/api\/tasks\/:taskId",status="200"\} \d+/);
  assert.match(metrics.text, /process_cpu_user_seconds_total/);
});

test('re-run from a step, cancel a running task (then 409), depublish as admin; the task list streams', async () => {
  const rerun = await operator.post(`/api/tasks/${taskId}/rerun`, { afterStep: 'normalize' });
  assert.equal(rerun.status, 201, rerun.text);
  assert.equal(rerun.body.plan[0], 'enrich');
  assert.deepEqual(rerun.body.spec.source, { type: 'previous', taskId, step: 'normalize' });
  const bad = await operator.post(`/api/tasks/${taskId}/rerun`, { afterStep: 'publish' });
  assert.equal(bad.status, 409);
  assert.equal(bad.body.error.code, 'NOTHING_TO_RERUN');
  const noStep = await operator.post(`/api/tasks/${taskId}/rerun`, {});
  assert.equal(noStep.body.error.field, 'afterStep');

  const slow = await operator.post('/api/tasks', spec(slowOai.url, { dataset: { id: 'slow', name: 'Slow' } }));
  assert.equal(slow.status, 201);
  // The task list stream shows the live task.
  const seen = await readEvents(
    `${serve.url}/api/events?access_token=${TOKENS.viewer}`,
    (e) => e.event === 'tasks' && e.data.tasks.some((t: { taskId: string }) => t.taskId === slow.body.taskId),
    {},
    120_000,
  );
  assert.ok(seen.length >= 1);
  const cancelled = await operator.post(`/api/tasks/${slow.body.taskId}/cancel`);
  assert.equal(cancelled.status, 200, cancelled.text);
  assert.equal(cancelled.body.task.state, 'cancelled');
  const again = await operator.post(`/api/tasks/${slow.body.taskId}/cancel`);
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'TASK_NOT_RUNNING');

  const dep = await admin.post('/api/depublish', { datasetId: '9200', reason: 'GDPR', recordIds: ['/9200/nope'] });
  assert.equal(dep.status, 201, dep.text);
  assert.deepEqual(dep.body.plan, ['depublish']);
  const badReason = await admin.post('/api/depublish', { datasetId: '9200', reason: 'BORED' });
  assert.equal(badReason.body.error.field, 'reason');

  const rerunDone = await readEvents(`${serve.url}/api/tasks/${rerun.body.taskId}/events?access_token=${TOKENS.viewer}`, (e) => e.event === 'end');
  assert.equal(rerunDone[rerunDone.length - 1].data.state, 'completed');
});

test("the Sandbox's two-record zip, uploaded, runs; its progress view names HARVEST_FILE", async () => {
  const form = new FormData();
  form.set('spec', JSON.stringify({ dataset: { id: 'sandbox_small', name: 'testDataset', country: 'Italy', language: 'it' } }));
  form.set('archive', new Blob([readFileSync(new URL('dataset-valid-small.zip', SANDBOX))]), 'dataset-valid-small.zip');
  const r = await operator.post('/api/tasks/upload', form);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.spec.source.type, 'archive');
  const done = await readEvents(`${serve.url}/api/tasks/${r.body.taskId}/events?access_token=${TOKENS.viewer}`, (e) => e.event === 'end');
  assert.equal(done[done.length - 1].data.state, 'completed');
  const s = await viewer.get(`/api/sandbox/dataset/${r.body.taskId}/progress`);
  assert.equal(s.body['total-records'], 2);
  assert.equal(s.body['progress-by-step'][0].step, 'HARVEST_FILE');
  assert.deepEqual(
    s.body['progress-by-step'].slice(0, 5).map((x: { step: string; total: number; success: number }) => [x.step, x.total, x.success]),
    [
      ['HARVEST_FILE', 2, 2],
      ['VALIDATE_EXTERNAL', 2, 2],
      ['TRANSFORM', 2, 2],
      ['VALIDATE_INTERNAL', 2, 2],
      ['NORMALIZE', 2, 2],
    ],
  );
  const info = await viewer.get(`/api/sandbox/dataset/${r.body.taskId}/info`);
  assert.deepEqual(info.body['harvesting-parameters'], { 'harvest-protocol': 'FILE', 'file-name': 'dataset-valid-small.zip', 'file-type': 'ZIP' });
});

test('an uploaded XSLT reaches the task: a provider XSLT adds transform-external; one that does not compile fails the task', async () => {
  const form = new FormData();
  form.set('spec', JSON.stringify(spec(oai.url, { dataset: { id: 'xslt', name: 'Xslt' }, limits: { recordLimit: 3 } })));
  form.set('externalXslt', new Blob(['<not-an-xslt/>']), 'provider.xsl');
  const r = await operator.post('/api/tasks/upload', form);
  assert.equal(r.status, 201, r.text);
  assert.equal(r.body.spec.params.externalXslt, '<not-an-xslt/>');
  assert.deepEqual(r.body.plan.slice(0, 2), ['harvest', 'transform-external']);
  const done = await readEvents(`${serve.url}/api/tasks/${r.body.taskId}/events?access_token=${TOKENS.viewer}`, (e) => e.event === 'end');
  const end = done[done.length - 1].data;
  assert.equal(end.state, 'failed', JSON.stringify(end));
  assert.match(end.reason, /XSLT/i);
});

test('deleted-record detection: a full harvest that no longer finds records depublishes them; the API lists them', async () => {
  const smaller = await startDemoOaiServer({ size: N - 6, pageSize: 7, dataset: { mediaBaseUrl: media.url } });
  try {
    const r = await operator.post('/api/tasks', spec(smaller.url, { params: { detectDeleted: true } }));
    assert.equal(r.status, 201, r.text);
    const done = await readEvents(`${serve.url}/api/tasks/${r.body.taskId}/events?access_token=${TOKENS.viewer}`, (e) => e.event === 'end');
    assert.equal(done[done.length - 1].data.state, 'completed');
    // Detection runs right after completion: wait until its depublications are stored.
    let deleted = await viewer.get(`/api/tasks/${r.body.taskId}/deleted?limit=500`);
    for (let i = 0; i < 120 && deleted.body.total === 0; i++) {
      await new Promise((res) => setTimeout(res, 500));
      deleted = await viewer.get(`/api/tasks/${r.body.taskId}/deleted?limit=500`);
    }
    const gone: string[] = deleted.body.records.map((x: { recordId: string }) => x.recordId);
    assert.ok(gone.length >= 1 && gone.length <= 6, JSON.stringify(deleted.body));
    const now = (await viewer.get(`/api/tasks/${r.body.taskId}/records?limit=500&step=harvest`)).body.records.map((x: { recordId: string }) => x.recordId);
    const before = (await viewer.get(`/api/tasks/${taskId}/records?limit=500&step=harvest&status=success`)).body.records.map((x: { recordId: string }) => x.recordId);
    for (const id of gone) {
      assert.ok(!now.includes(id), `${id} is no longer at the source`);
      assert.ok(before.includes(id), `${id} was harvested before`);
    }
    assert.equal((await viewer.get(`/api/tasks/${r.body.taskId}/progress`)).body.deletedAtSource, gone.length);
  } finally {
    await smaller.close();
  }
});
