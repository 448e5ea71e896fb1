/**
 * Where an archive comes from (metis-steps.md §2 "Inputs"): an `http`/`https`/`file` URL, a local
 * path, or an upload (Buffer or stream). Anything that is not already in memory is copied to a temp
 * file first, because zip needs random access (its directory is at the end), as Metis also does.
 */
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { isIP } from 'node:net';
import { Agent, request, type Dispatcher } from 'undici';
import { errors, TaskError } from '../../../errors/index.ts';
import { isAddressAllowed, type AddressPolicy } from '../../http/address-policy.ts';
import type { RequestGate } from '../../http/request-gate.ts';
import { checkedLookup } from '../../http/checked-lookup.ts';

export type ArchiveSource =
  | { url: string }
  | { path: string }
  | { buffer: Buffer; name?: string }
  | { stream: AsyncIterable<Uint8Array>; name?: string };

/** An archive ready to read: in memory or in a file. `name` is its file name (for single-file gzip). */
export type ArchiveBlob = { name: string; buffer: Buffer } | { name: string; file: string; size: number };

export interface SourceOptions {
  maxArchiveBytes: number;
  /** For http(s) URLs; default: an Agent with 30 s connect and 300 s read timeouts. */
  dispatcher?: Dispatcher;
  /** Redirects followed for http(s) URLs (default 5). */
  maxRedirects?: number;
  /**
   * Where a redirect to another host may go (the operator's own URL is trusted, as for OAI-PMH
   * endpoints). Default: public addresses only. Address literals are checked before connecting,
   * names when their DNS answers arrive.
   */
  redirectPolicy?: AddressPolicy;
  signal?: AbortSignal;
  /** Politeness: the download (all its redirects and its body) holds one request of the host's budget. */
  gate?: RequestGate;
}

/** A temp directory removed by `dispose()`; created lazily. */
export class TempDir {
  private dir?: Promise<string>;

  async file(name: string): Promise<string> {
    this.dir ??= mkdtemp(join(tmpdir(), 'metis-archive-'));
    return join(await this.dir, name);
  }

  async dispose(): Promise<void> {
    if (this.dir) await rm(await this.dir, { recursive: true, force: true });
  }
}

/**
 * Makes a source readable. Throws TaskError: `ARCHIVE_PROTOCOL` ("This functionality does not
 * support this protocol (ftp)."), `ARCHIVE_DOWNLOAD` ("Problem downloading archive <url>: …"),
 * `ARCHIVE_NOT_FOUND`, `ARCHIVE_TOO_LARGE`.
 */
export async function openSource(source: ArchiveSource, temp: TempDir, opts: SourceOptions): Promise<ArchiveBlob> {
  if ('buffer' in source) {
    if (source.buffer.length > opts.maxArchiveBytes) throw tooLarge(opts.maxArchiveBytes);
    return { name: source.name ?? 'upload', buffer: source.buffer };
  }
  if ('stream' in source) {
    const file = await temp.file('upload');
    const size = await spool(source.stream, file, opts.maxArchiveBytes, opts.signal);
    return { name: source.name ?? 'upload', file, size };
  }
  if ('path' in source) return localFile(source.path, opts.maxArchiveBytes);

  let url: URL;
  try {
    url = new URL(source.url);
  } catch {
    throw errors.ARCHIVE_DOWNLOAD({ url: source.url, detail: 'not a URL' });
  }
  const protocol = url.protocol.replace(/:$/, '');
  if (protocol === 'file') return localFile(fileURLToPath(url), opts.maxArchiveBytes);
  if (protocol !== 'http' && protocol !== 'https') throw errors.ARCHIVE_PROTOCOL({ protocol });
  const name = decodeURIComponent(url.pathname.split('/').pop() || 'download');
  const file = await temp.file('download');
  const release = await opts.gate?.(url.href, opts.signal);
  try {
    const size = await download(url, file, opts);
    return { name, file, size };
  } finally {
    release?.();
  }
}

async function localFile(path: string, max: number): Promise<ArchiveBlob> {
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw errors.ARCHIVE_NOT_FOUND({ path, detail: 'not a regular file' });
    size = s.size;
  } catch (err) {
    throw errors.ARCHIVE_NOT_FOUND({ path, detail: (err as Error).message }, { cause: err });
  }
  if (size > max) throw tooLarge(max);
  return { name: basename(path), file: path, size };
}

async function download(url: URL, file: string, opts: SourceOptions): Promise<number> {
  const own = opts.dispatcher
    ? undefined
    : new Agent({ connect: { timeout: 30_000 }, headersTimeout: 300_000, bodyTimeout: 300_000 });
  const policy = opts.redirectPolicy ?? {};
  let elsewhere: Agent | undefined;
  try {
    let current = url;
    for (let redirects = 0; ; redirects++) {
      // A hop to another host than the operator's goes through an agent that checks DNS answers.
      const foreign = current.host !== url.host;
      if (foreign && !opts.dispatcher)
        elsewhere ??= new Agent({
          connect: { timeout: 30_000, lookup: checkedLookup(policy) },
          headersTimeout: 300_000,
          bodyTimeout: 300_000,
        });
      const dispatcher = opts.dispatcher ?? (foreign ? elsewhere : own);
      const res = await request(current, { dispatcher, signal: opts.signal });
      const location = res.headers.location;
      if (
        res.statusCode >= 300 &&
        res.statusCode < 400 &&
        typeof location === 'string' &&
        redirects < (opts.maxRedirects ?? 5)
      ) {
        await res.body.dump();
        current = new URL(location, current);
        if (!/^https?:$/.test(current.protocol))
          throw errors.ARCHIVE_PROTOCOL({ protocol: current.protocol.replace(/:$/, '') });
        const host = current.hostname.replace(/^\[|\]$/g, '');
        if (current.host !== url.host && isIP(host) && !isAddressAllowed(host, policy))
          throw errors.ARCHIVE_DOWNLOAD({
            url: String(url),
            detail: `Redirect to ${host} refused by the address policy`,
          });
        continue;
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        await res.body.dump().catch(() => undefined);
        throw errors.ARCHIVE_DOWNLOAD({
          url: String(url),
          detail: `HTTP status ${res.statusCode}`,
          status: res.statusCode,
        });
      }
      const declared = Number(res.headers['content-length']);
      if (Number.isFinite(declared) && declared > opts.maxArchiveBytes) {
        res.body.destroy();
        throw tooLarge(opts.maxArchiveBytes);
      }
      return await spool(res.body, file, opts.maxArchiveBytes, opts.signal);
    }
  } catch (err) {
    if (err instanceof TaskError || opts.signal?.aborted) throw err;
    throw errors.ARCHIVE_DOWNLOAD({ url: String(url), detail: (err as Error).message }, { cause: err });
  } finally {
    await own?.close();
    await elsewhere?.close();
  }
}

/** Copies a stream into a file, failing once it passes `max` bytes. Returns the size. */
async function spool(
  stream: AsyncIterable<Uint8Array>,
  file: string,
  max: number,
  signal?: AbortSignal,
): Promise<number> {
  let size = 0;
  await pipeline(
    async function* () {
      for await (const chunk of stream) {
        size += chunk.length;
        if (size > max) throw tooLarge(max);
        yield chunk;
      }
    },
    createWriteStream(file),
    { signal },
  );
  return size;
}

function tooLarge(max: number): TaskError {
  return errors.ARCHIVE_TOO_LARGE({ max });
}
