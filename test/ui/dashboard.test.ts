/**
 * The dashboard in a real browser (Debian's Chromium, headless, driven by playwright-core) against a real
 * `serve` server in embedded mode over a temporary data folder, with a generated OAI-PMH dataset (about
 * one record in ten broken on purpose) and its media served on 127.0.0.1. It submits a task in the form,
 * watches it complete, opens the error report and drills down to the failed records, opens a record's
 * XML and its diff between two steps, cancels a slow task, and checks the form's validation, labels and
 * dark mode. Screenshots of each page are written to test-results/ui/.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { collectPageErrors, launchChromium, screenshot } from './browser.ts';
import { startDashboardServer, TOKENS, type DashboardServer } from './server.ts';

const N = 30;
const SANDBOX_ZIPS = new URL('../../../shared/fixtures/metis/metis-sandbox/src/test/resources/zip/', import.meta.url);
let server: DashboardServer;
let browser: Browser;
let page: Page;
let pageErrors: string[];
let taskId = '';

before(async () => {
  const t0 = performance.now();
  // The browser starts while the server does (both take seconds on a loaded machine).
  const [srv, chrome] = await Promise.allSettled([
    startDashboardServer({ records: N }).then((s) => {
      process.stderr.write(`serve listening after ${Math.round(performance.now() - t0)} ms\n`);
      return s;
    }),
    launchChromium(),
  ]);
  if (srv.status === 'fulfilled') server = srv.value;
  if (chrome.status === 'fulfilled') browser = chrome.value;
  if (srv.status === 'rejected') throw srv.reason;
  if (chrome.status === 'rejected') throw chrome.reason;
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(30_000);
  pageErrors = collectPageErrors(page);
});

after(async () => {
  await browser?.close();
  await server?.close();
});

/** No uncaught exception, no console error, no failed request since the last check (then clears the list). */
function assertNoPageErrors(allowed: RegExp[] = []) {
  const real = pageErrors.filter((e) => !allowed.some((a) => a.test(e)));
  pageErrors.length = 0;
  assert.deepEqual(real, [], 'the page logged errors');
}

test('the dashboard asks for a token when reads need one, and a viewer cannot submit', async () => {
  await page.goto(`${server.url}/`);
  assert.match(page.url(), /\/ui\/$/, '/ redirects to the dashboard');
  await page.getByText('The server needs an API token for reads').waitFor();
  await page.getByLabel('API token').fill(TOKENS.viewer);
  await page.getByRole('button', { name: 'Use' }).click();
  await page.getByText('role: viewer').waitFor();
  await page.getByRole('heading', { name: 'Tasks' }).waitFor();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Submit' }).click();
  await page.getByText('Submitting needs the operator role').waitFor();
  await page.getByLabel('API token').fill(TOKENS.admin);
  await page.getByRole('button', { name: 'Use' }).click();
  await page.getByText('role: admin').waitFor();
  // The first page asked without a token: its 401s are the point of this test.
  assertNoPageErrors([/HTTP 401 GET .*\/api\/(info|tasks|events)/]);
});

test('the submit form refuses bad input field by field, and every control has a label', async () => {
  await page.goto(`${server.url}/ui/`);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Submit' }).click();
  await page.getByRole('heading', { name: 'Submit a task' }).waitFor();
  await page.getByLabel('Dataset id').fill('bad id!');
  await page.getByLabel('OAI-PMH endpoint').fill('ftp://example.org/oai');
  await page.getByLabel('normalize').uncheck();
  await page.getByRole('button', { name: 'Submit task' }).click();
  await page.getByText('Dataset id: 1–64 letters, digits, _ or -.').waitFor();
  await page.getByText('Give the dataset a name.').waitFor();
  await page.getByText('An http(s) address of the OAI-PMH endpoint.').waitFor();
  await page.getByText(/leave a gap: normalize would be skipped/).waitFor();
  assert.equal(await page.getByLabel('Dataset id').getAttribute('aria-invalid'), 'true');
  // The first invalid field has the focus, so a keyboard user lands on it.
  assert.equal(await page.evaluate(() => (globalThis as any).document.activeElement?.id), 'ds-id');
  // (Runs in the page: the test's TypeScript has no DOM types, hence `any`.)
  const unlabelled: string[] = await page.evaluate(() =>
    [...(globalThis as any).document.querySelectorAll('input, select, textarea, button')]
      .filter((e: any) => {
        const byLabel = e.labels && e.labels.length > 0 && [...e.labels].some((l: any) => l.textContent.trim() !== '');
        return !byLabel && !e.getAttribute('aria-label') && !(e.tagName === 'BUTTON' && e.textContent.trim() !== '');
      })
      .map((e: any) => String(e.outerHTML).slice(0, 80)),
  );
  assert.deepEqual(unlabelled, [], 'controls without a label');
  await screenshot(page, '01-submit-validation');
  assert.equal(await server.taskCount(), 0, 'nothing was submitted');
  assertNoPageErrors();
});

