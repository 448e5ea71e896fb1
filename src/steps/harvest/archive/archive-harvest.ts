/**
 * Archive harvesting (metis-steps.md §2): zip, tar, tar.gz/tgz and single-file gz, from a URL, a
 * path or an upload, as an async iterator of `{ path, content }`, one per record file.
 *
 * Metis's rules: every regular file is a record (no `.xml` filter), except entries under a
 * `__MACOSX` directory, `.DS_Store` files and files with an archive extension; the latter are
 * nested archives, opened in turn up to 10 levels deep. The record id is the path relative to the
 * extraction root, with `% $:?&#<>|*,` and NUL replaced by `_`; a nested archive's entries sit in
 * the nested archive's directory. Entries that climb out of their directory are refused (zip-slip).
 *
 * Ours on top: the format is recognised by its magic bytes, not by the name; the limits of
 * archive-limits.ts stop archive bombs; nesting deeper than the limit fails the task (Metis leaves
 * such archives unextracted with a log warning). A record entry over the record limit (declared or
 * inflated size) or a zip entry whose data does not inflate comes out with a record `error` and the
 * walk goes on; overlapping zip entries (the zip bomb by overlap) and encrypted entries fail the task.
 * One file, though over 300 lines: the walk over zip, tar and gz shares one budget of inflated bytes
 * and one recursion for nested archives; formats and limits are in archive-format.ts and archive-limits.ts.
 */
import { createWriteStream } from 'node:fs';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32, createGunzip } from 'node:zlib';
import { extract as tarExtract } from 'tar-stream';
import yauzl from 'yauzl';
import { errors, isTaskError, RecordError, TaskError } from '../../../errors/index.ts';
import {
  ArchiveLimitsSchema,
  LimitTracker,
  readEntry,
  readRecord,
  tooLargeRecord,
  type ArchiveLimitsInput,
} from './archive-limits.ts';
import { dirName, gunzippedName, hasArchiveExtension, isSkipped, resolveEntryPath } from './archive-names.ts';
import { chunks, detect, head, isTarHeader, nextZipEntry, peek } from './archive-format.ts';
import { openSource, TempDir, type ArchiveBlob, type ArchiveSource } from './archive-source.ts';
import type { Dispatcher } from 'undici';
import type { AddressPolicy } from '../../http/address-policy.ts';
import type { RequestGate } from '../../http/request-gate.ts';

export type { ArchiveSource } from './archive-source.ts';

/**
 * One record file of the archive. `path` is the record's provider id (Metis: relative path). An
 * entry that cannot be a record (larger than the record limit, data that does not inflate) comes
 * with `error` (a record error: that record fails, the others go on) and an empty `content`.
 */
export interface ArchiveRecord {
  path: string;
  content: Buffer;
  error?: RecordError;
}

export interface ArchiveHarvestOptions {
  limits?: ArchiveLimitsInput;
  /** Also skip files and directories whose name starts with `.` (Metis does not; default false). */
  skipHiddenFiles?: boolean;
  /** Dispatcher for http(s) downloads. */
  dispatcher?: Dispatcher;
  /** Where a download's redirect to another host may go (default: public addresses only). */
  redirectPolicy?: AddressPolicy;
  signal?: AbortSignal;
  /** Politeness towards the archive's host (`SourceOptions.gate`). */
  gate?: RequestGate;
  /** Told about entries left out for a reason worth logging (a nested "archive" that is not one). */
  onWarning?: (message: string) => void;
}

export interface ArchiveHarvestStats {
  records: number;
  /** Entries left out: Mac junk, directories, hidden files (option), unreadable nested files. */
  skipped: number;
  entries: number;
  totalBytes: number;
}

/** Where an entry comes from: its data errors are isolated in a zip, not in a tar or gzip stream. */
type EntryKind = 'zip' | 'tar' | 'gzip';

/** Nested archives up to this size are kept in memory; larger ones go to a temp file. */
const IN_MEMORY_NESTED_BYTES = 16 * 1024 * 1024;

