/**
 * The media-processing step (Metis §9): parse the record once, process its resources (the main
 * thumbnail first, the rest with bounded concurrency), store thumbnails, write the metadata into
 * the `edm:WebResource`s and `edm:preview`, serialize once.
 *
 * A problem with one resource (download, decoding, tool failure, thumbnail storage) is a record
 * warning "Problem while processing <url> (<cause>)"; only an unparsable record fails.
 */
import { parseXml, serializeXml } from '../../edm/xml.ts';
import { errorMessage, isMetisError, isTaskError } from '../../errors/index.ts';
import { createSafeFetcher, type FetchPolicy, type SafeFetcher } from '../http/safe-fetch.ts';
import { fail, success, type StepMessage, type StepOutcome } from '../outcome.ts';
import { startMediaRelay, type MediaRelay } from './media-relay.ts';
import { createMediaThreads } from './media-threads.ts';
import { processResource, type ResourceContext } from './resource-processor.ts';
import { findMediaResources, mainThumbnailFirst, type MediaResource } from './resources.ts';
import { createFileThumbnailStore, type ThumbnailStore } from './thumbnail-store.ts';
import { WebResourceWriter, type ResourceMetadata } from './web-resource-writer.ts';

export interface MediaTimeouts {
  /** Download connect timeout; overrides `fetchPolicy.connectTimeoutMs`. Default 10 s. */
  connectMs?: number;
  /** Download response timeout (headers, and between body chunks); overrides `fetchPolicy.responseTimeoutMs`. Default 20 s. */
  responseMs?: number;
  /** Whole-download deadline (redirects and body); overrides `fetchPolicy.totalTimeoutMs`. Default 60 s. */
  totalMs?: number;
  /** Per image decode/resize (sharp). Default 20 s (Metis's ImageMagick timeout). */
  imageSeconds?: number;
  /** Per ffprobe run. Default 60 s. */
  ffprobeMs?: number;
  /** Per PDF tool run. Default 20 s. */
  pdfMs?: number;
}

export interface MediaProcessorOptions {
  /** Host policy, download timeouts (connect / response / total) and byte cap for all fetches. Ignored when `fetcher` is given. */
  fetchPolicy?: FetchPolicy;
  /** A ready fetcher to share (its owner closes it). */
  fetcher?: SafeFetcher;
  /** Default: a directory store in `./data/thumbnails`. */
  thumbnailStore?: ThumbnailStore;
  /** `FULL` (default): Metis's per-resource rule. `REDUCED`: MIME type and size only, no thumbnails. */
  mode?: 'FULL' | 'REDUCED';
  timeouts?: MediaTimeouts;
  /** Resources processed at the same time within one record. Default 4. */
  concurrency?: number;
  /** Decompression-bomb guard for images. Default 100 megapixels. */
  maxInputPixels?: number;
  /**
   * Worker threads for image analysis and for starting external tools (`media-threads.ts`), so
   * neither holds the calling thread. Default: the cores available; 0 does both in the calling thread.
   */
  threads?: number;
}

export interface MediaResourceReport {
  url: string;
  status: 'processed' | 'skipped' | 'failed';
  mimeType?: string;
  thumbnails: string[];
  error?: string;
}

export interface MediaData extends Record<string, unknown> {
  resources: MediaResourceReport[];
  preview?: string;
}

export interface MediaRecord {
  recordId: string;
  content: string;
}

export interface MediaRunOptions {
  /** Cancels the record's downloads and tool runs; the outcome then carries their warnings. */
  signal?: AbortSignal;
}

/** The step function, plus `close()` for the fetcher and relay it owns. */
export type MediaProcessor = ((record: MediaRecord, run?: MediaRunOptions) => Promise<StepOutcome<MediaData>>) & {
  close(): Promise<void>;
};