test('a task submitted in the form runs to completion with live progress', async () => {
  await page.goto(`${server.url}/ui/submit`);
  await page.getByLabel('Dataset id').fill('ui_demo');
  await page.getByLabel('Dataset name').fill('Dashboard demo');
  await page.getByLabel('Country').fill('Italy');
  await page.getByLabel('Language').fill('it');
  await page.getByLabel('OAI-PMH endpoint').fill(server.oaiUrl);
  await screenshot(page, '02-submit-filled');
  await page.getByRole('button', { name: 'Submit task' }).click();
  await page.waitForURL(/\/ui\/tasks\/[^/]+$/);
  taskId = decodeURIComponent(page.url().split('/').pop()!);
  await page.getByRole('heading', { name: /Dashboard demo/ }).waitFor();
  // The page follows the task's event stream until it is completed (no reload).
  try {
    await page.locator('.state-completed').first().waitFor({ timeout: 180_000 });
  } catch (err) {
    await screenshot(page, '03-task-not-completed');
    const p = await server.api(`/api/tasks/${encodeURIComponent(taskId)}/progress`).catch((e: Error) => e.message);
    throw new Error(`the task did not complete in 180 s; the API says: ${JSON.stringify(p)}`, { cause: err });
  }
  const harvestRow = page.locator('tr[data-step="harvest"]');
  const cells = await harvestRow.locator('td.num').allTextContents();
  const [success, warn, fail] = cells.slice(0, 3).map((c) => Number(c.replace(/,/g, '')));
  assert.equal(success + warn + fail, N, `harvest saw every record: ${cells.join(' | ')}`);
  assert.ok(fail > 0, 'the broken-on-purpose records failed harvest');
  assert.equal(await page.getByTestId('processed').textContent(), String(N));
  for (const step of ['validate-external', 'transform', 'normalize', 'enrich', 'media', 'preview', 'publish']) {
    assert.equal(await page.locator(`tr[data-step="${step}"]`).count(), 1, `${step} has a progress row`);
  }
  await screenshot(page, '03-task-completed');

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
  const row = page.locator(`tr[data-task-id="${taskId}"]`);
  await row.waitFor();
  assert.match(await row.textContent() ?? '', /completed/);
  // Per-step bars come from the live stream (/api/events): the list itself has no per-step counters.
  await page.waitForFunction((id) => (globalThis as any).document.querySelectorAll(`tr[data-task-id="${id}"] .bar`).length === 9, taskId);
  await screenshot(page, '04-task-list');
  assertNoPageErrors();
});

