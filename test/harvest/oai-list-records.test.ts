/**
 * Harvesting with ListRecords (a source's `verb: 'ListRecords'`): the records come with the listing's
 * pages. The client gives each listed record the outcome GetRecord would have given; the pipeline
 * stores the same results as with Metis's ListIdentifiers + GetRecord, without one GetRecord request.
 * Real HTTP: the demo repository on 127.0.0.1.
 */
import { Readable } from 'node:stream';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createOaiClient } from '../../src/steps/harvest/oai/oai-client.ts';
import { parseListRecords } from '../../src/steps/harvest/oai/oai-response.ts';
import { createOaiRepositoryHandler, listenOnLoopback } from '../../src/steps/harvest/oai/demo-server.ts';
import { openPglite } from '../../src/store/db.ts';
import { startEmbedded } from '../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../../src/pipeline/ports/create-metis-ports.ts';
import { DEFAULT_STEPS } from '../../src/model/index.ts';
import { diffResults, resultRows } from '../support/pipeline-harness.ts';

/** The demo repository, counting requests per verb. */
async function repository(size: number, pageSize: number, isDeleted?: (i: number) => boolean) {
  const handler = createOaiRepositoryHandler({ size, pageSize, isDeleted });
  const verbs = new Map<string, number>();
  const server = await listenOnLoopback((req, res) => {
    const verb = new URL(req.url ?? '/', 'http://x').searchParams.get('verb') ?? '';
    verbs.set(verb, (verbs.get(verb) ?? 0) + 1);
    handler(req, res);
  });
  return { ...server, verbs };
}

test('listRecordsPage: every page with its records, each as GetRecord gives it; deleted ones marked', async () => {
  const repo = await repository(23, 5, (i) => i % 7 === 3);
  const client = createOaiClient({ retries: 0 });
  const endpoint = { baseUrl: repo.url, metadataPrefix: 'edm' };
  try {
    let token: string | undefined;
    let progress;
    const listed = [];
    let pages = 0;
    do {
      const page = await client.listRecordsPage(endpoint, token, undefined, progress);
      if (pages === 0) assert.equal(page.completeListSize, 23);
      listed.push(...page.records);
      token = page.resumptionToken;
      progress = page.progress;
      pages++;
    } while (token);
    assert.equal(pages, 5);
    assert.equal(listed.length, 23);
    assert.deepEqual([progress!.pages, progress!.records], [5, 23]);
    for (const r of listed) {
      const got = await client.fetchRecord(endpoint, r.identifier);
      if (r.deleted) {
        assert.equal(r.outcome.status, 'fail');
        assert.equal(r.outcome.messages[0]?.code, 'OAI_RECORD_DELETED');
      } else {
        assert.equal(r.outcome.status, 'success', r.identifier);
        assert.equal(r.outcome.content, got.content, `${r.identifier}: ListRecords and GetRecord give the same XML`);
        assert.deepEqual(r.outcome.data, got.data);
      }
    }
    assert.equal(listed.filter((r) => r.deleted).length, 3);
  } finally {
    await client.close();
    await repo.close();
  }
});

test('parseListRecords: namespaces inherited from the envelope, the Metis record errors, token and list size', async () => {
  const xml = `<?xml version="1.0"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
 <responseDate>2026-12-02T00:00:00Z</responseDate><request verb="ListRecords">http://x/oai</request>
 <ListRecords>
  <record><header><identifier>a</identifier><datestamp>2026-01-01</datestamp></header>
   <metadata><rdf:RDF><rdf:Description rdf:about="x">t &amp; u</rdf:Description></rdf:RDF></metadata></record>
  <record><metadata><rdf:RDF/></metadata></record>
  <record><header><identifier>c</identifier><datestamp>2026-01-02</datestamp></header>
   <metadata><rdf:RDF/><rdf:RDF/></metadata></record>
  <record><header status="deleted"><identifier>d</identifier><datestamp>2026-01-03</datestamp></header></record>
  <resumptionToken completeListSize="9" cursor="0">next-4</resumptionToken>
 </ListRecords>
</OAI-PMH>`;
  const page = await parseListRecords(Readable.from([xml]));
  assert.equal(page.records.length, 4);
  assert.equal(page.resumptionToken, 'next-4');
  assert.equal(page.completeListSize, 9);
  assert.deepEqual(
    page.headers.map((h) => [h.identifier, h.deleted]),
    [
      ['a', false],
      ['c', false],
      ['d', true],
    ],
  );
  const [a, b, c, d] = page.records;
  assert.equal(a.metadata, '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="x">t &amp; u</rdf:Description></rdf:RDF>');
  assert.equal(b.header, undefined);
  assert.equal(c.metadataChildCount, 2);
  assert.equal(d.metadata, undefined);
});

test('a task with verb ListRecords stores what ListIdentifiers + GetRecord stores, without GetRecord requests', async () => {
  const n = 30;
  const dir = mkdtempSync(join(tmpdir(), 'metis-listrecords-'));
  const repo = await repository(n, 7);
  const db = await openPglite();
  const ports = await createMetisPorts(defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 'thumbs'), allowLoopback: true }));
  const pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 3 });
  const run = async (verb?: 'ListRecords') => {
    const task = await pipeline.service.submit({
      dataset: { id: '9300', name: 'Demo', country: 'Italy', language: 'it' },
      source: { type: 'oai', url: repo.url, metadataPrefix: 'edm', ...(verb ? { verb } : {}) },
      steps: DEFAULT_STEPS.filter((s) => s !== 'media'),
    });
    const s = await pipeline.service.waitForTask(task.taskId, { timeoutMs: 300_000 });
    assert.equal(s.task.state, 'completed', `task ended ${s.task.state}: ${s.task.reason}`);
    assert.equal(s.task.terminalCount, n);
    return resultRows(db, task.taskId);
  };
  try {
    const viaGetRecord = await run();
    assert.equal(repo.verbs.get('GetRecord'), n);
    const viaListRecords = await run('ListRecords');
    assert.equal(repo.verbs.get('GetRecord'), n, 'no GetRecord request with ListRecords');
    assert.equal(repo.verbs.get('ListRecords'), Math.ceil(n / 7));
    assert.ok(viaGetRecord.size > 5 * n, `${viaGetRecord.size} result rows`);
    assert.deepEqual(diffResults(viaGetRecord, viaListRecords), []);
  } finally {
    await pipeline.stop();
    await ports.close();
    await db.close();
    await repo.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
