/**
 * Limits against archive bombs, checked while bytes stream (declared sizes in headers can lie):
 * total uncompressed bytes, bytes per entry, number of entries, compression ratio, nesting depth,
 * and the size of the archive itself. Metis has none of these beyond the depth of 10; they are ours.
 */
import { z } from 'zod';
import { errors, type RecordError, type TaskError } from '../../../errors/index.ts';

export const ArchiveLimitsSchema = z.object({
  /** Largest archive accepted (download, upload or file), compressed. Default 2 GiB. */
  maxArchiveBytes: z
    .number()
    .int()
    .positive()
    .default(2 * 1024 ** 3),
  /** Total bytes after decompression, all entries and nesting levels together. Default 8 GiB. */
  maxTotalBytes: z
    .number()
    .int()
    .positive()
    .default(8 * 1024 ** 3),
  /**
   * Largest record entry after decompression (the XML parser's 50 MiB limit). A larger one fails as
   * a record (`ARCHIVE_ENTRY_TOO_LARGE`), refused by its declared size or when inflation passes the
   * cap (it is never buffered whole); the rest of the archive goes on. Default 50 MiB.
   */
  maxRecordBytes: z
    .number()
    .int()
    .positive()
    .default(50 * 1024 ** 2),
  /** Largest nested archive after decompression. Default 512 MiB. */
  maxEntryBytes: z
    .number()
    .int()
    .positive()
    .default(512 * 1024 ** 2),
  /** Entries (files and directories) over all nesting levels. Default 2,000,000. */
  maxEntries: z.number().int().positive().default(2_000_000),
  /**
   * Largest decompressed/compressed ratio of a nested archive or a gzip stream (a gzip stream is
   * only judged past the record limit, so one compressible record passes). Record entries are
   * bounded by `maxRecordBytes` instead. Default 200.
   */
  maxCompressionRatio: z.number().positive().default(200),
  /** The ratio is only judged once this many bytes came out (small files compress oddly). Default 1 MiB. */
  ratioGraceBytes: z
    .number()
    .int()
    .min(0)
    .default(1024 ** 2),
  /** Nesting levels of archives inside the archive (Metis: 10). */
  maxDepth: z.number().int().min(0).default(10),
});
export type ArchiveLimits = z.infer<typeof ArchiveLimitsSchema>;
export type ArchiveLimitsInput = z.input<typeof ArchiveLimitsSchema>;

/** Running totals of one harvest, shared by all nesting levels. */
export class LimitTracker {
  totalBytes = 0;
  entries = 0;

  constructor(readonly limits: ArchiveLimits) {}

  /** Counts one more entry. Throws TaskError `ARCHIVE_TOO_MANY_ENTRIES`. */
  countEntry(): void {
    if (++this.entries > this.limits.maxEntries) {
      throw errors.ARCHIVE_TOO_MANY_ENTRIES({ max: this.limits.maxEntries });
    }
  }

  /**
   * Counts `n` more decompressed bytes of the entry `what`, which has produced `entryBytes` so far
   * from `compressedBytes` input (undefined when unknown). Throws TaskError `ARCHIVE_BOMB` when a
   * limit is passed.
   */
  countBytes(n: number, what: string, entryBytes: number, compressedBytes?: number): void {
    this.countTotal(n, what);
    const l = this.limits;
    if (entryBytes > l.maxEntryBytes) throw bomb(`Entry ${what} expands to more than ${l.maxEntryBytes} bytes`);
    if (
      compressedBytes !== undefined &&
      entryBytes > l.ratioGraceBytes &&
      entryBytes / Math.max(compressedBytes, 1) > l.maxCompressionRatio
    ) {
      throw bomb(
        `Entry ${what} has a compression ratio above ${l.maxCompressionRatio} (${entryBytes} bytes from ${compressedBytes})`,
      );
    }
  }

  /** Counts `n` more decompressed bytes towards the total. Throws TaskError `ARCHIVE_BOMB`. */
  countTotal(n: number, what: string): void {
    this.totalBytes += n;
    if (this.totalBytes > this.limits.maxTotalBytes)
      throw bomb(`Archive expands to more than ${this.limits.maxTotalBytes} bytes (at ${what})`);
  }

  /**
   * Judges the ratio of a decompressing stream whose output is counted elsewhere (a tar.gz: its
   * entries count the bytes). Throws TaskError `ARCHIVE_BOMB`.
   */
  checkRatio(what: string, outBytes: number, inBytes: number): void {
    const l = this.limits;
    if (
      outBytes > Math.max(l.ratioGraceBytes, l.maxRecordBytes) &&
      outBytes / Math.max(inBytes, 1) > l.maxCompressionRatio
    ) {
      throw bomb(`${what} has a compression ratio above ${l.maxCompressionRatio} (${outBytes} bytes from ${inBytes})`);
    }
  }
}

function bomb(message: string): TaskError {
  return errors.ARCHIVE_BOMB({ detail: message });
}

/**
 * Reads a decompressing stream into one Buffer while counting against the limits.
 * `compressedBytes()` tells how much input has been consumed so far (for the ratio).
 */
export async function readEntry(
  stream: AsyncIterable<Buffer>,
  what: string,
  tracker: LimitTracker,
  compressedBytes?: () => number | undefined,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    tracker.countBytes(chunk.length, what, size, compressedBytes?.());
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

/**
 * Reads one record entry into a Buffer, counting towards the total. Past `maxRecordBytes` it stops
 * buffering and gives back a record error: with `drain` it reads on to the entry's end (a tar entry
 * must be skipped in the stream, still counted towards the total), otherwise it stops inflating
 * (the stream is destroyed). Throws TaskError `ARCHIVE_BOMB` when the total passes its cap.
 */
export async function readRecord(
  stream: AsyncIterable<Buffer>,
  what: string,
  tracker: LimitTracker,
  drain = false,
  declaredSize?: number,
): Promise<Buffer | RecordError> {
  const max = tracker.limits.maxRecordBytes;
  // Declared too large (a tar header's size is exact): nothing is buffered, only counted.
  const keep = declaredSize === undefined || declaredSize <= max;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    tracker.countTotal(chunk.length, what);
    if (size <= max && keep) chunks.push(chunk);
    else if (!drain) return tooLargeRecord(what, max);
    else chunks.length = 0;
  }
  if (size > max) return tooLargeRecord(what, max, declaredSize);
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, size);
}

/** The record error of an entry larger than the record limit. */
export function tooLargeRecord(what: string, max: number, declared?: number): RecordError {
  const size = declared === undefined ? `more than ${max}` : `${declared}`;
  return errors.ARCHIVE_ENTRY_TOO_LARGE({ path: what, size, max });
}
