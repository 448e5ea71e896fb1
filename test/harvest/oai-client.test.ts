/**
 * The OAI client against the generated test repository (test/support/oai-server.ts) on 127.0.0.1:
 * many pages, injected 503/Retry-After, a response slower than the read timeout, deleted records,
 * OAI errors, record-level failures, sample size, resuming from a token.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createOaiClient, type OaiHeader, type OaiListingState } from '../../src/steps/harvest/oai/oai-client.ts';
import { demoRepositoryRecord } from '../../src/steps/harvest/oai/demo-server.ts';
import { TaskError, type StepOutcome } from '../../src/steps/outcome.ts';
import { parseXml } from '../../src/edm/xml.ts';
import { generatedIdsForRecord } from '../../src/edm/ids.ts';
import { DuplicateDetector } from '../../src/steps/harvest/duplicate-detector.ts';
import type { RetryEvent } from '../../src/steps/harvest/oai/oai-http.ts';
import { startOaiTestServer } from '../support/oai-server.ts';

const fast = { retries: 3, retryDelayMs: 1, readTimeoutMs: 2000 };

async function collect(it: AsyncIterable<OaiHeader>): Promise<OaiHeader[]> {
  const out: OaiHeader[] = [];
  for await (const h of it) out.push(h);
  return out;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: limit }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]);
      }
    }),
  );
  return out;
}

test('5,000 generated records over 100 pages: 503 + Retry-After and a too-slow page are retried, deleted headers skipped, every record fetched', async () => {
  const deleted = (i: number) => i % 997 === 0; // 0, 997, …, 4985: 6 records
  const oai = await startOaiTestServer({
    size: 5000,
    pageSize: 50,
    isDeleted: deleted,
    fault: (r) => {
      if (r.verb !== 'ListIdentifiers') return undefined;
      if (r.verbSeq === 10) return { status: 503, retryAfter: '120' }; // capped by maxRetryAfterMs below
      if (r.verbSeq === 20) return { delayMs: 1500 }; // slower than readTimeoutMs
      return undefined;
    },
  });
  const retries: RetryEvent[] = [];
  const client = createOaiClient({ ...fast, readTimeoutMs: 300, maxRetryAfterMs: 250, onRetry: (e) => retries.push(e) });
  try {
    const listing = client.listIdentifiers({ baseUrl: oai.url, metadataPrefix: 'edm' });
    const t0 = performance.now();
    const headers = await collect(listing);
    const listMs = performance.now() - t0;

    assert.equal(listing.completeListSize, 5000);
    assert.equal(headers.length, 5000 - 6);
    assert.equal(new Set(headers.map((h) => h.identifier)).size, headers.length);
    assert.ok(headers.every((h) => !h.deleted));
    assert.equal(listing.state.deletedSkipped, 6);
    assert.equal(listing.state.pagesRead, 100);
    assert.equal(oai.stats.byVerb.ListIdentifiers, 102); // 100 pages + 2 retried
    assert.equal(retries.length, 2);
    assert.match(retries[0].error.message, /503/);
    assert.equal(retries[0].delayMs, 250, 'Retry-After honoured, capped at maxRetryAfterMs');
    const gap = oai.stats.arrivals[10] - oai.stats.arrivals[9];
    assert.ok(gap >= 240, `retry after 503 waited ${gap} ms`);
    assert.equal((retries[1].error as { code?: string }).code, 'UND_ERR_HEADERS_TIMEOUT');

    const t1 = performance.now();
    const outcomes = await pool(headers, 16, (h) => client.fetchRecord({ baseUrl: oai.url, metadataPrefix: 'edm' }, h.identifier));
    const fetchMs = performance.now() - t1;
    assert.equal(outcomes.filter((o) => o.status === 'success').length, headers.length);
    const sample = outcomes[1234];
    assert.equal(sample.recordId, headers[1234].identifier);
    assert.equal(parseXml(sample.content!).root.local, 'RDF');
    console.log(
      `# OAI loopback: listed ${headers.length} headers in ${listMs.toFixed(0)} ms (incl. ~0.55 s of injected waits); ` +
        `GetRecord ${headers.length} records in ${fetchMs.toFixed(0)} ms = ${((headers.length * 1000) / fetchMs).toFixed(0)} records/s (16 in flight)`,
    );
  } finally {
    await client.close();
    await oai.close();
  }
});

test('GetRecord calls run in parallel up to the caller\'s limit (server sees the concurrency)', async () => {
  const oai = await startOaiTestServer({ size: 64, latencyMs: 20 });
  const client = createOaiClient(fast);
  try {
    const ids = Array.from({ length: 64 }, (_, i) => `oai:demo.metis-streams:record-${i}`);
    const outs = await pool(ids, 8, (id) => client.fetchRecord({ baseUrl: oai.url, metadataPrefix: 'edm' }, id));
    assert.ok(outs.every((o) => o.status === 'success'));
    assert.equal(oai.stats.maxConcurrent, 8);
    assert.ok(oai.stats.rate() > 0);
  } finally {
    await client.close();
    await oai.close();
  }
});

test('the listing reads lazily, one page at a time', async () => {
  const oai = await startOaiTestServer({ size: 1000, pageSize: 10 });
  const client = createOaiClient(fast);
  try {
    let n = 0;
    for await (const _ of client.listIdentifiers({ baseUrl: oai.url, metadataPrefix: 'edm' })) if (++n === 15) break;
    assert.equal(oai.stats.byVerb.ListIdentifiers, 2);
  } finally {
    await client.close();
    await oai.close();
  }
});

test('sample size stops the listing early; resuming from a page token replays that page', async () => {
  const oai = await startOaiTestServer({ size: 300, pageSize: 50 });
  const client = createOaiClient(fast);
  const endpoint = { baseUrl: oai.url, metadataPrefix: 'edm' };
  try {
    const sample = await collect(client.listIdentifiers(endpoint, { sampleSize: 120 }));
    assert.equal(sample.length, 120);
    assert.equal(oai.stats.byVerb.ListIdentifiers, 3);

    const states: OaiListingState[] = [];
    const all = await collect(client.listIdentifiers(endpoint, { onPage: (s) => void states.push({ ...s }) }));
    assert.equal(all.length, 300);
    assert.equal(states[0].currentPageToken, undefined);
    const third = states[2];
    assert.equal(third.completeListSize, 300);
    const resumed = await collect(client.listIdentifiers(endpoint, { resumptionToken: third.currentPageToken }));
    assert.deepEqual(resumed, all.slice(100));
  } finally {
    await client.close();
    await oai.close();
  }
});

test('Sandbox step size: every n-th header, a deleted one at a selected position moves the selection on', async () => {
  const oai = await startOaiTestServer({ size: 10, pageSize: 4, isDeleted: (i) => i === 2 });
  const client = createOaiClient(fast);
  try {
    const picked = await collect(client.listIdentifiers({ baseUrl: oai.url, metadataPrefix: 'edm' }, { stepSize: 3 }));
    assert.deepEqual(picked.map((h) => h.identifier.replace(/.*record-/, '')), ['3', '5', '8']);
    await assert.rejects(collect(client.listIdentifiers({ baseUrl: oai.url, metadataPrefix: 'edm' }, { stepSize: 11 })), /Step size value bigger than the dataset size: 10/);
  } finally {
    await client.close();
    await oai.close();
  }
});

test('listing errors are task errors: bad resumption token, bad prefix, unreachable endpoint; noRecordsMatch is an empty dataset', async () => {
  const oai = await startOaiTestServer({ size: 20 });
  const client = createOaiClient({ ...fast, retries: 1 });
  try {
    const isTask = (code: string) => (e: unknown) => e instanceof TaskError && e.code === code;
    await assert.rejects(collect(client.listIdentifiers({ baseUrl: oai.url, metadataPrefix: 'edm' }, { resumptionToken: 'expired!' })), isTask('OAI_BAD_RESUMPTION_TOKEN'));
    await assert.rejects(collect(client.listIdentifiers({ baseUrl: oai.url, metadataPrefix: 'oai_dc' })), isTask('OAI_CANNOT_DISSEMINATE_FORMAT'));

    const empty = client.listIdentifiers({ baseUrl: oai.url, metadataPrefix: 'edm', set: 'no-such-set' });
    assert.deepEqual(await collect(empty), []);
    assert.equal(empty.completeListSize, 0);

    const closed = await startOaiTestServer({ size: 1 });
    await closed.close();
    await assert.rejects(client.countRecords({ baseUrl: closed.url, metadataPrefix: 'edm' }), (e: unknown) => isTask('OAI_UNREACHABLE')(e) && /2 attempts failed/.test((e as Error).message));

    const broken = await startOaiTestServer({ size: 1, fault: () => ({ body: '<html><body>Oops</body></html>' }) });
    await assert.rejects(client.countRecords({ baseUrl: broken.url, metadataPrefix: 'edm' }), isTask('OAI_BAD_RESPONSE'));
    assert.equal(broken.stats.requests, 1, 'a malformed answer is not retried');
    await broken.close();
  } finally {
    await client.close();
    await oai.close();
  }
});

test('record errors: unknown id, two metadata children, server errors after retries; duplicates by Europeana id', async () => {
  const oai = await startOaiTestServer({
    size: 10,
    record: (i) => {
      const r = demoRepositoryRecord(i);
      if (i === 3) return { ...r, metadata: r.metadata + '<extra/>' };
      // Record 7 has the same ProvidedCHO rdf:about as record 6: the same Europeana id.
      if (i === 7) return { ...demoRepositoryRecord(6), identifier: r.identifier };
      return r;
    },
    fault: (r) => (r.params.get('identifier')?.endsWith('record-5') ? { status: 500 } : undefined),
  });
  const client = createOaiClient({ ...fast, retries: 2 });
  const endpoint = { baseUrl: oai.url, metadataPrefix: 'edm' };
  try {
    const code = (o: StepOutcome) => (o.status === 'fail' ? o.messages[0].code : 'ok');
    const unknown = await client.fetchRecord(endpoint, 'oai:nowhere:1');
    assert.equal(code(unknown), 'OAI_ID_DOES_NOT_EXIST');
    assert.match(unknown.messages[0].message, /^OAI-PMH error idDoesNotExist/);

    const small = createOaiClient({ ...fast, maxResponseBytes: 1000 });
    const big = await small.fetchRecord(endpoint, 'oai:demo.metis-streams:record-1');
    await small.close();
    assert.equal(code(big), 'OAI_BAD_RESPONSE');
    assert.match(big.messages[0].message, /Response larger than 1000 bytes/);

    const two = await client.fetchRecord(endpoint, 'oai:demo.metis-streams:record-3');
    assert.equal(code(two), 'OAI_MULTIPLE_METADATA');
    assert.equal(two.messages[0].message, 'More than one XML!');

    const before = oai.stats.byVerb.GetRecord;
    const five = await client.fetchRecord(endpoint, 'oai:demo.metis-streams:record-5');
    assert.equal(code(five), 'OAI_GET_RECORD_FAILED');
    assert.match(five.messages[0].message, /3 attempts failed: HTTP status 500/);
    assert.equal(oai.stats.byVerb.GetRecord - before, 3);

    const detector = new DuplicateDetector();
    const verdicts: string[] = [];
    for (const i of [6, 7, 6]) {
      const id = `oai:demo.metis-streams:record-${i}`;
      const rec = await client.fetchRecord(endpoint, id);
      const europeanaId = generatedIdsForRecord('42', rec.content!).europeanaId;
      verdicts.push(code(detector.check(id, europeanaId) ?? { status: 'success', recordId: id, messages: [] }));
    }
    assert.deepEqual(verdicts, ['ok', 'DUPLICATE_RECORD', 'DUPLICATE_RECORD']);
    assert.equal(detector.size, 1);
    assert.equal(new DuplicateDetector(detector.entries()).check('x', '/42/URN_NBN_DEMO_doc_1_6')?.messages[0].message, 'Duplicate detected');
  } finally {
    await client.close();
    await oai.close();
  }
});

test('namespaces declared on the OAI envelope are copied onto the extracted record', async () => {
  const body =
    '<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:unused="urn:unused">' +
    '<GetRecord><record><header><identifier>x</identifier><datestamp>2020-01-01</datestamp></header><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">' +
    '<rdf:RDF><edm:ProvidedCHO rdf:about="a&amp;b"><dc:title>T &lt; 2</dc:title><empty/></edm:ProvidedCHO><!--c--></rdf:RDF></metadata></record></GetRecord></OAI-PMH>';
  const oai = await startOaiTestServer({ size: 1, fault: () => ({ body }) });
  const client = createOaiClient(fast);
  try {
    const out = await client.fetchRecord({ baseUrl: oai.url, metadataPrefix: 'edm' }, 'x');
    // `unused` is not copied; the OAI default namespace is, because <empty/> is in it.
    assert.equal(
      out.content,
      '<rdf:RDF xmlns="http://www.openarchives.org/OAI/2.0/" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:dc="http://purl.org/dc/elements/1.1/">' +
        '<edm:ProvidedCHO rdf:about="a&amp;b"><dc:title>T &lt; 2</dc:title><empty/></edm:ProvidedCHO><!--c--></rdf:RDF>',
    );
    assert.equal(parseXml(out.content!).root.children.length, 2);
  } finally {
    await client.close();
    await oai.close();
  }
});

test('a body that stalls mid-way and a reset connection are retried; bad parameters are task errors', async () => {
  const oai = await startOaiTestServer({
    size: 30,
    pageSize: 10,
    fault: (r) => (r.verb === 'ListIdentifiers' && r.verbSeq === 2 ? { stallBody: '<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListIdentifiers>' } : r.verbSeq === 4 ? { reset: true } : undefined),
  });
  const retries: RetryEvent[] = [];
  const client = createOaiClient({ ...fast, readTimeoutMs: 200, onRetry: (e) => retries.push(e) });
  try {
    const headers = await collect(client.listIdentifiers({ baseUrl: oai.url, metadataPrefix: 'edm' }));
    assert.equal(headers.length, 30);
    assert.deepEqual(retries.map((r) => (r.error as { code?: string }).code), ['UND_ERR_BODY_TIMEOUT', 'UND_ERR_SOCKET']);
    const bad = (e: unknown) => e instanceof TaskError && e.code === 'OAI_BAD_PARAMETERS' && /from/.test(e.message);
    assert.throws(() => client.listIdentifiers({ baseUrl: oai.url, metadataPrefix: 'edm', from: 'yesterday' }), bad);
    await assert.rejects(client.fetchRecord({ baseUrl: 'not a url', metadataPrefix: 'edm' }, 'x'), (e: unknown) => e instanceof TaskError && e.code === 'OAI_BAD_PARAMETERS');
  } finally {
    await client.close();
    await oai.close();
  }
});

test('cancelling: an abort signal stops a listing even while it waits between retries', async () => {
  const oai = await startOaiTestServer({ size: 100, pageSize: 10, fault: (r) => (r.verbSeq >= 3 ? { status: 500 } : undefined) });
  const client = createOaiClient({ retries: 3, retryDelayMs: 60_000 });
  const ac = new AbortController();
  try {
    let n = 0;
    const t0 = performance.now();
    await assert.rejects(
      (async () => {
        for await (const _ of client.listIdentifiers({ baseUrl: oai.url, metadataPrefix: 'edm' }, { signal: ac.signal, onPage: (s) => void (s.pagesRead === 2 && setImmediate(() => ac.abort())) })) n++;
      })(),
      (e: unknown) => (e as Error).name === 'AbortError',
    );
    assert.equal(n, 20);
    assert.ok(performance.now() - t0 < 5000);
  } finally {
    await client.close();
    await oai.close();
  }
});
