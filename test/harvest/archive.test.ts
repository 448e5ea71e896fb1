/**
 * Archive harvesting against Metis's archive fixtures and generated archives (bombs, zip-slip,
 * deep nesting), from paths, file: and http: URLs, Buffers and streams.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { pathToFileURL, fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import {
  harvestArchive,
  type ArchiveRecord,
  type ArchiveSource,
  type ArchiveHarvestOptions,
} from '../../src/steps/harvest/archive/archive-harvest.ts';
import { TaskError } from '../../src/steps/outcome.ts';
import { buildZip } from '../support/zip-writer.ts';

const fixtures = new URL('../../../shared/fixtures/metis/', import.meta.url);
const sandboxZip = new URL('metis-sandbox/src/test/resources/zip/', fixtures);
const ecloudFiles = new URL(
  'Europeana-Cloud/service/dps/storm/topologies/http-harvesting/src/test/resources/__files/',
  fixtures,
);
const commonFiles = new URL('metis-common/metis-common-utils/src/test/resources/__files/', fixtures);
const path = (u: URL) => fileURLToPath(u);

async function harvest(source: ArchiveSource, options?: ArchiveHarvestOptions): Promise<ArchiveRecord[]> {
  const out: ArchiveRecord[] = [];
  for await (const r of harvestArchive(source, options)) out.push(r);
  return out;
}

const taskError = (code: string, message?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof TaskError, `expected TaskError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

async function buildTar(entries: Array<{ name: string; data: Buffer }>): Promise<Buffer> {
  const p = tarPack();
  for (const e of entries) p.entry({ name: e.name }, e.data);
  p.finalize();
  const parts: Buffer[] = [];
  for await (const c of p as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts);
}

test('dataset-valid.zip: the 4 records with their exact bytes, __MACOSX junk skipped, id = relative path', async () => {
  const records = await harvest({ path: path(new URL('dataset-valid.zip', sandboxZip)) });
  assert.deepEqual(records.map((r) => r.path).sort(), [
    'Metis_Sandbox/Record1.xml',
    'Metis_Sandbox/Record2.xml',
    'Metis_Sandbox/Record3.xml',
    'Metis_Sandbox/Record4.xml',
  ]);
  const record1 = records.find((r) => r.path.endsWith('Record1.xml'))!;
  assert.ok(record1.content.equals(await readFile(new URL('Record1.xml', sandboxZip))));
});

test('every file is a record, whatever its extension; tar, tar.gz and zip give the same records', async () => {
  const tar = await harvest({ path: path(new URL('records_to_test.tar', sandboxZip)) });
  assert.equal(tar.length, 8);
  const tgz = await harvest({ path: path(new URL('sandbox.tar.gz', sandboxZip)) });
  assert.deepEqual(tgz.map((r) => r.path).sort(), [
    'sandbox_prod_23052023/record_provided.rdf',
    'sandbox_prod_23052023/record_published.rdf',
    'sandbox_prod_23052023/sandbox_record_23052023.xml',
  ]);
  // Metis replaces banned characters (here the space) in entry names.
  const names = async (file: string) =>
    (await harvest({ path: path(new URL(file, commonFiles)) })).map((r) => `${r.path}:${r.content.length}`).sort();
  const zip = await names('zipFileWithSubdirContainingSpaceInName.zip');
  assert.equal(zip.length, 10);
  assert.ok(zip.every((n) => n.startsWith('zip_file/')));
  assert.deepEqual(await names('tarFileWithSubdirContainingSpaceInName.tar'), zip);
  assert.deepEqual(await names('gzFileWithSubdirContainingSpaceInName.tar.gz'), zip);
  assert.equal((await names('zipWithDirectories.zip')).length, 50);
});

test('nested .gz files inside zip and (old-style) tar.gz are gunzipped to records named without .gz', async () => {
  for (const file of ['zipFileTest.zip', 'zipFileTest.tar.gz']) {
    const records = await harvest({ path: path(new URL(file, ecloudFiles)) });
    assert.deepEqual(
      records.map((r) => r.path).sort(),
      ['zipFileTest/jedit-4.0.xml', 'zipFileTest/xml/jedit-4.1.xml'],
      file,
    );
    assert.match(records[0].content.toString('utf8', 0, 200), /<\?xml/);
  }
});

test('Mac archives: __MACOSX skipped at any level; AppleDouble files elsewhere are records as in Metis unless skipHiddenFiles', async () => {
  const source = { path: path(new URL('zipFileFromMac.zip', ecloudFiles)) };
  const records = await harvest(source);
  assert.equal(records.length, 13); // eCloud's own test expects 13 files
  assert.ok(records.every((r) => r.path.startsWith('zipFile/Test_HTTP/._')));
  assert.deepEqual(await harvest(source, { skipHiddenFiles: true }), []);
});

test('corrupt, truncated and unsupported archives are task errors with a clear message', async () => {
  await assert.rejects(
    harvest({ path: path(new URL('corrupt_file.zip', sandboxZip)) }),
    taskError('ARCHIVE_INVALID_TYPE', /The compressed file type is invalid/),
  );
  await assert.rejects(
    harvest({ path: path(new URL('archive.tar.bz2', commonFiles)) }),
    taskError('ARCHIVE_INVALID_TYPE', /bzip2 is not supported/),
  );
  const valid = await readFile(new URL('dataset-valid.zip', sandboxZip));
  await assert.rejects(
    harvest({ buffer: valid.subarray(0, 3000), name: 'cut.zip' }),
    taskError('ARCHIVE_CORRUPT', /Error extracting archive cut\.zip: .*central directory/),
  );
  const tgz = await readFile(new URL('sandbox.tar.gz', sandboxZip));
  await assert.rejects(
    harvest({ buffer: tgz.subarray(0, 3000), name: 'cut.tar.gz' }),
    taskError('ARCHIVE_CORRUPT', /cut\.tar\.gz/),
  );
  await assert.rejects(harvest({ path: '/nonexistent/x.zip' }), taskError('ARCHIVE_NOT_FOUND'));
});

test('zip bomb: 200 MB of zeros in one entry fails that record by its declared size; a nested one is stopped by the ratio limit', async () => {
  const rec = await readFile(new URL('Record1.xml', sandboxZip));
  const zip = await buildZip([
    { name: 'bomb.xml', data: { chunk: Buffer.alloc(1024 * 1024), times: 200 } },
    { name: 'fine.xml', data: rec },
  ]);
  assert.ok(zip.length < 1024 * 1024, `bomb is ${zip.length} bytes`);
  const t0 = performance.now();
  const h = harvestArchive({ buffer: zip });
  const records: ArchiveRecord[] = [];
  for await (const r of h) records.push(r);
  assert.ok(performance.now() - t0 < 5000);
  assert.deepEqual(
    records.map((r) => [r.path, r.error?.code]),
    [
      ['bomb.xml', 'ARCHIVE_ENTRY_TOO_LARGE'],
      ['fine.xml', undefined],
    ],
  );
  assert.match(
    records[0].error!.message,
    /Entry bomb\.xml is 209715200 bytes, larger than the record limit of 52428800 bytes/,
  );
  assert.equal(h.stats.totalBytes, rec.length, 'the refused entry was never inflated');
  // As a nested archive, the ratio limit stops it (a task error), and with the ratio off the nested-archive size limit.
  const outer = await buildZip([
    {
      name: 'inner.zip',
      data: await buildZip([{ name: 'z.bin', data: { chunk: Buffer.alloc(1024 * 1024), times: 20 } }]),
    },
  ]);
  const nested = await buildZip([{ name: 'bomb.zip', data: { chunk: Buffer.alloc(1024 * 1024), times: 200 } }]);
  await assert.rejects(harvest({ buffer: nested }), taskError('ARCHIVE_BOMB', /compression ratio above 200/));
  await assert.rejects(
    harvest({ buffer: nested }, { limits: { maxCompressionRatio: 1e9, maxEntryBytes: 10 * 1024 * 1024 } }),
    taskError('ARCHIVE_BOMB', /more than 10485760 bytes/),
  );
  assert.equal((await harvest({ buffer: outer })).length, 1);
});

test('many-entry bombs: total uncompressed bytes and entry count limits', async () => {
  const many = await buildZip(
    Array.from({ length: 60 }, (_, i) => ({ name: `r${i}.xml`, data: Buffer.alloc(200_000, 0x61) })),
  );
  await assert.rejects(
    harvest({ buffer: many }, { limits: { maxTotalBytes: 5_000_000 } }),
    taskError('ARCHIVE_BOMB', /expands to more than 5000000 bytes/),
  );
  await assert.rejects(
    harvest({ buffer: many }, { limits: { maxEntries: 50 } }),
    taskError('ARCHIVE_TOO_MANY_ENTRIES'),
  );
  assert.equal((await harvest({ buffer: many })).length, 60);
  // A gzip stream is judged as a whole too.
  const tgz = gzipSync(await buildTar([{ name: 'a/zeros.xml', data: Buffer.alloc(50 * 1024 * 1024) }]));
  await assert.rejects(harvest({ buffer: tgz }), taskError('ARCHIVE_BOMB', /compression ratio/));
});

test('zip-slip: entries that climb out of the extraction directory or are absolute are refused', async () => {
  const rec = await readFile(new URL('Record1.xml', sandboxZip));
  for (const name of ['../../evil.xml', 'ok/../../evil.xml', '/etc/evil.xml', '..\\..\\evil.xml']) {
    const zip = await buildZip([
      { name: 'fine.xml', data: rec },
      { name, data: rec },
    ]);
    await assert.rejects(
      harvest({ buffer: zip }),
      taskError('ARCHIVE_ZIP_SLIP', /Entry is outside of the target dir/),
      name,
    );
  }
  // A nested archive may not climb out of its own directory either.
  const inner = await buildZip([{ name: '../escape.xml', data: rec }]);
  const outer = await buildZip([{ name: 'dir/inner.zip', data: inner, method: 'store' }]);
  await assert.rejects(harvest({ buffer: outer }), taskError('ARCHIVE_ZIP_SLIP'));
  // Climbing inside the root is fine, as in Metis.
  const inside = await buildZip([{ name: 'a/../b/./c.xml', data: rec }]);
  assert.deepEqual(
    (await harvest({ buffer: inside })).map((r) => r.path),
    ['b/c.xml'],
  );
});

test("nested archives: 10 levels are opened, 11 are refused; entries live in the nested archive's directory", async () => {
  const rec = await readFile(new URL('Record2.xml', sandboxZip));
  const nest = async (levels: number) => {
    let archive = await buildZip([{ name: 'record.xml', data: rec }]);
    for (let level = levels; level >= 1; level--) {
      // Alternate formats: zip inside tgz inside zip …
      archive =
        level % 2
          ? await buildZip([{ name: `d${level}/inner.tgz`, data: archive, method: 'store' }])
          : gzipSync(await buildTar([{ name: `d${level}/inner.zip`, data: archive }]));
    }
    return archive;
  };
  const ten = await harvest({ buffer: await nest(10) });
  assert.deepEqual(
    ten.map((r) => r.path),
    ['d1/d2/d3/d4/d5/d6/d7/d8/d9/d10/record.xml'],
  );
  assert.ok(ten[0].content.equals(rec));
  await assert.rejects(harvest({ buffer: await nest(11) }), taskError('ARCHIVE_TOO_DEEP', /deeper than 10 levels/));
  // A file with an archive extension that is no archive is left out, as Metis does, with a warning.
  const warnings: string[] = [];
  const fake = await buildZip([
    { name: 'x.xml', data: rec },
    { name: 'not-really.zip', data: Buffer.from('hello') },
  ]);
  assert.deepEqual(
    (await harvest({ buffer: fake }, { onWarning: (m) => warnings.push(m) })).map((r) => r.path),
    ['x.xml'],
  );
  assert.match(warnings[0], /not-really\.zip: not a supported archive/);
});

test('sources: http URL (with redirect), file URL, stream upload; 404 and unsupported protocols fail the task', async () => {
  const zipPath = path(new URL('dataset-valid-small.zip', sandboxZip));
  const server = createServer((req, res) => {
    if (req.url === '/old.zip') return res.writeHead(302, { location: '/data/set.zip' }).end();
    if (req.url === '/data/set.zip') {
      res.writeHead(200, { 'content-type': 'application/zip' });
      return createReadStream(zipPath).pipe(res);
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  after(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const expected = ['Record1.xml', 'Record2.xml'];
  assert.deepEqual(
    (await harvest({ url: `${base}/old.zip` })).map((r) => r.path),
    expected,
  );
  assert.deepEqual(
    (await harvest({ url: pathToFileURL(zipPath).href })).map((r) => r.path),
    expected,
  );
  assert.deepEqual(
    (await harvest({ stream: createReadStream(zipPath), name: 'upload.zip' })).map((r) => r.path),
    expected,
  );
  await assert.rejects(harvest({ url: `${base}/missing.zip` }), taskError('ARCHIVE_DOWNLOAD', /HTTP status 404/));
  await assert.rejects(
    harvest({ url: 'ftp://example.org/x.zip' }),
    taskError('ARCHIVE_PROTOCOL', /This functionality does not support this protocol \(ftp\)\./),
  );
  await assert.rejects(
    harvest({ url: `${base}/data/set.zip` }, { limits: { maxArchiveBytes: 1000 } }),
    taskError('ARCHIVE_TOO_LARGE'),
  );
  // A single gzip-compressed record (not a tar): named after the upload without .gz.
  const gz = gzipSync(await readFile(new URL('Record3.xml', sandboxZip)));
  assert.deepEqual(
    (await harvest({ buffer: gz, name: 'Record3.xml.gz' })).map((r) => r.path),
    ['Record3.xml'],
  );
});

test('stats count records, skipped entries and bytes', async () => {
  const h = harvestArchive({ path: path(new URL('dataset-valid.zip', sandboxZip)) });
  for await (const _ of h);
  assert.deepEqual(h.stats, { records: 4, skipped: 7, entries: 11, totalBytes: 10217 });
});
