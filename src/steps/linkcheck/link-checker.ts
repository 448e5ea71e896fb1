/**
 * Link checking (metis-steps.md §10): every aggregation link of a record (edm:object, hasView,
 * isShownBy, isShownAt, plus the web resources reached through `dcterms:isFormatOf`), de-duplicated,
 * is fetched with GET following at most 3 redirects; a final 2xx is OK. The record never fails:
 * failed links make the outcome a warning, the content is not touched (a report-only step).
 */
import { STATUS_CODES } from 'node:http';
import { Agent, request } from 'undici';
import { XmlParseError } from '../../edm/xml.ts';
import { FetchError, type SafeFetcher } from '../http/safe-fetch.ts';
import { success, type StepMessage, type StepOutcome } from '../outcome.ts';
import { aggregationLinks, createEdmView, type EdmView } from '../tiers/edm-view.ts';

export interface LinkCheckOptions {
  /** Redirects followed before a link fails. Default 3 (`maxRedirectCount`). */
  maxRedirects?: number;
  /** Default 2 000 ms. */
  connectTimeoutMs?: number;
  /** Time to the response headers. Default 5 000 ms. */
  responseTimeoutMs?: number;
  /** Deadline for one link, redirects included. Default 20 000 ms. */
  totalTimeoutMs?: number;
  /** Links of one record checked at the same time. Default 4. */
  concurrency?: number;
  /** Replaces the HTTP check (tests, or a host-policy fetcher); resolves with the final status. */
  check?: (url: string, signal: AbortSignal) => Promise<LinkResult>;
}

export interface LinkResult {
  url: string;
  ok: boolean;
  /** Final HTTP status, when a response arrived. */
  status?: number;
  /** Redirects followed (unknown when checked through a safe fetcher). */
  redirects?: number;
  error?: string;
}

export interface LinkCheckData {
  links: LinkResult[];
}

/** The links a record's link check covers, in document order, without duplicates. */
export function linksToCheck(view: EdmView): string[] {
  const urls = [...aggregationLinks(view).keys()];
  // isFormatOf propagation: a linked web resource that is a format of another makes that one linked too.
  const seen = new Set(urls);
  for (let i = 0; i < urls.length; i++) {
    const wr = view.webResources.get(urls[i]);
    for (const v of wr?.values ?? []) {
      if (v.name === 'dcterms:isFormatOf' && v.resource && !seen.has(v.resource)) {
        seen.add(v.resource);
        urls.push(v.resource);
      }
    }
  }
  return urls;
}

function failure(url: string, status: number | undefined, message: string, redirects?: number): LinkResult {
  return { url, ok: false, status, redirects, error: message };
}

/** GET with a hand-made redirect loop, so each hop is counted and bounded. */
function httpCheck(
  dispatcher: Agent,
  opts: Required<Pick<LinkCheckOptions, 'maxRedirects'>>,
): (url: string, signal: AbortSignal) => Promise<LinkResult> {
  return async (url, signal) => {
    let current = url;
    for (let redirects = 0; ; redirects++) {
      let res;
      try {
        res = await request(current, { method: 'GET', dispatcher, signal });
      } catch (err) {
        const cause = (err as { cause?: { code?: string; message?: string } }).cause;
        const detail = cause?.code ?? cause?.message ?? (err as Error).message;
        return failure(url, undefined, `Download failed of resource ${url}. Because of: ${detail}`, redirects);
      }
      // The content is not inspected: release the connection without reading it.
      res.body.dump().catch(() => {});
      const location = res.headers.location;
      if (res.statusCode >= 300 && res.statusCode < 400 && typeof location === 'string') {
        if (redirects >= opts.maxRedirects) {
          return failure(url, res.statusCode, `Download failed of resource ${url}. Too many redirects (more than ${opts.maxRedirects}).`, redirects);
        }
        current = new URL(location, current).href;
        continue;
      }
      if (res.statusCode >= 200 && res.statusCode < 300) return { url, ok: true, status: res.statusCode, redirects };
      return failure(url, res.statusCode, `Download failed of resource ${url}. Status code ${res.statusCode} (message: ${STATUS_CODES[res.statusCode] ?? 'unknown'}).`, redirects);
    }
  };
}

