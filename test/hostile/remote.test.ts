/**
 * Hostile remote resources (issue #12, rows 9 (media), 10, 11): addresses that hide an internal
 * IPv4 address in an IPv6 form, records whose links point at internal services, the loopback
 * permission, a media server trickling its body, a 503 asking to wait 27 hours, and a host that is
 * down for every one of a record's (or a task's) resources. Real servers on 127.0.0.1 (generated
 * in test/hostile/support/remote-servers.ts); each test asserts outcomes and what the servers saw.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { classifyAddress, isAddressAllowed } from '../../src/steps/http/address-policy.ts';
import { createSafeFetcher, FetchError } from '../../src/steps/http/safe-fetch.ts';
import { createLinkChecker } from '../../src/steps/linkcheck/index.ts';
import { createMediaProcessor } from '../../src/steps/media/media-processor.ts';
import { createMemoryThumbnailStore } from '../../src/steps/media/thumbnail-store.ts';
import { buildLateSteps } from '../../src/pipeline/ports/late-step-ports.ts';
import { createMetisPorts, defaultMetisConfig } from '../../src/pipeline/ports/create-metis-ports.ts';
import { openPglite } from '../../src/store/db.ts';
import type { TaskRow } from '../../src/store/pipeline-store.ts';
import { loadConfig } from '../../src/cli/config/load.ts';
import { metisConfigFrom } from '../../src/cli/processing.ts';
import { buildRecord } from '../tiers/edm-builder.ts';
import { embeddings, internalUrls, IPV4_CASES, IPV6_CASES, ISSUE_CASES } from './support/remote-addresses.ts';
import {
  closedPort,
  startServer,
  startSilentServer,
  trickle,
  unavailable,
  type CountingServer,
} from './support/remote-servers.ts';

const task = { taskId: 'hostile-remote', datasetId: '12', spec: { params: {} } } as unknown as TaskRow;
const isFetchError = (code: string) => (e: unknown) => e instanceof FetchError && e.code === code;

describe('address classification: IPv4 hidden in IPv6 is judged by the IPv4 address', () => {
  it('classes the three addresses of the issue as internal', () => {
    for (const [address, kind] of ISSUE_CASES) assert.equal(classifyAddress(address), kind, address);
  });

  it('classes each IPv4 address, and every IPv6 form embedding it, alike (internal and public)', () => {
    let checked = 0;
    for (const [ip, kind] of IPV4_CASES) {
      assert.equal(classifyAddress(ip), kind, ip);
      for (const { form, address } of embeddings(ip)) {
        assert.equal(classifyAddress(address), kind, `${form} ${address} (${ip})`);
        checked++;
      }
    }
    assert.equal(checked, IPV4_CASES.length * 12);
  });

  it('classes plain IPv6 addresses and local-use NAT64', () => {
    for (const [address, kind] of IPV6_CASES) assert.equal(classifyAddress(address), kind, address);
  });

  it('the loopback permission opens loopback in every spelling, and never private, link-local or reserved', () => {
    const all = [
      ...IPV4_CASES,
      ...IPV6_CASES,
      ...IPV4_CASES.flatMap(([ip, kind]) => embeddings(ip).map((e) => [e.address, kind] as const)),
    ];
    for (const [address, kind] of all) {
      const expected = kind === 'public' || kind === 'loopback';
      assert.equal(isAddressAllowed(address, { allowLoopback: true }), expected, `${address} (${kind})`);
      assert.equal(isAddressAllowed(address, {}), kind === 'public', `${address} (${kind}) by default`);
    }
  });
});

describe('internal addresses are refused before connecting', () => {
  let server: CountingServer;
  before(async () => {
    server = await startServer((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('secret'));
  });
  after(() => server.close());

  it('the safe fetcher refuses every internal spelling; with loopback allowed, only loopback ones pass', async () => {
    const strict = createSafeFetcher();
    const loopback = createSafeFetcher({ allowLoopback: true });
    try {
      for (const url of internalUrls(server.port))
        await assert.rejects(strict.open(url), isFetchError('HOST_NOT_ALLOWED'), url);
      assert.equal(server.connections, 0, 'no connection reached the server');
      const notLoopback = (u: string) => {
        const host = new URL(u).hostname;
        return host !== 'localhost' && classifyAddress(host) !== 'loopback';
      };
      for (const url of internalUrls(server.port).filter(notLoopback))
        await assert.rejects(loopback.open(url), isFetchError('HOST_NOT_ALLOWED'), `${url} with allowLoopback`);
      const ok = await loopback.open(`${server.base}/ok`);
      ok.discard();
      assert.deepEqual(server.requests, ['/ok']);
    } finally {
      await Promise.all([strict.close(), loopback.close()]);
    }
  });

  it('link checking (the step and the pipeline port) refuses a record linking to internal addresses', async () => {
    const urls = internalUrls(server.port);
    const content = buildRecord({ type: 'TEXT', isShownAt: urls[0], hasView: urls.slice(1) }, '/12/ssrf');
    const checker = createLinkChecker();
    const db = await openPglite();
    const late = await buildLateSteps({ db, allowLoopback: false });
    const connections = server.connections;
    try {
      for (const check of [checker, await late.forTask(task, 'linkcheck')]) {
        const outcome = await check({ recordId: '/12/ssrf', content });
        assert.equal(outcome.status, 'warn');
        const links = (outcome.data as { links: Array<{ url: string; ok: boolean; error?: string }> }).links;
        assert.equal(links.length, urls.length);
        for (const l of links) {
          assert.equal(l.ok, false, l.url);
          assert.match(l.error!, /HOST_NOT_ALLOWED/, l.url);
        }
      }
      assert.equal(server.connections, connections, 'the loopback server saw no connection');
    } finally {
      await checker.close();
      await late.close();
      await db.close();
    }
  });

  it('the loopback permission of the pipeline opens loopback only, for link checking and media', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hostile-remote-'));
    const db = await openPglite();
    const late = await buildLateSteps({ db, allowLoopback: true });
    const ports = await createMetisPorts(
      defaultMetisConfig({
        db,
        cacheDir: join(dir, 'c'),
        thumbnailDir: join(dir, 't'),
        allowLoopback: true,
        threads: 0,
      }),
    );
    const before = server.requests.length;
    try {
      const internal = [
        'http://10.255.255.1/a.jpg',
        'http://169.254.169.254/latest/meta-data/',
        'http://[fd00::1]/b.jpg',
      ];
      const content = buildRecord({ type: 'IMAGE', isShownAt: `${server.base}/landing`, hasView: internal }, '/12/lo');
      const linkcheck = await (await late.forTask(task, 'linkcheck'))({ recordId: '/12/lo', content });
      const links = (linkcheck.data as { links: Array<{ url: string; ok: boolean; error?: string }> }).links;
      assert.deepEqual(
        links.map((l) => [l.url, l.ok]),
        [[`${server.base}/landing`, true], ...internal.map((u) => [u, false])],
      );
      for (const l of links.slice(1)) assert.match(l.error!, /HOST_NOT_ALLOWED/);
      const media = await (await ports.ports.steps.forTask(task, 'media'))({ recordId: '/12/lo', content });
      assert.deepEqual(
        media.messages.map((m) => m.message),
        internal.map((u) => `Problem while processing ${u} (HOST_NOT_ALLOWED)`),
      );
      assert.deepEqual(server.requests.slice(before), ['/landing', '/landing']);
    } finally {
      await ports.close();
      await late.close();
      await db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a resource has a total deadline; a 503 is never waited on', () => {
  let slow: CountingServer;
  let busy: CountingServer;
  before(async () => {
    slow = await startServer(trickle(200));
    busy = await startServer(unavailable);
  });
  after(() => Promise.all([slow.close(), busy.close()]));

  it('defaults: 60 s per media resource (not 600 s), 20 s per link', () => {
    const fetcher = createSafeFetcher();
    assert.equal(fetcher.policy.totalTimeoutMs, 60_000);
    return fetcher.close();
  });

  it('cuts a body trickled one byte at a time at the deadline, though no gap reaches the response timeout', async () => {
    const fetcher = createSafeFetcher({ allowLoopback: true, totalTimeoutMs: 1_500 });
    const started = Date.now();
    try {
      const res = await fetcher.open(`${slow.base}/trickle.jpg`);
      await assert.rejects(res.readAll(), isFetchError('TIMEOUT'));
      const took = Date.now() - started;
      assert.ok(took >= 1_400 && took < 15_000, `cut after ${took} ms`);
    } finally {
      await fetcher.close();
    }
  });

  it('media: the trickled resource and the 503 with Retry-After 100000 are warnings naming their cause', async () => {
    const media = createMediaProcessor({
      fetchPolicy: { allowLoopback: true, allowedHosts: ['127.0.0.1'] },
      timeouts: { totalMs: 1_500 },
      thumbnailStore: createMemoryThumbnailStore(),
    });
    const content = buildRecord(
      { type: 'IMAGE', isShownBy: `${slow.base}/trickle.jpg`, hasView: [`${busy.base}/busy.jpg`] },
      '/12/slow',
    );
    const started = Date.now();
    try {
      const outcome = await media({ recordId: '/12/slow', content });
      assert.ok(Date.now() - started < 15_000);
      assert.equal(outcome.status, 'warn');
      assert.deepEqual(
        outcome.messages.map((m) => m.message),
        [
          `Problem while processing ${slow.base}/trickle.jpg (TIMEOUT)`,
          `Problem while processing ${busy.base}/busy.jpg (HTTP_STATUS 503)`,
        ],
      );
      assert.equal(busy.requests.length, 1, 'the 503 is not retried');
    } finally {
      await media.close();
    }
  });
});

describe('the media deadline is a setting', () => {
  it('METIS_MEDIA_TIMEOUT_MS (default 60 000) reaches the media step of the pipeline', async () => {
    const slow = await startServer(trickle(200));
    const dir = mkdtempSync(join(tmpdir(), 'hostile-remote-'));
    const load = (env: Record<string, string>) => loadConfig({ command: 'run', args: [], env, cwd: dir }).config;
    assert.equal(load({}).mediaTimeoutMs, 60_000);
    const config = load({ METIS_MEDIA_TIMEOUT_MS: '1500', METIS_ALLOW_LOOPBACK: '1' });
    const db = await openPglite();
    const ports = await createMetisPorts({ ...metisConfigFrom(config, db), threads: 0 });
    try {
      const content = buildRecord({ type: 'IMAGE', isShownBy: `${slow.base}/trickle.jpg` }, '/12/setting');
      const started = Date.now();
      const outcome = await (await ports.ports.steps.forTask(task, 'media'))({ recordId: '/12/setting', content });
      const took = Date.now() - started;
      assert.deepEqual(
        outcome.messages.map((m) => m.message),
        [`Problem while processing ${slow.base}/trickle.jpg (TIMEOUT)`],
      );
      assert.ok(took >= 1_400 && took < 15_000, `cut after ${took} ms`);
    } finally {
      await ports.close();
      await db.close();
      await slow.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a host that keeps failing is cut short', () => {
  it('link checking 985 links on a hung host costs a handful of timeouts, not 985', async () => {
    const silent = await startSilentServer();
    const links = Array.from({ length: 985 }, (_, i) => `${silent.base}/r/${i}`);
    const checker = createLinkChecker({ fetchPolicy: { allowLoopback: true }, responseTimeoutMs: 300 });
    const started = Date.now();
    try {
      const outcome = await checker({
        recordId: '/12/down',
        content: buildRecord({ type: 'TEXT', isShownAt: links[0], hasView: links.slice(1) }, '/12/down'),
      });
      const took = Date.now() - started;
      const errs = (outcome.data as { links: Array<{ error?: string }> }).links.map((l) => l.error ?? '');
      assert.equal(errs.length, 985);
      const timeouts = errs.filter((e) => /Because of: TIMEOUT/.test(e)).length;
      const skipped = errs.filter((e) => /Because of: HOST_DOWN Host 127\.0\.0\.1:\d+ is skipped/.test(e)).length;
      assert.equal(timeouts + skipped, 985);
      // Five failures trip the breaker; at most the three other requests then in flight add to them.
      assert.ok(timeouts >= 5 && timeouts <= 8, `${timeouts} timeouts`);
      assert.ok(silent.connections <= 8, `${silent.connections} connections`);
      assert.ok(took < 20_000, `took ${took} ms (985 × 300 ms / 4 = 74 s without the breaker)`);
    } finally {
      await checker.close();
      await silent.close();
    }
  });

  it('media: a record with 40 resources on a refused port makes 5 attempts, the rest fail at once', async () => {
    const port = await closedPort();
    const urls = Array.from({ length: 40 }, (_, i) => `http://127.0.0.1:${port}/v/${i}.jpg`);
    const media = createMediaProcessor({
      fetchPolicy: { allowLoopback: true },
      thumbnailStore: createMemoryThumbnailStore(),
      concurrency: 1,
    });
    try {
      const outcome = await media({
        recordId: '/12/refused',
        content: buildRecord({ type: 'IMAGE', hasView: urls }, '/12/refused'),
      });
      const causes = outcome.messages.map((m) => /\((\w+)\)$/.exec(m.message)?.[1]);
      assert.deepEqual(causes, [...Array(5).fill('NETWORK'), ...Array(35).fill('HOST_DOWN')]);
      assert.match(
        outcome.messages[5].detail!,
        /after 5 consecutive failed connections \(the last: NETWORK .*ECONNREFUSED/,
      );
    } finally {
      await media.close();
    }
  });

  it('after the cool-down the host is tried again, and a success clears its record', async () => {
    const port = await closedPort();
    const fetcher = createSafeFetcher({ allowLoopback: true, hostFailureLimit: 2, hostCooldownMs: 300 });
    const url = `http://127.0.0.1:${port}/x`;
    let server: CountingServer | undefined;
    try {
      await assert.rejects(fetcher.open(url), isFetchError('NETWORK'));
      await assert.rejects(fetcher.open(url), isFetchError('NETWORK'));
      const tripped = Date.now();
      await assert.rejects(fetcher.open(url), isFetchError('HOST_DOWN'));
      server = await startServer((_req, res) => res.writeHead(200).end('back'), port);
      await assert.rejects(fetcher.open(url), isFetchError('HOST_DOWN'), 'still cooling down');
      await sleep(Math.max(0, tripped + 400 - Date.now()));
      const { body } = await fetcher.fetchBytes(url);
      assert.equal(body.toString(), 'back');
      assert.deepEqual(server.requests, ['/x']);
    } finally {
      await fetcher.close();
      await server?.close();
    }
  });
});