/** Creates the media-processing step. */
export function createMediaProcessor(options: MediaProcessorOptions = {}): MediaProcessor {
  const t = options.timeouts ?? {};
  const fetcher =
    options.fetcher ??
    createSafeFetcher({
      userAgent: 'metis-streams media processing',
      ...options.fetchPolicy,
      ...(t.connectMs !== undefined ? { connectTimeoutMs: t.connectMs } : {}),
      ...(t.responseMs !== undefined ? { responseTimeoutMs: t.responseMs } : {}),
      ...(t.totalMs !== undefined ? { totalTimeoutMs: t.totalMs } : {}),
    });
  const store = options.thumbnailStore ?? createFileThumbnailStore('data/thumbnails');
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const threads = options.threads === 0 ? undefined : createMediaThreads({ threads: options.threads });
  let relay: Promise<MediaRelay> | undefined;
  const context = async (): Promise<ResourceContext> => ({
    fetcher,
    relay: await (relay ??= startMediaRelay(fetcher)),
    mode: options.mode ?? 'FULL',
    maxInputPixels: options.maxInputPixels ?? 100_000_000,
    imageTimeoutSeconds: t.imageSeconds ?? 20,
    ffprobeTimeoutMs: t.ffprobeMs ?? 60_000,
    pdfTimeoutMs: t.pdfMs ?? 20_000,
    threads,
  });

  const process = async (record: MediaRecord, run: MediaRunOptions = {}): Promise<StepOutcome<MediaData>> => {
    let doc;
    try {
      doc = parseXml(record.content);
    } catch (err) {
      return fail(record.recordId, 'MEDIA_RDF', `Could not deserialize the record: ${(err as Error).message}`);
    }
    const ctx = { ...(await context()), signal: run.signal };
    const resources = findMediaResources(doc.root);
    const { main, rest } = mainThumbnailFirst(doc.root, resources);
    // Keyed by resource so that warnings come out in document order, not in completion order:
    // a replayed record must produce the same outcome.
    const messagesByUrl = new Map<string, StepMessage[]>();
    const warn = (url: string, m: StepMessage) => messagesByUrl.set(url, [...(messagesByUrl.get(url) ?? []), m]);
    // Only the metadata is kept: thumbnail bytes are released once stored.
    const metadataByUrl = new Map<string, ResourceMetadata>();
    const reports: MediaResourceReport[] = [];
    const largeStored = new Set<string>();

    const handle = async (resource: MediaResource, mainThumbnailAvailable: boolean): Promise<boolean> => {
      try {
        const result = await processResource(resource, ctx, mainThumbnailAvailable);
        if (result.metadata) metadataByUrl.set(resource.url, result.metadata);
        const stored: string[] = [];
        try {
          for (const t of result.thumbnails) {
            await store.put(t.name, t.bytes, t.mimeType);
            stored.push(t.name);
            if (t.kind === 'LARGE') largeStored.add(resource.url);
          }
        } catch (err) {
          warn(resource.url, warning(`Could not store thumbnails of ${resource.url}`, err));
        }
        reports.push({
          url: resource.url,
          status: result.metadata ? 'processed' : 'skipped',
          mimeType: result.detectedMimeType,
          thumbnails: stored,
        });
        // eCloud: the main thumbnail is "available" when the edm:object produced thumbnails.
        return result.thumbnails.length > 0;
      } catch (err) {
        // A task error (e.g. RETRY_BUDGET_SPENT: no host slot while the database is gone) is not this resource's fault.
        if (isTaskError(err)) throw err;
        warn(resource.url, warning(`Problem while processing ${resource.url} (${causeOf(err)})`, err));
        reports.push({ url: resource.url, status: 'failed', thumbnails: [], error: (err as Error).message });
        return false;
      }
    };

    const mainThumbnailAvailable = main ? await handle(main, false) : false;
    await forEachLimited(rest, concurrency, (r) => handle(r, mainThumbnailAvailable));

    // Write back in document order, whatever order the downloads finished in.
    const writer = new WebResourceWriter(doc.root);
    for (const r of resources) {
      const metadata = metadataByUrl.get(r.url);
      if (metadata) writer.enrich(r.url, metadata);
    }
    const preview = writer.setPreview((url) => largeStored.has(url));
    reports.sort((a, b) => resources.findIndex((r) => r.url === a.url) - resources.findIndex((r) => r.url === b.url));

    let content: string;
    try {
      content = serializeXml(doc);
    } catch (err) {
      return fail(record.recordId, 'MEDIA_RDF', `Could not serialize the record: ${(err as Error).message}`);
    }
    const messages = resources.flatMap((r) => messagesByUrl.get(r.url) ?? []);
    return success(record.recordId, content, { resources: reports, preview }, messages);
  };

  return Object.assign(process, {
    async close() {
      if (relay) await (await relay).close();
      await threads?.close();
      if (!options.fetcher) await fetcher.close();
    },
  });
}

/**
 * The short cause put into a resource warning: the catalogue code (with the HTTP status), else
 * the error's own code, else the first line of its message (cut at 200 characters).
 */
function causeOf(err: unknown): string {
  if (isMetisError(err)) return err.params.status !== undefined ? `${err.code} ${err.params.status}` : err.code;
  const code = (err as { code?: unknown })?.code;
  if (typeof code === 'string' && code) return code;
  const first = errorMessage(err).split('\n')[0].trim();
  return (first.length > 200 ? `${first.slice(0, 200)}…` : first) || 'unknown error';
}

function warning(message: string, err: unknown): StepMessage {
  return { level: 'warn', code: 'MEDIA_RESOURCE', message, detail: (err as Error)?.message ?? String(err) };
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