/** One record to check. */
export interface LinkCheckInput {
  recordId: string;
  content: string;
  /** A record deleted at the source: nothing is checked. */
  deleted?: boolean;
}

/** The link-check step; `close()` releases its pooled connections (idempotent). */
export type LinkChecker = ((record: LinkCheckInput) => Promise<StepOutcome<LinkCheckData>>) & { close(): Promise<void> };

/** Creates the link-check step: `(record) => outcome` (success, or warn when links failed). */
export function createLinkChecker(options: LinkCheckOptions = {}): LinkChecker {
  const totalTimeoutMs = options.totalTimeoutMs ?? 20_000;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const responseTimeoutMs = options.responseTimeoutMs ?? 5_000;
  const dispatcher = new Agent({ connect: { timeout: options.connectTimeoutMs ?? 2_000 }, headersTimeout: responseTimeoutMs, bodyTimeout: responseTimeoutMs });
  const check = options.check ?? httpCheck(dispatcher, { maxRedirects: options.maxRedirects ?? 3 });
  let closed: Promise<void> | undefined;
  const step = async (record: LinkCheckInput): Promise<StepOutcome<LinkCheckData>> => {
    if (record.deleted) {
      return success(record.recordId, undefined, { links: [] }, [{ level: 'info', code: 'LINK_CHECK_DELETED', message: 'Record deleted - no links were checked.' }]);
    }
    let view: EdmView;
    try {
      view = createEdmView(record.content);
    } catch (err) {
      if (!(err instanceof XmlParseError)) throw err;
      return success(record.recordId, undefined, { links: [] }, [{ level: 'warn', code: 'LINK_CHECK_UNREADABLE', message: `No links were checked: ${err.message}` }]);
    }
    const urls = linksToCheck(view);
    if (urls.length === 0) {
      return success(record.recordId, undefined, { links: [] }, [{ level: 'info', code: 'LINK_CHECK_NO_RESOURCES', message: 'The EDM file has no resources' }]);
    }
    const results: LinkResult[] = new Array(urls.length);
    let next = 0;
    const worker = async () => {
      while (next < urls.length) {
        const i = next++;
        const signal = AbortSignal.timeout(totalTimeoutMs);
        try {
          results[i] = await check(urls[i], signal);
        } catch (err) {
          results[i] = failure(urls[i], undefined, `Download failed of resource ${urls[i]}. Because of: ${(err as Error).message}`, 0);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
    const messages: StepMessage[] = results
      .filter((r) => !r.ok)
      .map((r) => ({ level: 'warn', code: 'LINK_CHECK_FAILED', message: r.error ?? `Download failed of resource ${r.url}.` }));
    return success(record.recordId, undefined, { links: results }, messages);
  };
  return Object.assign(step, {
    close() {
      closed ??= dispatcher.close();
      return closed;
    },
  });
}

/**
 * A `check` that goes through the host-policy fetcher of `steps/http` (refuses private and loopback
 * addresses unless its policy allows them); its redirect limit and timeouts apply.
 */
export function checkWithSafeFetcher(fetcher: SafeFetcher): NonNullable<LinkCheckOptions['check']> {
  return async (url, signal) => {
    try {
      const res = await fetcher.open(url, { signal });
      res.discard();
      return { url, ok: true, status: res.status };
    } catch (err) {
      if (!(err instanceof FetchError)) throw err;
      const detail = err.code === 'HTTP_STATUS' ? `Status code ${err.status} (message: ${STATUS_CODES[err.status ?? 0] ?? 'unknown'}).` : `Because of: ${err.code} ${err.message}`;
      return failure(url, err.status, `Download failed of resource ${url}. ${detail}`);
    }
  };
}