/**
 * Harvests an archive. Iterate the result once; `stats` fills as it goes. The iteration throws
 * TaskError for task-level problems: `ARCHIVE_INVALID_TYPE` ("The compressed file type is
 * invalid"), `ARCHIVE_CORRUPT`, `ARCHIVE_ZIP_SLIP`, `ARCHIVE_BOMB`, `ARCHIVE_TOO_MANY_ENTRIES`,
 * `ARCHIVE_TOO_DEEP`, and the source errors of archive-source.ts. Temp files are removed when the
 * iteration ends, fails or is abandoned.
 */
export function harvestArchive(source: ArchiveSource, options: ArchiveHarvestOptions = {}): ArchiveHarvest {
  return new ArchiveHarvest(source, options);
}

export class ArchiveHarvest implements AsyncIterable<ArchiveRecord> {
  readonly stats: ArchiveHarvestStats = { records: 0, skipped: 0, entries: 0, totalBytes: 0 };
  private readonly tracker: LimitTracker;
  private readonly temp = new TempDir();
  private nestedFiles = 0;

  constructor(
    private readonly source: ArchiveSource,
    private readonly options: ArchiveHarvestOptions,
  ) {
    this.tracker = new LimitTracker(ArchiveLimitsSchema.parse(options.limits ?? {}));
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<ArchiveRecord> {
    try {
      const blob = await openSource(this.source, this.temp, {
        maxArchiveBytes: this.tracker.limits.maxArchiveBytes,
        dispatcher: this.options.dispatcher,
        redirectPolicy: this.options.redirectPolicy,
        signal: this.options.signal,
        gate: this.options.gate,
      });
      for await (const record of this.walk(blob, '', 0, true)) {
        this.stats.records++;
        yield record;
      }
    } finally {
      this.stats.entries = this.tracker.entries;
      this.stats.totalBytes = this.tracker.totalBytes;
      await this.temp.dispose();
    }
  }

  /** Records of one archive whose entries resolve against `baseDir`. */
  private async *walk(blob: ArchiveBlob, baseDir: string, depth: number, root: boolean): AsyncGenerator<ArchiveRecord> {
    const label = baseDir ? `${baseDir}/${blob.name}` : blob.name;
    const format = detect(await head(blob));
    if (format !== 'zip' && format !== 'tar' && format !== 'gzip') {
      if (root) {
        const kind = format === 'unknown' ? '' : ` (${format} is not supported)`;
        throw errors.ARCHIVE_INVALID_TYPE({ detail: kind });
      }
      this.stats.skipped++;
      this.options.onWarning?.(`Skipped ${label}: not a supported archive`);
      return;
    }
    try {
      if (format === 'zip') yield* this.walkZip(blob, baseDir, depth);
      else if (format === 'tar') yield* this.walkTar(chunks(blob), baseDir, depth);
      else yield* this.walkGzip(blob, baseDir, depth);
    } catch (err) {
      if (err instanceof TaskError || this.options.signal?.aborted) throw err;
      if (/encrypt/i.test((err as Error).message)) throw errors.ARCHIVE_ENCRYPTED({ path: label }, { cause: err });
      throw errors.ARCHIVE_CORRUPT({ name: label, detail: (err as Error).message }, { cause: err });
    }
  }

  /** Handles one file entry: skip, record, or nested archive. `open` gives its decompressed bytes. */
  private async *entry(
    name: string,
    baseDir: string,
    depth: number,
    open: () => Promise<AsyncIterable<Buffer>>,
    sizeHint?: number,
    compressed?: () => number | undefined,
    kind: EntryKind = 'gzip',
  ): AsyncGenerator<ArchiveRecord> {
    this.tracker.countEntry();
    if (isSkipped(name.replace(/\\/g, '/'), this.options.skipHiddenFiles)) {
      this.stats.skipped++;
      return;
    }
    const path = resolveEntryPath(baseDir, name);
    if (path === '') return;
    if (!hasArchiveExtension(path)) {
      yield await this.record(path, open, sizeHint, kind);
      return;
    }
    if (depth + 1 > this.tracker.limits.maxDepth) {
      throw errors.ARCHIVE_TOO_DEEP({ max: this.tracker.limits.maxDepth, path });
    }
    const nested = await this.materialize(await open(), path, sizeHint, compressed);
    yield* this.walk(nested, dirName(path), depth + 1, false);
  }

  /**
   * One record entry: refused by its declared size before it is opened, else read up to the record
   * limit (a tar entry is then read on to its end without buffering; otherwise inflation stops).
   * A zip entry whose data fails to inflate is a record error too (the central directory keeps the
   * other entries intact); in a tar or gzip stream such an error ends the stream (ARCHIVE_CORRUPT).
   */
  private async record(
    path: string,
    open: () => Promise<AsyncIterable<Buffer>>,
    sizeHint: number | undefined,
    kind: EntryKind,
  ): Promise<ArchiveRecord> {
    const drain = kind === 'tar';
    const max = this.tracker.limits.maxRecordBytes;
    const failed = (error: RecordError): ArchiveRecord => ({ path, content: Buffer.alloc(0), error });
    if (sizeHint !== undefined && sizeHint > max && !drain) return failed(tooLargeRecord(path, max, sizeHint));
    try {
      const content = await readRecord(await open(), path, this.tracker, drain, sizeHint);
      return content instanceof RecordError ? failed(content) : { path, content };
    } catch (err) {
      if (isTaskError(err) || kind !== 'zip' || this.options.signal?.aborted) throw err;
      return failed(errors.ARCHIVE_ENTRY_CORRUPT({ path, detail: (err as Error).message }, { cause: err }));
    }
  }

  /** Keeps a nested archive in memory, or in a temp file when it is large. */
  private async materialize(
    stream: AsyncIterable<Buffer>,
    path: string,
    sizeHint?: number,
    compressed?: () => number | undefined,
  ): Promise<ArchiveBlob> {
    const name = basename(path);
    if (sizeHint !== undefined && sizeHint <= IN_MEMORY_NESTED_BYTES)
      return { name, buffer: await readEntry(stream, path, this.tracker, compressed) };
    const file = await this.temp.file(`nested-${++this.nestedFiles}`);
    const tracker = this.tracker;
    let size = 0;
    await pipeline(async function* () {
      for await (const chunk of stream) {
        size += chunk.length;
        tracker.countBytes(chunk.length, path, size, compressed?.());
        yield chunk;
      }
    }, createWriteStream(file));
    return { name, file, size };
  }

  private async *walkZip(blob: ArchiveBlob, baseDir: string, depth: number): AsyncGenerator<ArchiveRecord> {
    const options = { lazyEntries: true, decodeStrings: false, validateEntrySizes: true, autoClose: false } as const;
    const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
      const done = (err: Error | null, z?: yauzl.ZipFile) =>
        err || !z ? reject(err ?? errors.ARCHIVE_CORRUPT({ name: 'zip', detail: 'cannot open zip' })) : resolve(z);
      if ('buffer' in blob) yauzl.fromBuffer(blob.buffer, options, done);
      else yauzl.open(blob.file, options, done);
    });
    const overlaps = new ZipExtents();
    try {
      for (;;) {
        const e = await nextZipEntry(zip);
        if (!e) return;
        // Commons Compress reads names as UTF-8 by default; so do we (decodeStrings: false keeps yauzl's own name checks out of the way).
        const name = (e.fileName as unknown as Buffer).toString('utf8');
        if (name.endsWith('/')) {
          this.tracker.countEntry();
          this.stats.skipped++;
          continue;
        }
        if (e.isEncrypted()) throw errors.ARCHIVE_ENCRYPTED({ path: name });
        overlaps.add(name, e.relativeOffsetOfLocalHeader, e.compressedSize);
        const open = () =>
          new Promise<AsyncIterable<Buffer>>((resolve, reject) =>
            zip.openReadStream(e, (err, s) => (err || !s ? reject(err) : resolve(crcChecked(s, e.crc32)))),
          );
        yield* this.entry(name, baseDir, depth, open, e.uncompressedSize, () => e.compressedSize, 'zip');
      }
    } finally {
      zip.close();
    }
  }

  private async *walkTar(input: AsyncIterable<Buffer>, baseDir: string, depth: number): AsyncGenerator<ArchiveRecord> {
    // Old (v7) tar headers have no `ustar` magic; isTarHeader already checked their checksum.
    // (@types/tar-stream lacks the option.)
    const extractor = tarExtract({ allowUnknownFormat: true } as unknown as Parameters<typeof tarExtract>[0]);
    const source = Readable.from(input);
    source.on('error', (err) => extractor.destroy(err));
    source.pipe(extractor);
    try {
      for await (const e of extractor) {
        const h = e.header;
        if ((h.type !== 'file' && h.type !== 'contiguous-file') || h.name.endsWith('/')) {
          // Directories, links and devices are not records (links could point anywhere).
          this.tracker.countEntry();
          this.stats.skipped++;
          e.resume();
          continue;
        }
        let consumed = false;
        const open = async () => {
          consumed = true;
          return e as AsyncIterable<Buffer>;
        };
        yield* this.entry(h.name, baseDir, depth, open, h.size, undefined, 'tar');
        if (!consumed) e.resume();
      }
    } finally {
      source.destroy();
      extractor.destroy();
    }
  }

  private async *walkGzip(blob: ArchiveBlob, baseDir: string, depth: number): AsyncGenerator<ArchiveRecord> {
    const label = baseDir ? `${baseDir}/${blob.name}` : blob.name;
    let compressedIn = 0;
    let out = 0;
    // A tar inside is judged as a whole stream; a single gzipped file is one record, bounded by the record limit.
    let judgeRatio = true;
    const tracker = this.tracker;
    const counted = async function* () {
      for await (const c of chunks(blob)) {
        compressedIn += c.length;
        yield c;
      }
    };
    const gunzip = createGunzip();
    const input = Readable.from(counted());
    input.on('error', (err) => gunzip.destroy(err));
    input.pipe(gunzip);
    const inflated = async function* () {
      for await (const c of gunzip as AsyncIterable<Buffer>) {
        out += c.length;
        if (judgeRatio) tracker.checkRatio(label, out, compressedIn);
        yield c;
      }
    };
    const { head: first, rest } = await peek(inflated(), 512);
    if (isTarHeader(first)) {
      yield* this.walkTar(rest, baseDir, depth);
      return;
    }
    // A single compressed file: its name is the archive's without `.gz` (`.tgz` → `.tar`).
    judgeRatio = hasArchiveExtension(gunzippedName(blob.name));
    yield* this.entry(
      gunzippedName(blob.name),
      baseDir,
      depth,
      async () => rest,
      undefined,
      () => compressedIn,
    );
  }
}

