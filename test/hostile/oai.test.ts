/**
 * OAI-PMH harvesting against hostile servers (issue #12, rows 3, 9 and 12): real loopback servers
 * serving generated answers (support/oai-hostile-server.ts). Each case names its outcome: a task
 * error with its code, a record failure or warning, and bounded requests and time.
 *
 * A server that would loop for ever answers `badResumptionToken` after GUARD requests, so code
 * without the bound under test ends with another error (and the test fails) instead of hanging.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import {
  createOaiClient,
  OaiClientOptionsSchema,
  type OaiClient,
  type OaiClientOptions,
} from '../../src/steps/harvest/oai/oai-client.ts';
import type { ListingProgress } from '../../src/steps/harvest/oai/oai-listing.ts';
import type { RetryEvent } from '../../src/steps/harvest/oai/oai-http.ts';
import { isMetisError } from '../../src/errors/index.ts';
import {
  getRecord,
  listPage,
  oaiError,
  pageIdentifiers,
  recordMetadata,
  sendXml,
  startHostileServer,
  type HostileHandler,
  type HostileServer,
} from './support/oai-hostile-server.ts';

const GUARD = 200;

/** Fast clients: no back-off waits unless a test asks for them. */
function client(extra: OaiClientOptions = {}): OaiClient {
  return createOaiClient({ retries: 0, retryDelayMs: 0, ...extra });
}

async function withServer(handler: HostileHandler, fn: (s: HostileServer) => Promise<void>): Promise<void> {
  const server = await startHostileServer(handler);
  try {
    await fn(server);
  } finally {
    await server.close();
  }
}

/** Lists every header with the in-memory listing; returns the error it ends with (or undefined). */
async function listAll(c: OaiClient, url: string): Promise<{ headers: number; error?: unknown }> {
  let headers = 0;
  try {
    for await (const _ of c.listIdentifiers({ baseUrl: url, metadataPrefix: 'edm' })) headers++;
    return { headers };
  } catch (error) {
    return { headers, error };
  }
}

/** Lists page by page as the pipeline does (one `listPage` per command, progress carried along). */
async function listByPages(c: OaiClient, url: string): Promise<{ pages: number; error?: unknown }> {
  let token: string | undefined;
  let progress: ListingProgress = { pages: 0, records: 0 };
  let pages = 0;
  try {
    do {
      const page = await c.listPage({ baseUrl: url, metadataPrefix: 'edm' }, token, undefined, progress);
      pages++;
      token = page.resumptionToken;
      progress = page.progress;
    } while (token);
    return { pages };
  } catch (error) {
    return { pages, error };
  }
}

function assertCode(err: unknown, code: string): void {
  assert.ok(isMetisError(err), `expected a catalogue error ${code}, got ${String(err)}`);
  assert.equal((err as { code: string }).code, code, (err as Error).message);
  assert.equal((err as { kind: string }).kind, 'task');
}

/** A listing whose page with token `t` (undefined: the first) answers `next(t)`. */
function tokenServer(next: (token: string | undefined, seq: number) => string | undefined): HostileHandler {
  return (req, res) => {
    if (req.seq > GUARD) return sendXml(res, oaiError('badResumptionToken', 'guard: too many requests'));
    const token = req.params.get('resumptionToken') ?? undefined;
    sendXml(res, listPage(pageIdentifiers(req.seq, 3), next(token, req.seq)));
  };
}

test('row 3: tokens alternating A→B→A end the listing with OAI_TOKEN_LOOP (in memory and page by page)', async () => {
  const aba = tokenServer((t) => (t === 'A' ? 'B' : 'A'));
  await withServer(aba, async (s) => {
    const c = client();
    const r = await listAll(c, s.url);
    assertCode(r.error, 'OAI_TOKEN_LOOP');
    assert.equal(s.requests.length, 3, 'first page, A, B: then A again is refused before it is requested');
    await c.close();
  });
  // A longer cycle, entered late: first → t1 … t5 → t3 → t4 → t5 → t3 …, as the pipeline lists it.
  const cycle = tokenServer((t) => {
    const n = t === undefined ? 0 : Number(t.slice(1));
    return `t${n === 5 ? 3 : n + 1}`;
  });
  await withServer(cycle, async (s) => {
    const c = client();
    const r = await listByPages(c, s.url);
    assertCode(r.error, 'OAI_TOKEN_LOOP');
    assert.ok(s.requests.length <= 16, `bounded by Brent's mark: ${s.requests.length} requests`);
    await c.close();
  });
});

