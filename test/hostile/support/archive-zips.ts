/**
 * Generators of hostile archives and record encodings (issue #12 rows 5–8 and 13's encrypted zip):
 * EDM records in several encodings, and a raw zip writer that can lie (encrypted flag, declared
 * sizes, several central-directory entries pointing at one local entry). Nothing is read from disk.
 */
import { crc32, deflateRawSync } from 'node:zlib';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A small valid EDM record whose ProvidedCHO is `about`, with `title` as dc:title. */
export function edmRecord(
  about: string,
  title = 'Title',
  declaration = '<?xml version="1.0" encoding="UTF-8"?>',
  padding = '',
): string {
  return `${declaration}
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:ore="http://www.openarchives.org/ore/terms/">
  <edm:ProvidedCHO rdf:about="${about}"><dc:title>${title}</dc:title></edm:ProvidedCHO>${padding}
  <ore:Aggregation rdf:about="${about}#agg"><edm:aggregatedCHO rdf:resource="${about}"/></ore:Aggregation>
</rdf:RDF>
`;
}

/** The same record as UTF-16 LE or BE bytes, with or without a byte-order mark. */
export function utf16(text: string, order: 'le' | 'be', bom: boolean): Buffer {
  const le = Buffer.from((bom ? '\ufeff' : '') + text, 'utf16le');
  return order === 'le' ? le : Buffer.from(le).swap16();
}

export interface RawZipEntry {
  name: string;
  data: Buffer;
  method?: 'store' | 'deflate';
  /** Set general-purpose bit 0 (traditional PKWARE encryption). */
  encrypted?: boolean;
  /** Uncompressed size written into the headers instead of the real one. */
  declaredSize?: number;
  /** Extra central-directory entries (named `<name>.<i>`) pointing at this entry's local header. */
  aliases?: number;
}

/** A zip written byte by byte (no zip64), able to lie in the ways attackers do. */
export function rawZip(entries: RawZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  let count = 0;
  for (const e of entries) {
    const deflate = (e.method ?? 'deflate') === 'deflate';
    const packed = deflate ? deflateRawSync(e.data, { level: 9 }) : e.data;
    // Traditional encryption puts a 12-byte header before the (here unencrypted) data.
    const body = e.encrypted ? Buffer.concat([Buffer.alloc(12, 0xa5), packed]) : packed;
    const crc = crc32(e.data) >>> 0;
    const size = e.declaredSize ?? e.data.length;
    const flags = 0x0800 | (e.encrypted ? 1 : 0);
    const name = Buffer.from(e.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const cdFor = (n: Buffer) => {
      const cd = Buffer.alloc(46);
      cd.writeUInt32LE(0x02014b50, 0);
      cd.writeUInt16LE(20, 4);
      cd.writeUInt16LE(20, 6);
      cd.writeUInt16LE(flags, 8);
      cd.writeUInt16LE(deflate ? 8 : 0, 10);
      cd.writeUInt32LE(crc, 16);
      cd.writeUInt32LE(body.length, 20);
      cd.writeUInt32LE(size, 24);
      cd.writeUInt16LE(n.length, 28);
      cd.writeUInt32LE(offset, 42);
      central.push(cd, n);
      count++;
    };
    cdFor(name);
    for (let i = 0; i < (e.aliases ?? 0); i++) cdFor(Buffer.from(`${e.name}.${i}`, 'utf8'));
    locals.push(local, name, body);
    offset += local.length + name.length + body.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBuf, end]);
}

/** Serves `body` at http://127.0.0.1:<port>/<name> until closed. */
export async function serveBytes(name: string, body: Buffer): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.url !== `/${name}`) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/zip', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/${name}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
