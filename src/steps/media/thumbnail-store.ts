/**
 * Where thumbnails go. Metis stores them in S3 under `md5(url)-MEDIUM|LARGE`; the default here is
 * a directory, with an S3-compatible store in `s3-thumbnail-store.ts`.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { errors } from '../../errors/index.ts';

export interface ThumbnailStore {
  /** Stores (or overwrites) one thumbnail. Rejects when it could not be stored. */
  put(name: string, bytes: Buffer, contentType: string): Promise<void>;
  /** Reads a stored thumbnail; undefined when absent. */
  get(name: string): Promise<{ bytes: Buffer; contentType: string } | undefined>;
}

const SAFE_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * A directory of thumbnails: `<dir>/<name>` holds the bytes, `<dir>/<name>.type` the MIME type.
 * Writes go through a temporary file and a rename, so a reader never sees half a thumbnail.
 */
export function createFileThumbnailStore(dir: string): ThumbnailStore {
  let ready: Promise<unknown> | undefined;
  const check = (name: string) => {
    if (!SAFE_NAME.test(name) || name.startsWith('.'))
      throw errors.INTERNAL({ detail: `Invalid thumbnail name: ${name}` });
  };
  return {
    async put(name, bytes, contentType) {
      check(name);
      ready ??= mkdir(dir, { recursive: true });
      await ready;
      const tmp = join(dir, `.${name}.${process.pid}.${Date.now()}.tmp`);
      await writeFile(tmp, bytes);
      await writeFile(join(dir, `${name}.type`), contentType);
      await rename(tmp, join(dir, name));
    },
    async get(name) {
      check(name);
      try {
        const [bytes, contentType] = await Promise.all([
          readFile(join(dir, name)),
          readFile(join(dir, `${name}.type`), 'utf8'),
        ]);
        return { bytes, contentType };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    },
  };
}

/** An in-memory store (tests, dry runs). */
export function createMemoryThumbnailStore(): ThumbnailStore & { names(): string[] } {
  const items = new Map<string, { bytes: Buffer; contentType: string }>();
  return {
    async put(name, bytes, contentType) {
      items.set(name, { bytes, contentType });
    },
    async get(name) {
      return items.get(name);
    },
    names: () => [...items.keys()],
  };
}
