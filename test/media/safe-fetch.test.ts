import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { classifyAddress } from '../../src/steps/http/address-policy.ts';
import { createSafeFetcher, FetchError } from '../../src/steps/http/safe-fetch.ts';
import { fixtureBytes, startFixtureServer, type FixtureServer } from './fixture-server.ts';

describe('safe fetcher', () => {
  let server: FixtureServer;
  const jpg = fixtureBytes('default.jpg');
  before(async () => {
    server = await startFixtureServer({
      '/default.jpg': { body: jpg, contentType: 'image/jpeg' },
      '/r1': (_req, res) => res.writeHead(302, { location: '/r2' }).end(),
      '/r2': (_req, res) => res.writeHead(301, { location: '/r3' }).end(),
      '/r3': (_req, res) => res.writeHead(307, { location: '/default.jpg' }).end(),
      '/r0': (_req, res) => res.writeHead(302, { location: '/r1' }).end(),
      '/huge': (_req, res) => {
        // Announces 1 GB, sends a little and then hangs: only a cap on the header can end this quickly.
        res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(1024 ** 3) });
        res.write(Buffer.alloc(1024));
      },
      '/slow': (_req, res) => {
        setTimeout(() => res.writeHead(200).end('late'), 5000).unref();
      },
      '/to-private': (_req, res) => res.writeHead(302, { location: 'http://10.1.2.3/x' }).end(),
    });
  });
  after(() => server.close());

  it('downloads real bytes with their content type', async () => {
    const fetcher = createSafeFetcher({ allowLoopback: true });
    const { response, body } = await fetcher.fetchBytes(server.url('/default.jpg'));
    assert.equal(response.contentType, 'image/jpeg');
    assert.equal(body.length, jpg.length);
    assert.ok(body.equals(jpg));
    await fetcher.close();
  });

  it('follows up to three redirects and reports the final URL', async () => {
    const fetcher = createSafeFetcher({ allowLoopback: true });
    const { response, body } = await fetcher.fetchBytes(server.url('/r1'));
    assert.equal(response.url, server.url('/default.jpg'));
    assert.equal(body.length, jpg.length);
    await assert.rejects(fetcher.open(server.url('/r0')), (e: FetchError) => e.code === 'TOO_MANY_REDIRECTS');
    await fetcher.close();
  });

  it('rejects 404 with the status', async () => {
    const fetcher = createSafeFetcher({ allowLoopback: true });
    await assert.rejects(
      fetcher.open(server.url('/missing')),
      (e: FetchError) => e.code === 'HTTP_STATUS' && e.status === 404,
    );
    await fetcher.close();
  });

  it('refuses a 1 GB Content-Length by the byte cap without reading it', async () => {
    const fetcher = createSafeFetcher({ allowLoopback: true, maxBytes: 10 * 1024 * 1024 });
    const started = Date.now();
    const res = await fetcher.open(server.url('/huge'));
    await assert.rejects(res.readAll(), (e: FetchError) => e.code === 'TOO_LARGE');
    // Without the cap this would wait for 1 GB that never comes (until the 20 s response timeout).
    assert.ok(Date.now() - started < 5000);
    await fetcher.close();
  });

  it('times out a slow response', async () => {
    const fetcher = createSafeFetcher({ allowLoopback: true, responseTimeoutMs: 200 });
    const started = Date.now();
    await assert.rejects(fetcher.open(server.url('/slow')), (e: FetchError) => e.code === 'TIMEOUT');
    assert.ok(Date.now() - started < 4000);
    await fetcher.close();
  });

  it('refuses loopback by default, by literal and by DNS name', async () => {
    const fetcher = createSafeFetcher();
    await assert.rejects(fetcher.open(server.url('/default.jpg')), (e: FetchError) => e.code === 'HOST_NOT_ALLOWED');
    const byName = server.url('/default.jpg').replace('127.0.0.1', 'localhost');
    await assert.rejects(fetcher.open(byName), (e: FetchError) => e.code === 'HOST_NOT_ALLOWED');
    assert.equal(server.requests.filter((p) => p === '/default.jpg').length, 2); // only the two allowed tests
    await fetcher.close();
  });

  it('refuses a redirect to a private address even when loopback is allowed', async () => {
    const fetcher = createSafeFetcher({ allowLoopback: true });
    await assert.rejects(
      fetcher.open(server.url('/to-private')),
      (e: FetchError) => e.code === 'HOST_NOT_ALLOWED' && e.url === 'http://10.1.2.3/x',
    );
    await fetcher.close();
  });

  it('applies host allow and deny lists', async () => {
    const denied = createSafeFetcher({ allowLoopback: true, deniedHosts: ['127.0.0.1'] });
    await assert.rejects(denied.open(server.url('/default.jpg')), (e: FetchError) => e.code === 'HOST_NOT_ALLOWED');
    const allowed = createSafeFetcher({ allowLoopback: true, allowedHosts: ['*.example.org'] });
    await assert.rejects(allowed.open(server.url('/default.jpg')), (e: FetchError) => e.code === 'HOST_NOT_ALLOWED');
    await assert.rejects(allowed.open('file:///etc/passwd'), (e: FetchError) => e.code === 'BAD_URL');
    await denied.close();
    await allowed.close();
  });

  it('classifies addresses', () => {
    assert.equal(classifyAddress('127.0.0.1'), 'loopback');
    assert.equal(classifyAddress('::1'), 'loopback');
    assert.equal(classifyAddress('::ffff:127.0.0.1'), 'loopback');
    assert.equal(classifyAddress('10.0.0.1'), 'private');
    assert.equal(classifyAddress('172.20.1.1'), 'private');
    assert.equal(classifyAddress('192.168.1.1'), 'private');
    assert.equal(classifyAddress('fd00::1'), 'private');
    assert.equal(classifyAddress('169.254.169.254'), 'link-local');
    assert.equal(classifyAddress('fe80::1'), 'link-local');
    assert.equal(classifyAddress('0.0.0.0'), 'reserved');
    assert.equal(classifyAddress('64:ff9b::7f00:1'), 'loopback'); // NAT64: judged by the embedded IPv4
    assert.equal(classifyAddress('8.8.8.8'), 'public');
    assert.equal(classifyAddress('2a00:1450::1'), 'public');
  });
});
