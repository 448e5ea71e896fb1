/**
 * Hostile encodings, issue #12 rows 5 and 6: record bytes are decoded as Metis (Xerces) reads them.
 * Before: every record was read as UTF-8 with replacement, so invalid bytes became U+FFFD and were
 * published, an ISO-8859-1 record lost its accented letters, and UTF-16 records were refused with
 * "Text data outside of root node". Now: BOM, UTF-16 pattern and declared encoding decide; invalid
 * bytes and unsupported encodings are XML_PARSE record failures naming the byte offset.
 */
import { test } from 'node:test';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { decodeRecord, decodeRecordBytes } from '../../src/edm/encoding.ts';
import { XmlParseError } from '../../src/edm/xml-tree.ts';
import { identifyHarvestedRecord } from '../../src/steps/harvest/record-identity.ts';
import { harvestArchive } from '../../src/steps/harvest/archive/archive-harvest.ts';
import { createOaiClient } from '../../src/steps/harvest/oai/oai-client.ts';
import { edmRecord, rawZip, utf16 } from './support/archive-zips.ts';

const decl = (enc: string) => `<?xml version="1.0" encoding="${enc}"?>`;
const parseError = (message: RegExp) => (e: unknown) => {
  assert.ok(e instanceof XmlParseError, `expected XmlParseError, got ${String(e)}`);
  assert.equal(e.code, 'XML_PARSE');
  assert.match(e.message, message);
  return true;
};

/** The harvest step's view of a record file: its Europeana id and text, or its failure. */
function identify(bytes: Buffer) {
  const o = identifyHarvestedRecord('9300', 'r.xml', bytes);
  return o.status === 'fail' ? { fail: o.messages[0] } : { id: o.recordId, text: o.content as string };
}

test('the declared encoding is honoured: ISO-8859-1, windows-1252, US-ASCII, UTF-8 (default)', () => {
  const latin1 = Buffer.from(edmRecord('urn:e:1', 'Café ÿ', decl('ISO-8859-1')), 'latin1');
  const r = identify(latin1);
  assert.equal(r.id, '/9300/urn_e_1');
  assert.match(r.text!, /<dc:title>Café ÿ<\/dc:title>/);
  assert.ok(!r.text!.includes('\ufffd'));
  // ISO-8859-1 maps 0x80 to U+0080 (Java's charset), windows-1252 to the euro sign.
  assert.equal(decodeRecordBytes(Buffer.from(`${decl('iso-8859-1')}<a>\x80</a>`, 'latin1')).slice(-5), '\u0080</a>');
  assert.equal(decodeRecordBytes(Buffer.from(`${decl('windows-1252')}<a>\x80\x9c</a>`, 'latin1')).slice(-6), '€œ</a>');
  assert.equal(decodeRecord(Buffer.from(`${decl('US-ASCII')}<a/>`)).encoding, 'us-ascii');
  assert.equal(decodeRecord(Buffer.from('<a>é</a>')).encoding, 'utf-8');
  assert.equal(decodeRecordBytes(Buffer.from(`${decl('ISO-8859-2')}<a>\xb1</a>`, 'latin1')).slice(-5), 'ą</a>');
});

test('UTF-16 records are read, with a BOM (LE, BE) or without one (from the <?xml pattern)', () => {
  const text = edmRecord('urn:e:16', 'Ünïcode 𝄞', decl('UTF-16'));
  for (const [order, bom] of [
    ['le', true],
    ['be', true],
    ['le', false],
    ['be', false],
  ] as const) {
    const r = identify(utf16(text, order, bom));
    assert.equal(r.id, '/9300/urn_e_16', `${order} bom=${bom}: ${JSON.stringify(r.fail)}`);
    assert.match(r.text!, /Ünïcode 𝄞/);
  }
  // A UTF-8 BOM is dropped, the record read as UTF-8.
  assert.equal(
    identify(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(edmRecord('urn:e:8', 'é'))])).id,
    '/9300/urn_e_8',
  );
});

test('invalid bytes are a record failure naming the byte offset and line, never a silent U+FFFD', () => {
  const good = Buffer.from(edmRecord('urn:e:bad', 'ok'));
  const at = good.indexOf('ok');
  const bad = Buffer.concat([good.subarray(0, at), Buffer.from([0xc3, 0x28]), good.subarray(at)]);
  const r = identify(bad);
  assert.equal(r.fail?.code, 'XML_PARSE');
  assert.match(r.fail!.message, new RegExp(`Invalid UTF-8 byte at byte offset ${at + 1} \\(0x28\\) \\(line 3\\)`));
  assert.throws(
    () => decodeRecordBytes(Buffer.from([0x3c, 0x61, 0x3e, 0xff])),
    parseError(/Invalid UTF-8 byte at byte offset 3 \(0xFF\) \(line 1\)/),
  );
  // A truncated multi-byte sequence at the end.
  assert.throws(
    () => decodeRecordBytes(Buffer.from([0x3c, 0x61, 0x3e, 0xe2, 0x82])),
    parseError(/Invalid UTF-8 byte at byte offset 4/),
  );
  // US-ASCII declared, a byte above 0x7F.
  assert.throws(
    () => decodeRecordBytes(Buffer.from(`${decl('US-ASCII')}<a>\xe9</a>`, 'latin1')),
    parseError(/Invalid US-ASCII byte at byte offset 44 \(0xE9\)/),
  );
  // UTF-16 with a lone surrogate, or an odd number of bytes.
  const lone = Buffer.concat([utf16('<a>', 'be', true), Buffer.from([0xd8, 0x00, 0x00, 0x41])]);
  assert.throws(() => decodeRecordBytes(lone), parseError(/Invalid UTF-16BE byte at byte offset 11 \(0x41\)/));
  assert.throws(
    () => decodeRecordBytes(Buffer.concat([utf16('<a/>', 'le', true), Buffer.from([0x20])])),
    parseError(/Invalid UTF-16LE byte at byte offset 10 \(truncated sequence\)|byte offset 1\d/),
  );
});

