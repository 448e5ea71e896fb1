/**
 * Hostile archives, issue #12 rows 7, 8 and 13 (encrypted zip), and row 5/6 through the pipeline.
 *
 * - Row 8: one 10 MB highly compressible record used to fail the whole dataset (ratio limit) and drop
 *   the records already harvested; now it is a record like any other, and entries over the record
 *   limit, corrupt entries and records with invalid bytes fail alone while the task completes.
 * - Row 7: a 300 MiB entry is refused by its declared size without being inflated; a stream whose
 *   real size passes the record limit stops inflating at the cap; 1,000 central-directory entries
 *   pointing at one local entry (the zip bomb by overlap) are refused before anything is inflated;
 *   the total cap stops a many-entry bomb as the bytes stream.
 * - Row 13: an encrypted zip entry is named as such.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createGzip } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import {
  harvestArchive,
  type ArchiveHarvestOptions,
  type ArchiveRecord,
  type ArchiveSource,
} from '../../src/steps/harvest/archive/archive-harvest.ts';
import { TaskError } from '../../src/errors/index.ts';
import { buildZip } from '../support/zip-writer.ts';
import { edmRecord, rawZip, utf16 } from './support/archive-zips.ts';
import { runArchiveHarvest } from './support/archive-pipeline.ts';

const MiB = 1024 * 1024;

async function harvest(source: ArchiveSource, options?: ArchiveHarvestOptions) {
  const h = harvestArchive(source, options);
  const records: ArchiveRecord[] = [];
  for await (const r of h) records.push(r);
  return { records, stats: h.stats };
}

const taskError = (code: string, message?: RegExp) => (e: unknown) => {
  assert.ok(e instanceof TaskError, `expected TaskError, got ${String(e)}`);
  assert.equal(e.code, code, e.message);
  if (message) assert.match(e.message, message);
  return true;
};

async function gzipOf(chunk: Buffer, times: number): Promise<Buffer> {
  const gz = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gz.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve, reject) => (gz.on('end', resolve), gz.on('error', reject)));
  for (let i = 0; i < times; i++) if (!gz.write(chunk)) await new Promise((r) => gz.once('drain', r));
  gz.end();
  await done;
  return Buffer.concat(out);
}

async function tarOf(entries: Array<{ name: string; data: Buffer }>): Promise<Buffer> {
  const p = tarPack();
  for (const e of entries) p.entry({ name: e.name }, e.data);
  p.finalize();
  const out: Buffer[] = [];
  for await (const c of p) out.push(c as Buffer);
  return Buffer.concat(out);
}

test('pipeline: a compressible 10 MB record, an oversized entry and records in other encodings; only the bad ones fail, the task completes', async () => {
  const zip = rawZip([
    { name: 'first.xml', data: Buffer.from(edmRecord('urn:h:1')) },
    { name: 'compressible.xml', data: Buffer.from(edmRecord('urn:h:2', 'Big', undefined, ' '.repeat(10_000_000))) },
    {
      name: 'latin1.xml',
      data: Buffer.from(edmRecord('urn:h:3', 'Café', '<?xml version="1.0" encoding="ISO-8859-1"?>'), 'latin1'),
    },
    {
      name: 'bad-utf8.xml',
      data: Buffer.concat([
        Buffer.from(edmRecord('urn:h:4', 'X')).subarray(0, 300),
        Buffer.from([0xff, 0xfe]),
        Buffer.from(edmRecord('urn:h:4')).subarray(300),
      ]),
    },
    {
      name: 'utf16le-bom.xml',
      data: utf16(edmRecord('urn:h:5', 'Ünïcode', '<?xml version="1.0" encoding="UTF-16"?>'), 'le', true),
    },
    {
      name: 'utf16be.xml',
      data: utf16(edmRecord('urn:h:6', 'Ünïcode', '<?xml version="1.0" encoding="UTF-16"?>'), 'be', false),
    },
    { name: 'huge.xml', data: Buffer.from(edmRecord('urn:h:7', 'Huge', undefined, ' '.repeat(60 * MiB))) },
    { name: 'last.xml', data: Buffer.from(edmRecord('urn:h:8')) },
  ]);
  assert.ok(zip.length < 2 * MiB, `archive is ${zip.length} bytes`);
  await runArchiveHarvest(zip, 'hostile.zip', async (run) => {
    const s = run.status;
    assert.equal(s.task.state, 'completed', `task ended ${s.task.state}: ${s.task.reason ?? ''}`);
    assert.equal(s.task.terminalCount, 8);
    const harvest = s.progress.find((p) => p.step === 'harvest')!;
    assert.deepEqual([harvest.success, harvest.fail], [6, 2]);
    const bad = await run.result('bad-utf8.xml');
    assert.equal(bad?.status, 'fail');
    assert.equal(bad?.messages[0].code, 'XML_PARSE');
    assert.match(bad!.messages[0].message, /Invalid UTF-8 byte at byte offset 300 \(0xFF\)/);
    const huge = await run.result('huge.xml');
    assert.equal(huge?.messages[0].code, 'ARCHIVE_ENTRY_TOO_LARGE');
    assert.match(
      huge!.messages[0].message,
      /Entry huge\.xml is \d+ bytes, larger than the record limit of 52428800 bytes/,
    );
  });
});

test('a 300 MiB entry is refused by its declared size without being inflated; the next entry is harvested', async () => {
  const zip = await buildZip([
    { name: 'big.xml', data: { chunk: Buffer.alloc(MiB, 0x20), times: 300 } },
    { name: 'ok.xml', data: Buffer.from(edmRecord('urn:h:ok')) },
  ]);
  const t0 = performance.now();
  const { records, stats } = await harvest({ buffer: zip });
  assert.deepEqual(
    records.map((r) => [r.path, r.error?.code]),
    [
      ['big.xml', 'ARCHIVE_ENTRY_TOO_LARGE'],
      ['ok.xml', undefined],
    ],
  );
  assert.equal(records[0].content.length, 0);
  assert.equal(stats.totalBytes, records[1].content.length, 'nothing of the 300 MiB entry was inflated');
  assert.ok(performance.now() - t0 < 20_000);
});

test('an entry whose real size passes the record limit stops inflating at the cap (gzip, tar) or fails as corrupt when it lies (zip)', async () => {
  // A single gzipped record of 200 MiB: no declared size; inflation stops just past 50 MiB.
  const gz = await gzipOf(Buffer.alloc(MiB, 0x20), 200);
  const single = await harvest({ buffer: gz, name: 'record.xml.gz' });
  assert.deepEqual(
    single.records.map((r) => [r.path, r.error?.code]),
    [['record.xml', 'ARCHIVE_ENTRY_TOO_LARGE']],
  );
  assert.ok(single.stats.totalBytes < 52 * MiB, `inflated ${single.stats.totalBytes} bytes`);
  // A tar entry over the limit is skipped in the stream (never buffered); the next one is a record.
  const tar = await tarOf([
    { name: 'a/huge.xml', data: Buffer.alloc(51 * MiB, 0x20) },
    { name: 'a/ok.xml', data: Buffer.from(edmRecord('urn:h:t')) },
  ]);
  const t = await harvest({ buffer: tar });
  assert.deepEqual(
    t.records.map((r) => [r.path, r.error?.code]),
    [
      ['a/huge.xml', 'ARCHIVE_ENTRY_TOO_LARGE'],
      ['a/ok.xml', undefined],
    ],
  );
  // A zip entry that declares 1,000 bytes but inflates to 60 MiB: stopped after its declared size.
  const lying = rawZip([
    { name: 'liar.xml', data: Buffer.alloc(60 * MiB, 0x20), declaredSize: 1000 },
    { name: 'ok.xml', data: Buffer.from(edmRecord('urn:h:z')) },
  ]);
  const z = await harvest({ buffer: lying });
  assert.deepEqual(
    z.records.map((r) => [r.path, r.error?.code]),
    [
      ['liar.xml', 'ARCHIVE_ENTRY_CORRUPT'],
      ['ok.xml', undefined],
    ],
  );
  assert.match(z.records[0].error!.message, /Entry liar\.xml cannot be extracted: /);
  assert.ok(z.stats.totalBytes < 2 * MiB, `inflated ${z.stats.totalBytes} bytes`);
});

test('1,000 central-directory entries pointing at one 60 MiB entry (zip bomb by overlap) are refused before anything is inflated', async () => {
  const zip = rawZip([{ name: 'kernel.xml', data: Buffer.alloc(60 * MiB, 0x20), aliases: 999 }]);
  const h = harvestArchive({ buffer: zip });
  const seen: ArchiveRecord[] = [];
  const t0 = performance.now();
  await assert.rejects(
    (async () => {
      for await (const r of h) seen.push(r);
    })(),
    taskError('ARCHIVE_BOMB', /Zip entries kernel\.xml and kernel\.xml\.0 overlap/),
  );
  assert.ok(performance.now() - t0 < 10_000);
  assert.equal(h.stats.totalBytes, 0);
  assert.deepEqual(
    seen.map((r) => r.error?.code),
    ['ARCHIVE_ENTRY_TOO_LARGE'],
  );
  // Small overlapping entries (each under the record limit) are refused too.
  const small = rawZip([{ name: 'k.xml', data: Buffer.from(edmRecord('urn:h:k')), aliases: 3 }]);
  await assert.rejects(harvest({ buffer: small }), taskError('ARCHIVE_BOMB', /overlap/));
});

test('the total cap fails the task as the bytes stream, not after them', async () => {
  const zip = rawZip(
    Array.from({ length: 20 }, (_, i) => ({ name: `r${i}.xml`, data: Buffer.alloc(3 * MiB, 0x20 + i) })),
  );
  await assert.rejects(
    harvest({ buffer: zip }, { limits: { maxTotalBytes: 10 * MiB } }),
    taskError('ARCHIVE_BOMB', /Archive expands to more than 10485760 bytes \(at r3\.xml\)/),
  );
});

test('an encrypted zip entry fails the task as "Encrypted archives are not supported"', async () => {
  const zip = rawZip([
    { name: 'plain.xml', data: Buffer.from(edmRecord('urn:h:p')) },
    { name: 'secret.xml', data: Buffer.from(edmRecord('urn:h:s')), encrypted: true, method: 'store' },
  ]);
  await assert.rejects(
    harvest({ buffer: zip }),
    taskError('ARCHIVE_ENCRYPTED', /^Encrypted archives are not supported \(secret\.xml is encrypted\)$/),
  );
});
