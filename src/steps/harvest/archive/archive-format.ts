/**
 * Reading archive bytes: the format recognised by its magic bytes (not by the name), the tar header
 * check, and the small stream helpers the archive walker (archive-harvest.ts) uses.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import type { ArchiveBlob } from './archive-source.ts';

export type Format = 'zip' | 'gzip' | 'tar' | 'bzip2' | 'xz' | '7z' | 'unknown';

export function nextZipEntry(zip: yauzl.ZipFile): Promise<yauzl.Entry | undefined> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      zip.off('entry', onEntry);
      zip.off('end', onEnd);
      zip.off('error', onError);
    };
    const onEntry = (e: yauzl.Entry) => (cleanup(), resolve(e));
    const onEnd = () => (cleanup(), resolve(undefined));
    const onError = (err: Error) => (cleanup(), reject(err));
    zip.on('entry', onEntry);
    zip.on('end', onEnd);
    zip.on('error', onError);
    zip.readEntry();
  });
}

export function chunks(blob: ArchiveBlob): AsyncIterable<Buffer> {
  return 'buffer' in blob ? Readable.from([blob.buffer]) : createReadStream(blob.file);
}

/** The first 512 bytes (less for a shorter archive). */
export async function head(blob: ArchiveBlob): Promise<Buffer> {
  if ('buffer' in blob) return blob.buffer.subarray(0, 512);
  const fh = await open(blob.file, 'r');
  try {
    const buf = Buffer.alloc(512);
    const { bytesRead } = await fh.read(buf, 0, 512, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Reads at least `n` bytes (fewer at the end) and gives back an iterable that replays them first. */
export async function peek(
  source: AsyncGenerator<Buffer>,
  n: number,
): Promise<{ head: Buffer; rest: AsyncIterable<Buffer> }> {
  const taken: Buffer[] = [];
  let size = 0;
  while (size < n) {
    const r = await source.next();
    if (r.done) break;
    taken.push(r.value);
    size += r.value.length;
  }
  const headBuf = Buffer.concat(taken);
  async function* rest() {
    if (headBuf.length) yield headBuf;
    yield* source;
  }
  return { head: headBuf, rest: rest() };
}

export function detect(h: Buffer): Format {
  if (h.length >= 4 && h[0] === 0x50 && h[1] === 0x4b && (h[2] === 3 || h[2] === 5 || h[2] === 7)) return 'zip';
  if (h.length >= 2 && h[0] === 0x1f && h[1] === 0x8b) return 'gzip';
  if (isTarHeader(h)) return 'tar';
  if (h.subarray(0, 3).toString('latin1') === 'BZh') return 'bzip2';
  if (h.subarray(0, 6).equals(Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]))) return 'xz';
  if (h.subarray(0, 6).equals(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]))) return '7z';
  return 'unknown';
}

/** A POSIX/GNU tar header: `ustar` magic, or an old-style header whose checksum adds up. */
export function isTarHeader(h: Buffer): boolean {
  if (h.length < 512) return false;
  if (h.subarray(257, 262).toString('latin1') === 'ustar') return true;
  const stored = parseInt(h.subarray(148, 156).toString('latin1').replace(/[\0 ]/g, ''), 8);
  if (!Number.isFinite(stored) || stored === 0) return false;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
  return sum === stored;
}