test('row 3: a token new on every page (with or without headers) stops at the page cap: OAI_TOO_MANY_PAGES', async () => {
  const endless = tokenServer((_t, seq) => `fresh-${seq}-${'x'.repeat(seq % 7)}`);
  await withServer(endless, async (s) => {
    const c = client({ maxPages: 40 });
    const r = await listAll(c, s.url);
    assertCode(r.error, 'OAI_TOO_MANY_PAGES');
    assert.match((r.error as Error).message, /40 pages/);
    assert.equal(s.requests.length, 40);
    await c.close();
  });
  const emptyPages: HostileHandler = (req, res) => {
    if (req.seq > GUARD) return sendXml(res, oaiError('badResumptionToken', 'guard'));
    sendXml(res, listPage([], `empty-${req.seq}`));
  };
  await withServer(emptyPages, async (s) => {
    const c = client({ maxPages: 25 });
    const r = await listByPages(c, s.url);
    assertCode(r.error, 'OAI_TOO_MANY_PAGES');
    assert.equal(s.requests.length, 25);
    await c.close();
  });
  assert.equal(OaiClientOptionsSchema.parse({}).maxPages, 100_000);
  assert.equal(OaiClientOptionsSchema.parse({}).maxRecords, 1_000_000);
});

test('row 3: more headers than the record cap: OAI_TOO_MANY_RECORDS', async () => {
  const big: HostileHandler = (req, res) => {
    if (req.seq > GUARD) return sendXml(res, oaiError('badResumptionToken', 'guard'));
    sendXml(res, listPage(pageIdentifiers(req.seq, 50), req.seq < 10 ? `p${req.seq}` : undefined));
  };
  await withServer(big, async (s) => {
    const c = client({ maxRecords: 120 });
    const r = await listByPages(c, s.url);
    assertCode(r.error, 'OAI_TOO_MANY_RECORDS');
    assert.equal(s.requests.length, 3, '150 headers read > 120');
    await c.close();
  });
});

test('row 12: a 10 MB resumption token is a task error and is never sent back in a URL', async () => {
  const huge = 'T'.repeat(10 * 1024 * 1024);
  await withServer(
    (req, res) => sendXml(res, listPage(pageIdentifiers(req.seq, 2), req.seq === 1 ? huge : undefined)),
    async (s) => {
      const c = client({ retries: 2 });
      const r = await listAll(c, s.url);
      assertCode(r.error, 'OAI_TOKEN_TOO_LONG');
      assert.equal(s.requests.length, 1);
      assert.ok(s.requests.every((q) => q.urlLength < 1000));
      await c.close();
    },
  );
});

test('row 9: an OAI server trickling its body is cut by the total request deadline', { timeout: 60_000 }, async () => {
  const timers = new Set<NodeJS.Timeout>();
  await withServer(
    (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.write('<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/">');
      // One space every 100 ms, for ever: each gap is far below the read timeout.
      const t = setInterval(() => res.write(' '), 100);
      timers.add(t);
      res.on('close', () => clearInterval(t));
    },
    async (s) => {
      const c = client({ requestTimeoutMs: 1500, readTimeoutMs: 20_000, retries: 1 });
      const started = performance.now();
      // The test's own bound: without a request deadline this aborts instead (and the assertions fail).
      const signal = AbortSignal.timeout(20_000);
      const r = await c.listPage({ baseUrl: s.url, metadataPrefix: 'edm' }, undefined, signal).then(
        () => undefined,
        (e: unknown) => e,
      );
      const elapsed = performance.now() - started;
      assertCode(r, 'OAI_UNREACHABLE');
      assert.match((r as Error).message, /no complete response within 1500 ms/);
      assert.equal(s.requests.length, 2, 'one retry');
      assert.ok(elapsed < 15_000, `${elapsed} ms`);
      // A GetRecord is cut the same way: that record fails, nothing hangs.
      const rec = await c.fetchRecord({ baseUrl: s.url, metadataPrefix: 'edm' }, 'oai:x:1', signal);
      assert.equal(rec.status, 'fail');
      assert.match(rec.messages[0].message, /no complete response/);
      await c.close();
    },
  );
  for (const t of timers) clearInterval(t);
});