/**
 * The byte ranges of a zip's entries (local header + data), to refuse entries that share data: the
 * "zip bomb by overlap" (many central-directory entries pointing at one local entry, or each
 * entry's data containing the next). A genuine zip never overlaps. Throws TaskError `ARCHIVE_BOMB`.
 */
class ZipExtents {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  private readonly names: string[] = [];

  add(name: string, offset: number, compressedSize: number): void {
    const start = offset;
    const end = offset + 30 + compressedSize; // the local header is at least 30 bytes
    const s = this.starts;
    // Entries usually come in offset order: then this is a push.
    let i = s.length;
    if (i > 0 && s[i - 1] > start) {
      let lo = 0;
      let hi = s.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (s[mid] <= start) lo = mid + 1;
        else hi = mid;
      }
      i = lo;
    }
    const other =
      i > 0 && this.ends[i - 1] > start
        ? i - 1
        : i < s.length && s[i] < end
          ? i
          : i > 0 && s[i - 1] === start
            ? i - 1
            : -1;
    if (other >= 0) {
      throw errors.ARCHIVE_BOMB({
        detail: `Zip entries ${this.names[other]} and ${name} overlap (a zip bomb by overlapping entries)`,
      });
    }
    s.splice(i, 0, start);
    this.ends.splice(i, 0, end);
    this.names.splice(i, 0, name);
  }
}

/**
 * yauzl does not check an entry's CRC-32; Java's ZipInputStream (Metis) does and refuses the entry
 * ("invalid entry CRC"), so a damaged entry is never harvested as a record with altered bytes.
 * Checked when the stream ends; an entry cut short for being too large is not judged.
 */
async function* crcChecked(stream: AsyncIterable<Buffer>, expected: number): AsyncGenerator<Buffer> {
  let crc = 0;
  for await (const chunk of stream) {
    crc = crc32(chunk, crc);
    yield chunk;
  }
  if (crc >>> 0 !== expected >>> 0)
    throw new Error(
      `invalid entry CRC (expected 0x${(expected >>> 0).toString(16)} but got 0x${(crc >>> 0).toString(16)})`,
    );
}
