/**
 * Where the EDM schemas come from (metis-steps.md §4 "Inputs"): a local folder, a local `.zip`, or a
 * zip URL as Metis configures (`predefinedSchemas.EDM-EXTERNAL.url`). A zip URL is downloaded once and
 * extracted into `<cacheDir>/<sha256(url)>/`; later calls (also from other processes) reuse that folder.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import yauzl from 'yauzl';
import { errors, TaskError } from '../../errors/index.ts';

export interface SchemaSourceOptions {
  /** Folder for extracted zips. Default `<os tmpdir>/metis-streams-schemas`. */
  cacheDir?: string;
  /** Download timeout in milliseconds. Default 60000. */
  downloadTimeoutMs?: number;
  /** Largest accepted zip, in bytes. Default 64 MiB. */
  maxZipBytes?: number;
}

const inFlight = new Map<string, Promise<string>>();

/**
 * Resolves a schema location to a local folder holding the XSDs.
 * @param location a folder path, a `file:` URL, a local `.zip` path, or an `http(s):` URL of a zip
 * @returns the absolute folder path
 * @throws TaskError `SCHEMA_UNAVAILABLE` when the folder is missing or the download/extraction fails
 */
export async function resolveSchemaDir(location: string, opts: SchemaSourceOptions = {}): Promise<string> {
  if (/^https?:\/\//i.test(location)) return cached(location, opts, () => download(location, opts));
  const path = location.startsWith('file:') ? fileURLToPath(location) : resolve(location);
  if (!existsSync(path)) throw errors.SCHEMA_UNAVAILABLE({ detail: `Schema location not found: ${location}` });
  if (statSync(path).isDirectory()) return path;
  if (path.toLowerCase().endsWith('.zip')) return cached(path, opts, () => readFile(path));
  throw errors.SCHEMA_UNAVAILABLE({ detail: `Schema location is neither a folder nor a zip: ${location}` });
}

/**
 * Finds the root XSD inside a schema folder: `<dir>/<rootFile>`, or inside the only sub-folder when
 * the zip wrapped everything in one top-level folder.
 * @throws TaskError `SCHEMA_UNAVAILABLE` when it is not there
 */
export function findRootFile(dir: string, rootFile: string): string {
  const direct = join(dir, rootFile);
  if (existsSync(direct)) return direct;
  const subdirs = readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory());
  if (subdirs.length === 1) {
    const nested = join(dir, subdirs[0].name, rootFile);
    if (existsSync(nested)) return nested;
  }
  throw errors.SCHEMA_UNAVAILABLE({ detail: `Root schema ${rootFile} not found in ${dir}` });
}

async function cached(key: string, opts: SchemaSourceOptions, load: () => Promise<Buffer>): Promise<string> {
  const cacheDir = resolve(opts.cacheDir ?? join(tmpdir(), 'metis-streams-schemas'));
  const target = join(cacheDir, createHash('sha256').update(key).digest('hex').slice(0, 32));
  const running = inFlight.get(target);
  if (running) return running;
  const job = (async () => {
    if (existsSync(join(target, '.complete'))) return target;
    const zip = await load();
    const maxBytes = opts.maxZipBytes ?? 64 * 1024 * 1024;
    if (zip.length > maxBytes) throw errors.SCHEMA_UNAVAILABLE({ detail: `Schema zip too large: ${zip.length} bytes` });
    // Extract next to the target, then rename: a crash or a concurrent process never sees half a folder.
    const temp = `${target}.tmp-${process.pid}-${randomUUID()}`;
    try {
      await extractZip(zip, temp);
      await writeFile(join(temp, '.complete'), key);
      await rename(temp, target).catch(async (err: NodeJS.ErrnoException) => {
        if (!existsSync(join(target, '.complete'))) throw err; // another process won the race otherwise
      });
    } catch (err) {
      throw err instanceof TaskError
        ? err
        : errors.SCHEMA_UNAVAILABLE(
            { detail: `Cannot extract schema zip from ${key}: ${(err as Error).message}` },
            { cause: err },
          );
    } finally {
      await rm(temp, { recursive: true, force: true });
    }
    return target;
  })();
  inFlight.set(target, job);
  try {
    return await job;
  } finally {
    inFlight.delete(target);
  }
}

async function download(url: string, opts: SchemaSourceOptions): Promise<Buffer> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(opts.downloadTimeoutMs ?? 60_000) });
  } catch (err) {
    throw errors.SCHEMA_UNAVAILABLE(
      { detail: `Cannot download schema zip ${url}: ${(err as Error).message}` },
      { cause: err },
    );
  }
  if (!res.ok)
    throw errors.SCHEMA_UNAVAILABLE({
      detail: `Cannot download schema zip ${url}: HTTP ${res.status}`,
      status: res.status,
    });
  return Buffer.from(await res.arrayBuffer());
}

/** Extracts a zip into `dest`, refusing entries that would land outside it (zip-slip). */
async function extractZip(zip: Buffer, dest: string): Promise<void> {
  await mkdir(dest, { recursive: true });
  const root = resolve(dest) + sep;
  const file = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  try {
    for await (const entry of file.eachEntry()) {
      const name = normalize(entry.fileName);
      const out = resolve(dest, name);
      if (isAbsolute(entry.fileName) || !out.startsWith(root))
        throw errors.SCHEMA_UNAVAILABLE({ detail: `unsafe zip entry ${entry.fileName}` });
      if (entry.fileName.endsWith('/')) {
        await mkdir(out, { recursive: true });
        continue;
      }
      await mkdir(dirname(out), { recursive: true });
      await pipeline(await file.openReadStreamPromise(entry), createWriteStream(out));
    }
  } finally {
    file.close();
  }
}