test('the error report lists every group and drills down to the failed records', async () => {
  await page.goto(`${server.url}/ui/tasks/${encodeURIComponent(taskId)}`);
  const report = page.getByTestId('error-report');
  await report.getByTestId('error-group').first().waitFor();
  const api = await server.api(`/api/tasks/${encodeURIComponent(taskId)}/errors?limit=500`);
  const groups = await report.getByTestId('error-group').count();
  assert.equal(groups, Math.min(20, api.total), 'the first page shows the API\'s groups');
  const harvestGroup = report.getByTestId('error-group').filter({ hasText: 'harvest' }).first();
  const count = Number((await harvestGroup.locator('td.num').textContent())!.replace(/,/g, ''));
  assert.ok(count > 0);
  await screenshot(page, '05-error-report', report);
  // The downloads are the API's files, fetched with the token and saved by the browser.
  const [csv] = await Promise.all([page.waitForEvent('download'), report.getByRole('button', { name: 'Download CSV' }).click()]);
  assert.equal(csv.suggestedFilename(), `${taskId}-errors.csv`);
  const csvLines = readFileSync(await csv.path(), 'utf8').trim().split(/\r?\n/);
  assert.equal(csvLines[0], 'step,level,message,count,sample_ids');
  assert.equal(csvLines.length - 1, api.total, 'one CSV line per group');
  const [json] = await Promise.all([page.waitForEvent('download'), report.getByRole('button', { name: 'Download JSON' }).click()]);
  assert.equal(JSON.parse(readFileSync(await json.path(), 'utf8')).errors.length, api.total);
  // The count opens the records of that group.
  await harvestGroup.locator('td.num button').click();
  const rows = page.getByTestId('record-row');
  await page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('[data-testid="record-row"]').length === n, Math.min(count, 25));
  for (const text of await rows.allTextContents()) assert.match(text, /fail/);
  await screenshot(page, '06-error-drilldown');
  assertNoPageErrors();
});

test('a record page shows its XML after a step and the diff between two steps', async () => {
  await page.goto(`${server.url}/ui/tasks/${encodeURIComponent(taskId)}`);
  await page.getByLabel('Status').selectOption('success');
  const first = page.getByTestId('record-row').first();
  await first.waitFor();
  const recordId = (await first.locator('a').textContent())!;
  await first.locator('a').click();
  await page.waitForURL(/\/records\//);
  await page.getByRole('heading', { name: recordId }).waitFor();
  const xml = page.getByTestId('xml-view');
  await xml.waitFor();
  assert.match((await xml.textContent())!, /rdf:RDF/);
  assert.ok((await xml.locator('.t').count()) > 10, 'tags are highlighted');
  // Thumbnails are <img> elements: they reach the API with ?access_token= and load.
  const thumbs = page.locator('.thumbs img');
  assert.ok((await thumbs.count()) > 0, 'the record has thumbnails');
  await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('.thumbs img')].every((i: any) => i.complete && i.naturalWidth > 0));
  await screenshot(page, '07-record');
  // The tabs work from the keyboard: arrow right moves to the diff.
  await page.getByRole('tab', { name: 'XML after a step' }).focus();
  await page.keyboard.press('ArrowRight');
  assert.equal(await page.getByRole('tab', { name: 'Diff between steps' }).getAttribute('aria-selected'), 'true');
  await page.getByLabel('From', { exact: true }).selectOption('harvest');
  await page.getByLabel('to', { exact: true }).selectOption('normalize');
  const diff = page.getByTestId('diff-view');
  await diff.waitFor();
  assert.ok((await diff.locator('.add').count()) + (await diff.locator('.del').count()) > 0, 'the diff shows changed lines');
  await screenshot(page, '08-record-diff');
  assertNoPageErrors();
});

test('an archive uploaded in the form is harvested and validated', async () => {
  await page.goto(`${server.url}/ui/submit`);
  await page.getByLabel('Dataset id').fill('ui_upload');
  await page.getByLabel('Dataset name').fill('Uploaded archive');
  await page.getByLabel('Archive upload').check();
  // The Metis Sandbox's own two-record test archive.
  await page.getByLabel('Archive file').setInputFiles(fileURLToPath(new URL('dataset-valid-small.zip', SANDBOX_ZIPS)));
  for (const step of ['transform', 'validate-internal', 'normalize', 'enrich', 'media', 'preview', 'publish']) {
    await page.getByLabel(step, { exact: true }).uncheck();
  }
  await screenshot(page, '09-submit-upload');
  await page.getByRole('button', { name: 'Submit task' }).click();
  await page.waitForURL(/\/ui\/tasks\/[^/]+$/);
  await page.locator('.state-completed').first().waitFor({ timeout: 120_000 });
  const t = await server.api(`/api/tasks/${encodeURIComponent(decodeURIComponent(page.url().split('/').pop()!))}`);
  assert.deepEqual(t.plan, ['harvest', 'validate-external']);
  assert.equal(t.spec.source.type, 'archive');
  const harvest = t.progress.steps.find((s: { step: string }) => s.step === 'harvest');
  assert.equal(harvest.success + harvest.warn, 2, 'both records of the archive were harvested');
  assertNoPageErrors();
});

