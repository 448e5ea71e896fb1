/** Link checking against a loopback HTTP server: 200, 3 redirects (ok), 4 redirects (fail), 404, refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkWithSafeFetcher, createLinkChecker } from '../../src/steps/linkcheck/index.ts';
import { createSafeFetcher } from '../../src/steps/http/safe-fetch.ts';
import { buildRecord } from '../tiers/edm-builder.ts';
import { errors } from '../../src/errors/index.ts';

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const hop = /^\/hop\/(\d+)$/.exec(url);
  if (url === '/ok') res.writeHead(200, { 'content-type': 'text/html' }).end('<html>ok</html>');
  else if (hop) {
    const left = Number(hop[1]);
    res.writeHead(302, { location: left > 1 ? `/hop/${left - 1}` : '/ok' }).end();
  } else res.writeHead(404).end('missing');
});

test('link check: 2xx and ≤ 3 redirects are fine; 4 redirects, 404 and a refused connection are warnings', async (t) => {
  const base = await listen(server);
  t.after(() => server.close());
  // A port nobody listens on: bind, read the port, close.
  const closedServer = createServer();
  const refused = await listen(closedServer);
  await new Promise((r) => closedServer.close(r));

  const checker = createLinkChecker({ fetchPolicy: { allowLoopback: true } });
  t.after(() => checker.close());
  const content = buildRecord({
    type: 'IMAGE',
    isShownAt: `${base}/ok`,
    isShownBy: `${base}/hop/3`,
    object: `${base}/hop/4`,
    hasView: [`${base}/missing`, `${refused}/x`, `${base}/ok`],
  });
  const outcome = await checker({ recordId: '/1/rec', content });
  assert.equal(outcome.status, 'warn');
  assert.equal(outcome.content, undefined); // report only
  const byUrl = new Map(outcome.data!.links.map((l) => [l.url.replace(base, '').replace(refused, 'REFUSED'), l]));
  assert.equal(byUrl.size, 5); // /ok appears twice in the record, checked once
  assert.deepEqual([byUrl.get('/ok')!.ok, byUrl.get('/ok')!.status], [true, 200]);
  assert.deepEqual(
    [byUrl.get('/hop/3')!.ok, byUrl.get('/hop/3')!.redirects, byUrl.get('/hop/3')!.status],
    [true, 3, 200],
  );
  assert.equal(byUrl.get('/hop/4')!.ok, false);
  assert.match(byUrl.get('/hop/4')!.error!, /Too many redirects/);
  assert.deepEqual([byUrl.get('/missing')!.ok, byUrl.get('/missing')!.status], [false, 404]);
  assert.match(byUrl.get('/missing')!.error!, /^Download failed of resource .*\/missing\. Status code 404/);
  assert.equal(byUrl.get('REFUSED/x')!.ok, false);
  assert.match(byUrl.get('REFUSED/x')!.error!, /ECONNREFUSED/);
  assert.deepEqual(
    outcome.messages.map((m) => m.code),
    ['LINK_CHECK_FAILED', 'LINK_CHECK_FAILED', 'LINK_CHECK_FAILED'],
  );

  const clean = await checker({
    recordId: '/1/ok',
    content: buildRecord({ type: 'IMAGE', isShownAt: `${base}/ok`, isShownBy: `${base}/hop/1` }),
  });
  assert.deepEqual([clean.status, clean.messages], ['success', []]);
});

test('link check: a record without links reports that, and isFormatOf targets are checked too', async () => {
  const seen: string[] = [];
  const checker = createLinkChecker({
    check: async (url) => (seen.push(url), { url, ok: true, status: 200, redirects: 0 }),
  });
  const none = await checker({ recordId: '/1/none', content: buildRecord({ type: 'TEXT' }) });
  assert.equal(none.status, 'success');
  assert.equal(none.messages[0].message, 'The EDM file has no resources');
  const withFormat = buildRecord({ type: 'TEXT', isShownBy: 'http://x/a' }).replace(
    '<edm:ProvidedCHO',
    '<edm:WebResource rdf:about="http://x/a"><dcterms:isFormatOf rdf:resource="http://x/b"/></edm:WebResource><edm:ProvidedCHO',
  );
  await checker({ recordId: '/1/f', content: withFormat });
  assert.deepEqual(seen, ['http://x/a', 'http://x/b']);
  const deleted = await checker({ recordId: '/1/gone', content: '', deleted: true });
  assert.deepEqual(
    [deleted.status, deleted.messages[0].message],
    ['success', 'Record deleted - no links were checked.'],
  );
  assert.equal(seen.length, 2);
  await checker.close();
});

test('link check through the host-policy fetcher: loopback refused by default, allowed when the policy says so', async (t) => {
  const local = createServer((req, res) => res.writeHead(req.url === '/ok' ? 200 : 404).end());
  const base = await listen(local);
  t.after(() => local.close());
  const content = buildRecord({ type: 'IMAGE', isShownAt: `${base}/ok`, isShownBy: `${base}/missing` });
  const strict = createSafeFetcher();
  const open = createSafeFetcher({ allowLoopback: true });
  t.after(() => Promise.all([strict.close(), open.close()]));
  const refused = await createLinkChecker({ check: checkWithSafeFetcher(strict) })({ recordId: '/1/a', content });
  assert.deepEqual(
    refused.data!.links.map((l) => l.ok),
    [false, false],
  );
  assert.match(refused.messages[0].message, /HOST_NOT_ALLOWED/);
  const allowed = await createLinkChecker({ check: checkWithSafeFetcher(open) })({ recordId: '/1/a', content });
  assert.deepEqual(
    allowed.data!.links.map((l) => [l.url.replace(base, ''), l.ok, l.status]),
    [
      ['/ok', true, 200],
      ['/missing', false, 404],
    ],
  );
  assert.equal(allowed.status, 'warn');
});

test('link check: a task error from the host gate (no slot, the database gone past the budget) fails the step, not the link', async (t) => {
  const base = await listen(server);
  t.after(() => server.close());
  const budgetSpent = errors.RETRY_BUDGET_SPENT({ what: 'a slot for requests to 127.0.0.1', budget: '3000 ms', detail: 'connect ECONNREFUSED' });
  const checker = createLinkChecker({ fetchPolicy: { allowLoopback: true, gate: () => Promise.reject(budgetSpent) } });
  t.after(() => checker.close());
  const content = buildRecord({ type: 'IMAGE', isShownAt: `${base}/ok`, isShownBy: `${base}/missing` });
  await assert.rejects(checker({ recordId: '/1/rec', content }), (err) => err === budgetSpent);
});
