/**
 * A minimal zip writer for tests (stored or deflated entries, no zip64): enough to build zip bombs,
 * zip-slip entries and deeply nested archives on the fly.
 */
import { crc32, createDeflateRaw } from 'node:zlib';

export interface ZipEntryInput {
  /** The name exactly as written into the archive (may be malicious on purpose). */
  name: string;
  /** Content, or a repeated chunk (`chunk` × `times`) to make large entries without holding them. */
  data: Buffer | { chunk: Buffer; times: number };
  /** Default `deflate`. */
  method?: 'store' | 'deflate';
}

async function deflate(data: ZipEntryInput['data']): Promise<{ compressed: Buffer; crc: number; size: number }> {
  const parts = Buffer.isBuffer(data) ? [data] : Array.from({ length: data.times }, () => data.chunk);
  let crc = 0;
  let size = 0;
  const out: Buffer[] = [];
  const d = createDeflateRaw({ level: 9 });
  d.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve, reject) => {
    d.on('end', resolve);
    d.on('error', reject);
  });
  for (const p of parts) {
    crc = crc32(p, crc);
    size += p.length;
    if (!d.write(p)) await new Promise((r) => d.once('drain', r));
  }
  d.end();
  await done;
  return { compressed: Buffer.concat(out), crc, size };
}

/** Builds a zip archive in memory. */
export async function buildZip(entries: ZipEntryInput[]): Promise<Buffer> {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = Buffer.from(e.name, 'utf8');
    const method = e.method ?? 'deflate';
    let body: Buffer;
    let crc: number;
    let size: number;
    if (method === 'store') {
      body = Buffer.isBuffer(e.data) ? e.data : Buffer.concat(Array.from({ length: e.data.times }, () => (e.data as { chunk: Buffer }).chunk));
      crc = crc32(body);
      size = body.length;
    } else ({ compressed: body, crc, size } = await deflate(e.data));
    const m = method === 'store' ? 0 : 8;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(m, 8);
    local.writeUInt32LE(crc >>> 0, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0800, 8);
    cd.writeUInt16LE(m, 10);
    cd.writeUInt32LE(crc >>> 0, 16);
    cd.writeUInt32LE(body.length, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(name.length, 28);
    cd.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    central.push(cd, name);
    offset += local.length + name.length + body.length;
  }
  const cdBuf = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cdBuf.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cdBuf, end]);
}
