import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createS3ThumbnailStore } from '../../src/steps/media/s3-thumbnail-store.ts';
import { createFileThumbnailStore } from '../../src/steps/media/thumbnail-store.ts';
import { fixtureBytes } from './fixture-server.ts';

describe('file thumbnail store', () => {
  const dir = mkdtempSync(join(tmpdir(), 'thumbs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('stores, overwrites and reads thumbnails by name, leaving no temporary files', async () => {
    const store = createFileThumbnailStore(join(dir, 'nested'));
    const jpg = fixtureBytes('default.jpg');
    await store.put('41fd4796bcdcfab4c7944c0f044234cf-LARGE', Buffer.from('old'), 'image/png');
    await store.put('41fd4796bcdcfab4c7944c0f044234cf-LARGE', jpg, 'image/jpeg');
    const got = await store.get('41fd4796bcdcfab4c7944c0f044234cf-LARGE');
    assert.ok(got?.bytes.equals(jpg));
    assert.equal(got?.contentType, 'image/jpeg');
    assert.equal(await store.get('41fd4796bcdcfab4c7944c0f044234cf-MEDIUM'), undefined);
    assert.deepEqual(readdirSync(join(dir, 'nested')).filter((f) => f.endsWith('.tmp')), []);
  });

  it('rejects names that could escape the directory', async () => {
    const store = createFileThumbnailStore(dir);
    await assert.rejects(store.put('../evil', Buffer.from('x'), 'image/jpeg'), /Invalid thumbnail name/);
    await assert.rejects(store.put('.hidden', Buffer.from('x'), 'image/jpeg'), /Invalid thumbnail name/);
  });
});

describe('S3 thumbnail store', () => {
  it('PUTs and GETs objects on an S3-compatible endpoint with signed, path-style requests', async () => {
    // A minimal S3-compatible endpoint: enough of the REST API for PutObject / GetObject.
    const objects = new Map<string, { body: Buffer; type: string }>();
    const seen: Array<{ method: string; url: string; auth: string }> = [];
    const body = async (req: IncomingMessage) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    };
    const server = createServer(async (req, res) => {
      seen.push({ method: req.method!, url: req.url!, auth: String(req.headers.authorization ?? '') });
      const key = decodeURIComponent(req.url!.split('?')[0]);
      if (req.method === 'PUT') {
        objects.set(key, { body: await body(req), type: String(req.headers['content-type']) });
        res.writeHead(200, { etag: '"abc"' }).end();
      } else if (req.method === 'GET' && objects.has(key)) {
        const o = objects.get(key)!;
        res.writeHead(200, { 'content-type': o.type, 'content-length': String(o.body.length) }).end(o.body);
      } else {
        res.writeHead(404, { 'content-type': 'application/xml' }).end('<?xml version="1.0"?><Error><Code>NoSuchKey</Code><Message>missing</Message></Error>');
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const store = createS3ThumbnailStore({
      endpoint,
      bucket: 'thumbnails',
      prefix: 'metis/',
      credentials: { accessKeyId: 'test', secretAccessKey: 'secret' },
    });
    try {
      const jpg = fixtureBytes('default.jpg');
      await store.put('41fd4796bcdcfab4c7944c0f044234cf-MEDIUM', jpg, 'image/jpeg');
      assert.ok(objects.get('/thumbnails/metis/41fd4796bcdcfab4c7944c0f044234cf-MEDIUM')?.body.equals(jpg));
      assert.equal(objects.get('/thumbnails/metis/41fd4796bcdcfab4c7944c0f044234cf-MEDIUM')?.type, 'image/jpeg');
      assert.match(seen[0].auth, /^AWS4-HMAC-SHA256 Credential=test\//);
      const got = await store.get('41fd4796bcdcfab4c7944c0f044234cf-MEDIUM');
      assert.ok(got?.bytes.equals(jpg));
      assert.equal(await store.get('absent'), undefined);
    } finally {
      store.close();
      server.close();
    }
  });
});