test('row 9: Retry-After: 100000 is capped and every wait is reported with what the server asked', async () => {
  await withServer(
    (req, res) => {
      if (req.seq <= 2) {
        res.writeHead(503, { 'retry-after': '100000' });
        return res.end('busy');
      }
      sendXml(res, listPage(pageIdentifiers(1, 2)));
    },
    async (s) => {
      const events: RetryEvent[] = [];
      const c = client({ retries: 3, maxRetryAfterMs: 300, onRetry: (e) => events.push(e) });
      const started = performance.now();
      const page = await c.listPage({ baseUrl: s.url, metadataPrefix: 'edm' }, undefined);
      assert.equal(page.headers.length, 2);
      assert.ok(performance.now() - started < 10_000);
      assert.equal(events.length, 2);
      for (const e of events) {
        assert.equal(e.retryAfterMs, 100_000_000);
        assert.equal(e.delayMs, 300);
      }
      await c.close();
    },
  );
  assert.equal(OaiClientOptionsSchema.parse({}).maxRetryAfterMs, 60_000);
});

test('row 12: a GetRecord answering another identifier keeps the record with an OAI_IDENTIFIER_MISMATCH warning', async () => {
  await withServer(
    (req, res) => {
      const asked = req.params.get('identifier') ?? '';
      sendXml(res, getRecord(asked === 'oai:x:honest' ? asked : 'oai:x:someone-else'));
    },
    async (s) => {
      const c = client();
      const ep = { baseUrl: s.url, metadataPrefix: 'edm' };
      const bad = await c.fetchRecord(ep, 'oai:x:asked');
      assert.equal(bad.status, 'warn');
      assert.equal(bad.messages[0].code, 'OAI_IDENTIFIER_MISMATCH');
      assert.match(bad.messages[0].message, /oai:x:asked.*oai:x:someone-else/);
      assert.ok(bad.content?.includes('oai:x:someone-else'));
      const good = await c.fetchRecord(ep, 'oai:x:honest');
      assert.equal(good.status, 'success');
      assert.deepEqual(good.messages, []);
      await c.close();
    },
  );
});

test('row 12: gzip, deflate (zlib and raw) and br bodies are decoded', async () => {
  const encoders: Record<string, (b: Buffer) => Buffer> = {
    gzip: gzipSync,
    deflate: deflateSync,
    'deflate-raw': deflateRawSync,
    br: brotliCompressSync,
  };
  await withServer(
    (req, res) => {
      const enc = req.path.slice(1);
      const body = Buffer.from(
        req.verb === 'GetRecord' ? getRecord(req.params.get('identifier') ?? '') : listPage(pageIdentifiers(1, 5)),
      );
      sendXml(res, encoders[enc](body), { 'content-encoding': enc === 'deflate-raw' ? 'deflate' : enc });
    },
    async (s) => {
      const c = client();
      for (const enc of Object.keys(encoders)) {
        const ep = { baseUrl: `${s.origin}/${enc}`, metadataPrefix: 'edm' };
        const page = await c.listPage(ep, undefined);
        assert.equal(page.headers.length, 5, enc);
        const rec = await c.fetchRecord(ep, 'oai:x:1');
        assert.equal(rec.status, 'success', `${enc}: ${JSON.stringify(rec.messages)}`);
        assert.equal(rec.content?.includes('oai:x:1'), true);
      }
      await c.close();
    },
  );
});

