/**
 * Generators of the hostile files the command line is given (issue #12 row 13): files that are no
 * entity file, a folder where a file is expected, a file where a folder is expected, a broken config
 * file, an encrypted zip, and a PNG whose header chunk has a bad CRC. Everything is written into a
 * fresh temporary folder; nothing is copied from disk.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { edmRecord, rawZip } from './archive-zips.ts';

/** A chunk of a PNG: length, type, data and its CRC (`badCrc`: the CRC with every bit flipped). */
function chunk(type: string, data: Buffer, badCrc = false): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  const sum = crc32(Buffer.concat([head.subarray(4), data])) >>> 0;
  crc.writeUInt32BE(badCrc ? ~sum >>> 0 : sum, 0);
  return Buffer.concat([head, data, crc]);
}

/** A valid 1×1 grey PNG, or (`badHeaderCrc`) the same with its IHDR CRC flipped. */
export function png(opts: { badHeaderCrc?: boolean } = {}): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
  // One row: filter byte 0 and one grey sample.
  const idat = deflateSync(Buffer.from([0, 0x80]));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr, opts.badHeaderCrc),
    chunk('IDAT', idat),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export interface CliInputs {
  dir: string;
  /** A fresh, not yet existing data folder under `dir`. */
  dataDir(): string;
  png: string;
  empty: string;
  brokenXml: string;
  noEntities: string;
  brokenJson: string;
  plainFile: string;
  folder: string;
  badConfig: string;
  arrayConfig: string;
  encryptedZip: string;
}

/** Writes every hostile input into a new temporary folder. */
export function writeCliInputs(): CliInputs {
  const dir = mkdtempSync(join(tmpdir(), 'hostile-cli-'));
  const file = (name: string, bytes: string | Buffer) => {
    writeFileSync(join(dir, name), bytes);
    return join(dir, name);
  };
  let n = 0;
  const folder = join(dir, 'a-folder');
  mkdirSync(folder);
  return {
    dir,
    dataDir: () => join(dir, `data-${n++}`),
    png: file('entities.png', png()),
    empty: file('empty.xml', ''),
    brokenXml: file('broken.xml', '<rdf:RDF><skos:Concept rdf:about="x">'),
    noEntities: file('no-entities.xml', '<?xml version="1.0"?><catalogue><item/></catalogue>'),
    brokenJson: file('broken.json', '{"id": "http://data.europeana.eu/agent/1", '),
    plainFile: file('plain.txt', 'not a folder\n'),
    folder,
    badConfig: file('bad-config.json', '{"records": 5,'),
    arrayConfig: file('array-config.json', '[1, 2]'),
    encryptedZip: file(
      'encrypted.zip',
      rawZip([
        { name: 'r1.xml', data: Buffer.from(edmRecord('http://example.org/1')), encrypted: true },
        { name: 'r2.xml', data: Buffer.from(edmRecord('http://example.org/2')), encrypted: true },
      ]),
    ),
  };
}