test('an unknown, unsupported or contradictory declared encoding is a clear record failure', () => {
  assert.equal(
    identify(Buffer.from(edmRecord('urn:e:x', 'x', decl('KLINGON-8')))).fail?.message,
    'Record is not well-formed XML: Unsupported encoding "KLINGON-8" (line 1)',
  );
  assert.throws(
    () => decodeRecordBytes(Buffer.from(`${decl('UTF-32')}<a/>`)),
    parseError(/Unsupported encoding "UTF-32"/),
  );
  assert.throws(
    () => decodeRecordBytes(Buffer.from([0x00, 0x00, 0xfe, 0xff, 0, 0, 0, 0x3c])),
    parseError(/Unsupported encoding "UTF-32/),
  );
  assert.throws(
    () => decodeRecordBytes(Buffer.from([0x4c, 0x6f, 0xa7, 0x94, 0x93])),
    parseError(/Unsupported encoding "EBCDIC"/),
  );
  assert.throws(
    () => decodeRecordBytes(Buffer.from(`${decl('UTF-16')}<a/>`)),
    parseError(/declares encoding "UTF-16" but its bytes are not UTF-16/),
  );
  assert.throws(() => decodeRecordBytes(Buffer.from(`${decl('')}<a/>`)), parseError(/invalid encoding name ""/));
});

test('records from an archive are decoded the same way', async () => {
  const zip = rawZip([
    { name: 'latin1.xml', data: Buffer.from(edmRecord('urn:e:a1', 'Müller', decl('ISO-8859-1')), 'latin1') },
    { name: 'utf16.xml', data: utf16(edmRecord('urn:e:a2', 'Ωmega', decl('UTF-16')), 'le', true) },
    { name: 'bad.xml', data: Buffer.concat([Buffer.from('<a>'), Buffer.from([0xff]), Buffer.from('</a>')]) },
  ]);
  const out: Array<ReturnType<typeof identify>> = [];
  for await (const r of harvestArchive({ buffer: zip })) out.push(identify(r.content));
  assert.match(out[0].text!, /Müller/);
  assert.match(out[1].text!, /Ωmega/);
  assert.match(out[2].fail!.message, /Invalid UTF-8 byte at byte offset 3 \(0xFF\)/);
});

/** An OAI-PMH GetRecord response around `record` (no declaration), declared as `encoding`. */
function getRecordResponse(record: string, encoding: string): string {
  return `<?xml version="1.0" encoding="${encoding}"?>
<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><responseDate>2026-01-01T00:00:00Z</responseDate><request verb="GetRecord">http://127.0.0.1/oai</request>
<GetRecord><record><header><identifier>oai:h:1</identifier><datestamp>2026-01-01</datestamp></header><metadata>${record}</metadata></record></GetRecord></OAI-PMH>`;
}

/** Serves `body` for every request, written in small pieces (the declaration split across them). */
async function serveOai(body: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/xml' });
    for (let i = 0; i < body.length; i += 17) res.write(body.subarray(i, i + 17));
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/oai`, close: () => new Promise((r) => server.close(() => r())) };
}

test('OAI-PMH responses are decoded the same way: declared ISO-8859-1, UTF-16; invalid bytes fail the record with their offset', async () => {
  const record = edmRecord('urn:o:1', 'Ça va? Größe', '').trim();
  const client = createOaiClient({ retries: 1, retryDelayMs: 1, readTimeoutMs: 5000 });
  const fetch = async (body: Buffer) => {
    const oai = await serveOai(body);
    try {
      return await client.fetchRecord({ baseUrl: oai.url, metadataPrefix: 'edm' }, 'oai:h:1');
    } finally {
      await oai.close();
    }
  };
  try {
    const latin1 = await fetch(Buffer.from(getRecordResponse(record, 'ISO-8859-1'), 'latin1'));
    assert.equal(latin1.status, 'success', JSON.stringify(latin1.messages));
    assert.match(latin1.content as string, /<dc:title>Ça va\? Größe<\/dc:title>/);
    const u16 = await fetch(utf16(getRecordResponse(record, 'UTF-16'), 'be', true));
    assert.equal(u16.status, 'success', JSON.stringify(u16.messages));
    assert.match(u16.content as string, /Größe/);
    const good = Buffer.from(getRecordResponse(record, 'UTF-8'));
    const at = good.indexOf('Ça');
    const bad = await fetch(Buffer.concat([good.subarray(0, at), Buffer.from([0xc0, 0xaf]), good.subarray(at)]));
    assert.equal(bad.status, 'fail');
    assert.match(bad.messages[0].code, /^OAI_(BAD_RESPONSE|RESPONSE_INVALID)$/);
    assert.match(bad.messages[0].message, new RegExp(`Invalid UTF-8 byte at byte offset ${at} \\(0xC0\\)`));
  } finally {
    await client.close();
  }
});