test('row 12: a gzip bomb stops at the byte cap on the inflated size (memory bounded); a corrupt gzip fails the record', async () => {
  // 64 MiB of spaces inside the metadata compress to ~64 KiB.
  const inflated = Buffer.concat([
    Buffer.from(getRecord('oai:x:bomb', recordMetadata('oai:x:bomb')).replace('<metadata>', '<metadata>')),
  ]);
  const open = inflated.subarray(0, inflated.indexOf('<metadata>') + 10);
  const bomb = gzipSync(Buffer.concat([open, Buffer.alloc(64 * 1024 * 1024, 0x20)]), { level: 9 });
  assert.ok(bomb.length < 1024 * 1024);
  await withServer(
    (req, res) => {
      if (req.path === '/corrupt') return sendXml(res, Buffer.from('not gzip at all'), { 'content-encoding': 'gzip' });
      sendXml(res, bomb, { 'content-encoding': 'gzip' });
    },
    async (s) => {
      const c = client({ maxResponseBytes: 2 * 1024 * 1024 });
      const before = process.memoryUsage().rss;
      const rec = await c.fetchRecord({ baseUrl: s.url, metadataPrefix: 'edm' }, 'oai:x:bomb');
      const grown = process.memoryUsage().rss - before;
      assert.equal(rec.status, 'fail');
      assert.equal(rec.messages[0].code, 'OAI_BAD_RESPONSE');
      assert.match(rec.messages[0].message, /larger than 2097152 bytes/);
      assert.ok(grown < 48 * 1024 * 1024, `rss grew ${grown} bytes`);
      const corrupt = await c.fetchRecord({ baseUrl: `${s.origin}/corrupt`, metadataPrefix: 'edm' }, 'oai:x:1');
      assert.equal(corrupt.status, 'fail');
      assert.match(corrupt.messages[0].message, /Cannot decode the gzip response/);
      await c.close();
    },
  );
});

test('row 12: redirects are followed (bounded), each hop to another host checked by the address policy', async () => {
  await withServer(
    (req, res) => {
      if (req.path === '/old') {
        res.writeHead(301, { location: `/oai?${req.params.toString()}` });
        return res.end();
      }
      if (req.path === '/loop') {
        res.writeHead(302, { location: `/loop?n=${req.seq}` });
        return res.end();
      }
      sendXml(res, listPage(pageIdentifiers(1, 4)));
    },
    async (s) => {
      const c = client();
      const page = await c.listPage({ baseUrl: `${s.origin}/old`, metadataPrefix: 'edm' }, undefined);
      assert.equal(page.headers.length, 4);
      const before = s.requests.length;
      const loop = await c.listPage({ baseUrl: `${s.origin}/loop`, metadataPrefix: 'edm' }, undefined).then(
        () => undefined,
        (e: unknown) => e,
      );
      assertCode(loop, 'OAI_BAD_RESPONSE');
      assert.match((loop as Error).message, /More than 5 redirects/);
      assert.equal(s.requests.length - before, 6);
      await c.close();
    },
  );

  // A provider redirecting to cloud metadata, to another loopback port, or to a name that resolves to loopback.
  const target = await startHostileServer((_req, res) => sendXml(res, listPage(pageIdentifiers(9, 1))));
  try {
    await withServer(
      (req, res) => {
        const to: Record<string, string> = {
          '/metadata': 'http://169.254.169.254/latest/meta-data/',
          '/other-port': `${target.origin}/oai`,
          '/by-name': `http://localhost:${target.port}/oai`,
          '/ftp': 'ftp://example.org/records',
        };
        res.writeHead(302, { location: to[req.path] });
        res.end();
      },
      async (s) => {
        const c = client();
        for (const path of ['/metadata', '/other-port', '/by-name', '/ftp']) {
          const rec = await c.fetchRecord({ baseUrl: `${s.origin}${path}`, metadataPrefix: 'edm' }, 'oai:x:1');
          assert.equal(rec.status, 'fail', path);
          assert.match(rec.messages[0].message, /refused|unsupported protocol/i, path);
        }
        assert.equal(target.requests.length, 0, 'nothing reached the refused targets');
        await c.close();
        // With loopback allowed by the policy, the same redirect is followed.
        const open = client({ redirectPolicy: { allowLoopback: true } });
        const ok = await open.listPage({ baseUrl: `${s.origin}/by-name`, metadataPrefix: 'edm' }, undefined);
        assert.equal(ok.headers.length, 1);
        await open.close();
      },
    );
  } finally {
    await target.close();
  }
});