test('a running task is cancelled from its page', async () => {
  const slow = await server.submitSlowTask();
  await page.goto(`${server.url}/ui/tasks/${encodeURIComponent(slow)}`);
  await page.getByRole('button', { name: 'Cancel task…' }).click();
  await page.getByRole('button', { name: 'Yes, cancel' }).click();
  await page.locator('.state-cancelled').first().waitFor({ timeout: 60_000 });
  const t = await server.api(`/api/tasks/${encodeURIComponent(slow)}`);
  assert.equal(t.state, 'cancelled');
  await screenshot(page, '10-task-cancelled');
  assertNoPageErrors();
});

test('dark mode and the engine page', async () => {
  await page.goto(`${server.url}/ui/tasks/${encodeURIComponent(taskId)}`);
  await page.getByLabel('Theme').selectOption('dark');
  const bg = await page.evaluate(() => (globalThis as any).getComputedStyle((globalThis as any).document.body).backgroundColor);
  assert.equal(bg, 'rgb(21, 23, 26)', 'the dark background');
  await page.getByTestId('progress').waitFor();
  await screenshot(page, '11-task-dark');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Engine' }).click();
  await page.getByRole('heading', { name: 'Topics' }).waitFor();
  assert.ok((await page.getByRole('table', { name: 'Topics' }).locator('tbody tr').count()) > 0);
  await screenshot(page, '12-engine-dark');
  await page.getByLabel('Theme').selectOption('system');
  assertNoPageErrors();
});

test('a record is depublished and a task re-run from its pages', async () => {
  const recs = await server.api(`/api/tasks/${encodeURIComponent(taskId)}/records?status=success&limit=1`);
  const recordId: string = recs.records[0].recordId;
  await page.goto(`${server.url}/ui/tasks/${encodeURIComponent(taskId)}/records/${encodeURIComponent(recordId)}`);
  const reasons = page.getByLabel('Depublication reason');
  await reasons.selectOption('GDPR');
  await page.getByRole('button', { name: 'Depublish record…' }).click();
  await page.getByRole('button', { name: 'Yes, depublish' }).click();
  await page.waitForURL((u) => !u.pathname.includes('/records/'));
  const depublishTask = decodeURIComponent(page.url().split('/').pop()!);
  assert.notEqual(depublishTask, taskId);
  await page.locator('.state-completed').first().waitFor({ timeout: 60_000 });
  const dep = await server.api(`/api/tasks/${encodeURIComponent(depublishTask)}`);
  assert.deepEqual(dep.plan, ['depublish']);
  assert.deepEqual(dep.spec.source.recordIds, [recordId]);
  await screenshot(page, '13-depublish-task');

  await page.goto(`${server.url}/ui/tasks/${encodeURIComponent(taskId)}`);
  await page.getByLabel('Re-run after step').selectOption('normalize');
  await page.getByRole('button', { name: 'Re-run', exact: true }).click();
  await page.waitForURL((u) => !u.pathname.endsWith(encodeURIComponent(taskId)));
  const rerun = await server.api(`/api/tasks/${encodeURIComponent(decodeURIComponent(page.url().split('/').pop()!))}`);
  assert.deepEqual(rerun.plan, ['enrich', 'media', 'preview', 'publish']);
  assert.deepEqual(rerun.spec.source, { type: 'previous', taskId, step: 'normalize' });
  await page.getByRole('heading', { name: /Dashboard demo/ }).waitFor();
  await screenshot(page, '14-rerun-task');
  assertNoPageErrors();
});
