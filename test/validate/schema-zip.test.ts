import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TaskError } from '../../src/steps/outcome.ts';
import { resolveSchemaDir } from '../../src/steps/validate/schema-source.ts';
import { createExternalValidator, createInternalValidator } from '../../src/steps/validate/validator.ts';
import { fixture, SANDBOX, SCHEMA_DIR } from '../transform/fixtures.ts';
import { zipEntries, zipFolder } from './zip-writer.ts';

describe('schemas from a zip URL (Metis predefinedSchemas.*.url)', () => {
  let server: Server;
  let base: string;
  let cacheDir: string;
  const hits = new Map<string, number>();
  const bodies: Record<string, Buffer> = {
    '/schemas.zip': zipFolder(SCHEMA_DIR),
    '/wrapped.zip': zipFolder(SCHEMA_DIR, 'europeana_schemas/'),
    '/evil.zip': zipEntries([{ name: '../escaped.xsd', data: Buffer.from('<x/>') }]),
  };

  before(async () => {
    cacheDir = mkdtempSync(join(tmpdir(), 'schema-cache-test-'));
    server = createServer((req, res) => {
      hits.set(req.url!, (hits.get(req.url!) ?? 0) + 1);
      const body = bodies[req.url!];
      if (!body) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'application/zip' }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const addr = server.address() as { port: number };
    base = `http://127.0.0.1:${addr.port}`;
  });
  after(() => {
    server.close();
    rmSync(cacheDir, { recursive: true, force: true });
  });

  it('downloads once, extracts into a folder keyed by the URL hash, and validates with it', async () => {
    const url = `${base}/schemas.zip`;
    const [ext, int] = await Promise.all([
      createExternalValidator({ schemaLocation: url, cacheDir }),
      createInternalValidator({ schemaLocation: url, cacheDir }),
    ]);
    try {
      assert.equal(hits.get('/schemas.zip'), 1, 'concurrent loads share one download');
      assert.equal(ext.schemaDir, int.schemaDir);
      assert.ok(ext.schemaDir.startsWith(cacheDir));
      assert.ok(existsSync(join(ext.schemaDir, 'EDM.xsd')));
      const ok = ext({ recordId: 'r1', content: fixture(`${SANDBOX}zip/Record1.xml`) });
      assert.equal(ok.status, 'success', ok.messages[0]?.message);
      const bad = int({ recordId: 'r1', content: fixture(`${SANDBOX}zip/Record1.xml`) });
      assert.equal(bad.status, 'fail');
      assert.equal(bad.messages[0].code, 'XSD_INVALID');
    } finally {
      ext.dispose();
      int.dispose();
    }
    // A later load (e.g. after a restart) reuses the extracted folder without downloading again.
    const again = await resolveSchemaDir(url, { cacheDir });
    assert.equal(again, ext.schemaDir);
    assert.equal(hits.get('/schemas.zip'), 1);
  });

  it('finds the root schema inside a single top-level folder of the zip', async () => {
    const v = await createExternalValidator({ schemaLocation: `${base}/wrapped.zip`, cacheDir });
    try {
      assert.equal(v({ recordId: 'r2', content: fixture(`${SANDBOX}zip/Record2.xml`) }).status, 'success');
    } finally {
      v.dispose();
    }
  });

  it('fails the task (TaskError) for an unreachable zip, a missing folder and a zip-slip entry', async () => {
    await assert.rejects(resolveSchemaDir(`${base}/missing.zip`, { cacheDir }), (e: unknown) => e instanceof TaskError && /HTTP 404/.test(e.message));
    await assert.rejects(createExternalValidator({ schemaLocation: join(cacheDir, 'nope') }), TaskError);
    await assert.rejects(resolveSchemaDir(`${base}/evil.zip`, { cacheDir }), /Cannot extract schema zip.*(invalid relative path|unsafe zip entry)/);
    assert.ok(!existsSync(join(cacheDir, 'escaped.xsd')));
    assert.ok(!readdirSync(cacheDir).some((n) => n.includes('.tmp-')), 'no half-extracted folders left');
  });
});
