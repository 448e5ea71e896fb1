/**
 * Link checking (metis-steps.md §10): every aggregation link of a record (edm:object, hasView,
 * isShownBy, isShownAt, plus the web resources reached through `dcterms:isFormatOf`), de-duplicated,
 * is fetched with GET following at most 3 redirects; a final 2xx is OK. The record never fails:
 * failed links make the outcome a warning, the content is not touched (a report-only step).
 *
 * Every request goes through the host-policy fetcher of `steps/http` (as media processing does):
 * a link to a loopback, private, link-local or reserved address (or a redirect or DNS answer
 * leading there) is refused before any connection is made, and a host that keeps failing is skipped.
 */
import { STATUS_CODES } from 'node:http';
import { XmlParseError } from '../../edm/xml.ts';
import { isTaskError } from '../../errors/index.ts';
import { createSafeFetcher, FetchError, type FetchPolicy, type SafeFetcher } from '../http/safe-fetch.ts';
import { success, type StepMessage, type StepOutcome } from '../outcome.ts';
import { aggregationLinks, createEdmView, type EdmView } from '../tiers/edm-view.ts';

export interface LinkCheckOptions {
  /**
   * Host policy (which addresses and hosts may be reached; loopback, private and link-local are
   * refused by default) and breaker settings; the timeouts and redirect limit below override it.
   */
  fetchPolicy?: FetchPolicy;
  /** A ready fetcher to share instead (its owner closes it; the options below are then ignored). */
  fetcher?: SafeFetcher;
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
  /** Replaces the HTTP check (tests); resolves with the final status. */
  check?: (url: string, signal?: AbortSignal) => Promise<LinkResult>;
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

/** One record to check. */
export interface LinkCheckInput {
  recordId: string;
  content: string;
  /** A record deleted at the source: nothing is checked. */
  deleted?: boolean;
}

/** The link-check step; `close()` releases its pooled connections (idempotent). */
export type LinkChecker = ((record: LinkCheckInput) => Promise<StepOutcome<LinkCheckData>>) & {
  close(): Promise<void>;
};

/** Creates the link-check step: `(record) => outcome` (success, or warn when links failed). */
export function createLinkChecker(options: LinkCheckOptions = {}): LinkChecker {
  const totalTimeoutMs = options.totalTimeoutMs ?? 20_000;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const owned =
    options.fetcher || options.check
      ? undefined
      : createSafeFetcher({
          userAgent: 'metis-streams link checking',
          ...options.fetchPolicy,
          maxRedirects: options.maxRedirects ?? 3,
          connectTimeoutMs: options.connectTimeoutMs ?? 2_000,
          responseTimeoutMs: options.responseTimeoutMs ?? 5_000,
          totalTimeoutMs,
        });
  const fetcher = options.fetcher ?? owned;
  const check = options.check ?? checkWithSafeFetcher(fetcher!);
  let closed: Promise<void> | undefined;
  const step = async (record: LinkCheckInput): Promise<StepOutcome<LinkCheckData>> => {
    if (record.deleted) {
      return success(record.recordId, undefined, { links: [] }, [
        { level: 'info', code: 'LINK_CHECK_DELETED', message: 'Record deleted - no links were checked.' },
      ]);
    }
    let view: EdmView;
    try {
      view = createEdmView(record.content);
    } catch (err) {
      if (!(err instanceof XmlParseError)) throw err;
      return success(record.recordId, undefined, { links: [] }, [
        { level: 'warn', code: 'LINK_CHECK_UNREADABLE', message: `No links were checked: ${err.message}` },
      ]);
    }
    const urls = linksToCheck(view);
    if (urls.length === 0) {
      return success(record.recordId, undefined, { links: [] }, [
        { level: 'info', code: 'LINK_CHECK_NO_RESOURCES', message: 'The EDM file has no resources' },
      ]);
    }
    const results: LinkResult[] = new Array(urls.length);
    let next = 0;
    const worker = async () => {
      while (next < urls.length) {
        const i = next++;
        // The fetcher keeps its own deadline (a deadline of ours would hide its timeouts from
        // its host breaker); an injected check gets one.
        const signal = options.check ? AbortSignal.timeout(totalTimeoutMs) : undefined;
        try {
          results[i] = await check(urls[i], signal);
        } catch (err) {
          // A task error (e.g. RETRY_BUDGET_SPENT: no host slot while the database is gone) is not this link's fault.
          if (isTaskError(err)) throw err;
          results[i] = failure(
            urls[i],
            undefined,
            `Download failed of resource ${urls[i]}. Because of: ${(err as Error).message}`,
            0,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, urls.length) }, worker));
    const messages: StepMessage[] = results
      .filter((r) => !r.ok)
      .map((r) => ({
        level: 'warn',
        code: 'LINK_CHECK_FAILED',
        message: r.error ?? `Download failed of resource ${r.url}.`,
      }));
    return success(record.recordId, undefined, { links: results }, messages);
  };
  return Object.assign(step, {
    close() {
      closed ??= owned ? owned.close() : Promise.resolve();
      return closed;
    },
  });
}

/**
 * A `check` that goes through a host-policy fetcher of `steps/http` (refuses private and loopback
 * addresses unless its policy allows them); its redirect limit and timeouts apply. The body is
 * never read. Failure messages follow Metis's `LinkCheckClient`, with the fetcher's code as cause.
 */
export function checkWithSafeFetcher(fetcher: SafeFetcher): NonNullable<LinkCheckOptions['check']> {
  return async (url, signal) => {
    try {
      const res = await fetcher.open(url, signal ? { signal } : {});
      res.discard();
      return { url, ok: true, status: res.status, redirects: res.redirects };
    } catch (err) {
      if (!(err instanceof FetchError)) throw err;
      const detail =
        err.code === 'HTTP_STATUS'
          ? `Status code ${err.status} (message: ${STATUS_CODES[err.status ?? 0] ?? 'unknown'}).`
          : err.code === 'TOO_MANY_REDIRECTS'
            ? `Too many redirects (more than ${fetcher.policy.maxRedirects}).`
            : `Because of: ${err.code} ${err.message}`;
      return failure(url, err.status, `Download failed of resource ${url}. ${detail}`);
    }
  };
}
