/**
 * The pipeline's OAI listing (ListIdentifiers pages, a few per `list` command, its progress carried in
 * the command) against hostile servers (issue #12, rows 3 and 12): a token cycle and an endless
 * listing fail the task once with their reason; a GetRecord answering another identifier is kept
 * with a warning in the task's report. Embedded runtime, PGlite, loopback servers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPglite } from '../../src/store/db.ts';
import { startEmbedded } from '../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../../src/pipeline/ports/create-metis-ports.ts';
import {
  getRecord,
  listPage,
  oaiError,
  pageIdentifiers,
  sendXml,
  startHostileServer,
  type HostileHandler,
} from './support/oai-hostile-server.ts';

const GUARD = 300;

async function runTask(handler: HostileHandler, datasetId: string) {
  const server = await startHostileServer(handler);
  const dir = mkdtempSync(join(tmpdir(), 'metis-hostile-oai-'));
  const db = await openPglite();
  const ports = await createMetisPorts({
    ...defaultMetisConfig({
      db,
      cacheDir: join(dir, 'c'),
      thumbnailDir: join(dir, 't'),
      allowLoopback: true,
      threads: 0,
    }),
    oai: { retries: 0, retryDelayMs: 0, maxPages: 30 },
  });
  const pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 2 });
  try {
    const task = await pipeline.service.submit({
      dataset: { id: datasetId, name: 'Hostile', country: 'Italy', language: 'it' },
      source: { type: 'oai', url: server.url, metadataPrefix: 'edm' },
      steps: ['harvest'],
    });
    const status = await pipeline.service.waitForTask(task.taskId, { timeoutMs: 50_000 });
    return { status, requests: server.requests };
  } finally {
    await pipeline.stop();
    await ports.close();
    await db.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Listing pages answer `next(token)`; GetRecord answers the identifier asked for. */
function listing(next: (token: string | undefined, seq: number) => string | undefined): HostileHandler {
  return (req, res) => {
    if (req.verb === 'GetRecord') return sendXml(res, getRecord(req.params.get('identifier') ?? ''));
    if (req.seq > GUARD) return sendXml(res, oaiError('badResumptionToken', 'guard: too many requests'));
    const token = req.params.get('resumptionToken') ?? undefined;
    sendXml(res, listPage(pageIdentifiers(req.seq, 2), next(token, req.seq)));
  };
}

test('row 3, pipeline: tokens A→B→A fail the task with OAI_TOKEN_LOOP', { timeout: 60_000 }, async () => {
  const { status, requests } = await runTask(
    listing((t) => (t === 'A' ? 'B' : 'A')),
    'h1',
  );
  assert.equal(status.task.state, 'failed');
  assert.match(status.task.reason ?? '', /same resumption token twice: [AB]$/);
  assert.ok(requests.filter((r) => r.verb === 'ListIdentifiers').length <= 4);
});

test('row 3, pipeline: a fresh token on every page stops at oaiMaxPages (30)', { timeout: 60_000 }, async () => {
  const { status, requests } = await runTask(
    listing((_t, seq) => `new-${seq}`),
    'h2',
  );
  assert.equal(status.task.state, 'failed');
  assert.match(status.task.reason ?? '', /limit of 30 pages/);
  assert.equal(requests.filter((r) => r.verb === 'ListIdentifiers').length, 30);
});

test(
  'row 12, pipeline: a GetRecord answering another identifier is harvested with a warning',
  { timeout: 60_000 },
  async () => {
    const handler: HostileHandler = (req, res) => {
      if (req.verb === 'GetRecord') {
        const asked = req.params.get('identifier') ?? '';
        return sendXml(res, getRecord(asked.endsWith('-0') ? `${asked}-other` : asked));
      }
      sendXml(res, listPage(pageIdentifiers(1, 4)));
    };
    const { status } = await runTask(handler, 'h3');
    assert.equal(status.task.state, 'completed', status.task.reason ?? '');
    const harvest = status.progress.find((p) => p.step === 'harvest');
    assert.equal(harvest?.warn, 1);
    assert.equal(harvest?.success, 3);
    const warning = status.errors.find((e) => e.level === 'warn');
    assert.match(warning?.message ?? '', /GetRecord for oai:hostile:1-0 returned the record oai:hostile:1-0-other/);
  },
);
