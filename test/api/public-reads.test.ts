/**
 * Public reads and token parsing: the API server built in this process over a real embedded pipeline
 * (PGlite, LocalRuntime) and listening on loopback, with `publicReads` on: reads answer without a
 * token, writes still need one. `--api-tokens` values that are wrong are refused with a reason.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openPglite, type Db } from '../../src/store/db.ts';
import { openPublishedStore } from '../../src/store/published-store.ts';
import { startEmbedded, type EmbeddedPipeline } from '../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../../src/pipeline/ports/create-metis-ports.ts';
import { buildApiServer } from '../../src/api/server.ts';
import { parseApiTokens } from '../../src/api/auth.ts';
import { client } from './support.ts';

const OPERATOR = 'operator-token-public-0123';
let dir: string;
let db: Db;
let pipeline: EmbeddedPipeline;
let ports: Awaited<ReturnType<typeof createMetisPorts>>;
let app: FastifyInstance;
let url: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'metis-api-public-'));
  db = await openPglite();
  ports = await createMetisPorts(defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 'thumbs') }));
  pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 1 });
  app = await buildApiServer(
    {
      mode: 'embedded',
      db,
      service: pipeline.service,
      published: await openPublishedStore(db),
      thumbnailDir: join(dir, 'thumbs'),
      uploadDir: join(dir, 'uploads'),
      engine: async () => ({ mode: 'embedded', topics: [], groups: [], workers: 1 }),
    },
    { tokens: parseApiTokens(`operator:${OPERATOR}`), publicReads: true, uploadLimitBytes: 1_000_000, version: 'test' },
  );
  url = await app.listen({ host: '127.0.0.1', port: 0 });
});

after(async () => {
  await app?.close();
  await pipeline?.stop();
  await ports?.close();
  await db?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('with public reads, GETs need no token; writes still do (401), and a known token still counts', async () => {
  const anon = client(url);
  const tasks = await anon.get('/api/tasks');
  assert.equal(tasks.status, 200);
  assert.deepEqual(tasks.body, { total: 0, tasks: [] });
  assert.equal((await anon.get('/metrics')).status, 200);
  assert.equal((await anon.get('/api/info')).body.role, 'public');
  const write = await anon.post('/api/tasks', {});
  assert.equal(write.status, 401);
  assert.match(write.body.error.message, /operator/);
  const op = client(url, OPERATOR);
  assert.equal((await op.get('/api/info')).body.role, 'operator');
  const bad = await op.post('/api/tasks', { dataset: { id: 'x', name: 'x' }, source: { type: 'oai', url: 'ftp://x' } });
  assert.equal(bad.status, 400);
  assert.equal(bad.body.error.field, 'source.url');
  // On a public read an unknown token is as no token.
  assert.equal((await client(url, 'unknown-token-0123456789').get('/api/tasks')).status, 200);
});

test('--api-tokens values that cannot be right are refused with the reason', () => {
  assert.equal(parseApiTokens(undefined).size, 0);
  assert.equal(parseApiTokens(' , ').size, 0);
  assert.throws(() => parseApiTokens('root:0123456789abcdef'), /ROLE one of viewer, operator, admin/);
  assert.throws(() => parseApiTokens('viewer:short'), /at least 16 characters/);
  assert.throws(() => parseApiTokens('tokenwithoutrole0123'), /expected ROLE:TOKEN/);
  assert.throws(() => parseApiTokens('viewer:0123456789abcdef,admin:0123456789abcdef'), /given twice/);
  const t = parseApiTokens('viewer:0123456789abcdef, admin:fedcba9876543210');
  assert.equal(t.roleOf('0123456789abcdef'), 'viewer');
  assert.equal(t.roleOf('fedcba9876543210'), 'admin');
  assert.equal(t.roleOf('0123456789abcdeF'), undefined);
});
