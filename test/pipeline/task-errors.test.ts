/**
 * A broken setup fails the task once (embedded runtime, PGlite, the demo OAI-PMH server): a provider
 * XSLT that does not compile, or EDM schemas that are not where the configuration says. The task
 * ends `failed` with that message as its reason; no record fails with it (it is not repeated per
 * record in the error report); the task's records stop as cancelled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openPglite } from '../../src/store/db.ts';
import { startEmbedded } from '../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig, type MetisConfig } from '../../src/pipeline/ports/create-metis-ports.ts';
import { startDemoOaiServer } from '../../src/steps/harvest/oai/demo-server.ts';
import { demoDefect } from '../../src/steps/harvest/oai/demo-dataset.ts';
import type { TaskSpecInput } from '../../src/model/index.ts';

const N = 20;
const BAD_XSLT =
  '<xsl:stylesheet version="2.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"><xsl:template match="/"><xsl:value-of select="(("/></xsl:template></xsl:stylesheet>';

async function runTask(config: Partial<MetisConfig>, params: TaskSpecInput['params'] = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'metis-task-error-'));
  const oai = await startDemoOaiServer({ size: N, pageSize: 7 });
  const db = await openPglite();
  const ports = await createMetisPorts(
    defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 'thumbs'), ...config }),
  );
  const pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 3, logger: pino({ level: 'error' }) });
  try {
    const task = await pipeline.service.submit({
      dataset: { id: '9200', name: 'Demo', country: 'Italy', language: 'it' },
      source: { type: 'oai', url: oai.url, metadataPrefix: 'edm' },
      steps: ['harvest', 'validate-external', 'transform', 'validate-internal'],
      params,
    });
    await pipeline.service.waitForTask(task.taskId, { timeoutMs: 120_000 });
    // The task has failed; its records still in flight end as cancelled: wait until all are terminal.
    const deadline = Date.now() + 30_000;
    let s = (await pipeline.service.status(task.taskId))!;
    while (s.task.terminalCount < N && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      s = (await pipeline.service.status(task.taskId))!;
    }
    return s;
  } finally {
    await pipeline.stop();
    await ports.close();
    await db.close();
    await oai.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertFailedOnce(s: Awaited<ReturnType<typeof runTask>>, reason: RegExp, failingStep: string): void {
  assert.equal(s.task.state, 'failed');
  assert.match(s.task.reason ?? '', reason);
  assert.equal(s.task.terminalCount, N, 'every record reached an end');
  // The setup error is the task's reason, not a record failure repeated per record.
  assert.deepEqual(
    s.errors.filter((e) => reason.test(e.message)),
    [],
  );
  const p = Object.fromEntries(s.progress.map((x) => [x.step, x]));
  assert.equal(p[failingStep]?.fail ?? 0, 0, `no record failed at ${failingStep}`);
  const noAbout = Array.from({ length: N }, (_, i) => demoDefect(i)).filter((d) => d === 'no-about').length;
  const cancelled = s.progress.reduce((n, x) => n + x.cancelled, 0);
  const failed = s.progress.reduce((n, x) => n + x.fail, 0);
  assert.ok(cancelled > 0, 'records of the failed task are cancelled');
  assert.equal(
    cancelled + failed,
    N,
    `every record failed for its own reason or was cancelled (harvest failures: ${noAbout})`,
  );
  assert.ok(
    !s.progress.some((x) => x.step === 'validate-internal' && x.success + x.warn > 0),
    'no record went past the broken step',
  );
}

test('a provider XSLT that does not compile fails the task once with the compiler message', async () => {
  const s = await runTask({ threads: 0 }, { transformXslt: BAD_XSLT });
  assertFailedOnce(s, /XSLT does not compile/, 'transform');
});

test('EDM schemas missing at the configured location fail the task once, also through the step-pool threads', async () => {
  const s = await runTask({ threads: 2, schemaLocation: '/nonexistent/metis-schemas' });
  assertFailedOnce(s, /Schema location not found: \/nonexistent\/metis-schemas/, 'validate-external');
});

test('a harvested record that is not XML fails with XML_PARSE, one without a ProvidedCHO id with NO_PROVIDER_ID', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metis-record-id-'));
  const db = await openPglite();
  const ports = await createMetisPorts(
    defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 'thumbs'), threads: 0 }),
  );
  try {
    const notXml = ports.ports.steps.recordId('9200', '<rdf:RDF><unclosed></rdf:RDF>', 'oai:x:1');
    assert.ok(typeof notXml !== 'string');
    assert.equal(notXml.status, 'fail');
    assert.equal(notXml.messages[0].code, 'XML_PARSE');
    assert.match(notXml.messages[0].message, /line 1/);
    const noId = ports.ports.steps.recordId(
      '9200',
      '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>',
      'oai:x:2',
    );
    assert.ok(typeof noId !== 'string');
    assert.equal(noId.messages[0].code, 'NO_PROVIDER_ID');
    assert.equal(noId.messages[0].message, 'Could not find provider ID in source.');
  } finally {
    await ports.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
