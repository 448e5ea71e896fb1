/**
 * Paging through an OAI-PMH `ListIdentifiers` (or `ListRecords`) listing (metis-steps.md §1), one page at a time, with
 * Metis's sample size and step size, and the request and error helpers the client (oai-client.ts)
 * shares with it. Listing problems throw task errors of the catalogue; `noRecordsMatch` is an empty listing.
 *
 * A hostile server cannot keep a listing going for ever (issue #12): a resumption token seen before
 * ends it (`OAI_TOKEN_LOOP`; every token of an in-memory listing is remembered as a hash, and a
 * listing carried page by page in commands keeps Brent's O(1) mark, which catches any repeating
 * sequence within about four times its length); a token new on every page is stopped by the page
 * cap (`OAI_TOO_MANY_PAGES`), a long listing by the record cap (`OAI_TOO_MANY_RECORDS`), and a token
 * longer than `maxTokenBytes` is refused (`OAI_TOKEN_TOO_LONG`) before it is ever sent back in a URL.
 */
import { createHash } from 'node:crypto';
import { createError, errors, isMetisError, type ErrorCode, type MetisError } from '../../../errors/index.ts';
import { getWithRetries, type OaiHttpOptions } from './oai-http.ts';
import {
  parseListIdentifiers,
  parseListRecords,
  type ListIdentifiersPage,
  type ListRecordsPage,
  type OaiHeader,
  type OaiProtocolError,
} from './oai-response.ts';
import type { OaiEndpoint } from './oai-endpoint.ts';

/** What a listing has seen so far; persist `currentPageToken` to resume after a crash. */
export interface OaiListingState {
  /** Token that requested the page now being yielded (undefined: the first page). Resuming with it replays this page. */
  currentPageToken?: string;
  /** Token of the next page; undefined when the current page is the last. */
  nextToken?: string;
  /** `completeListSize` of the first page read: a number, null when absent/invalid, undefined before any page. */
  completeListSize?: number | null;
  pagesRead: number;
  /** Headers seen, deleted ones included. */
  headersSeen: number;
  deletedSkipped: number;
  headersYielded: number;
  done: boolean;
}

export interface ListOptions {
  /** Start from this resumption token instead of the first page (resume after a crash). */
  resumptionToken?: string;
  /** Stop after this many (non-deleted) headers (eCloud `SAMPLE_SIZE`, Sandbox record limit). */
  sampleSize?: number;
  /** Sandbox step size: take positions stepSize−1, 2·stepSize−1, …; a deleted header at a selected position moves the selection on. */
  stepSize?: number;
  /** Yield deleted headers too (they are skipped by default, as Metis does). */
  includeDeleted?: boolean;
  /**
   * `ListRecords`: each page carries its records too (`readPage` returns them); Metis lists with
   * `ListIdentifiers` (the default) and fetches each record with GetRecord.
   */
  verb?: 'ListIdentifiers' | 'ListRecords';
  /** Called after each page is parsed, before its headers are yielded (persist the state here). */
  onPage?: (state: Readonly<OaiListingState>) => void | Promise<void>;
  signal?: AbortSignal;
}

/** The bounds of one listing. */
export interface ListingLimits {
  /** Pages read before the listing fails (OAI_TOO_MANY_PAGES). Default 100 000. */
  maxPages: number;
  /** Headers listed (deleted ones included) before the listing fails (OAI_TOO_MANY_RECORDS). Default 1 000 000. */
  maxRecords: number;
  /** Longest resumption token accepted, in UTF-8 bytes (OAI_TOKEN_TOO_LONG). Default 4096. */
  maxTokenBytes: number;
}

export const DEFAULT_LISTING_LIMITS: Readonly<ListingLimits> = {
  maxPages: 100_000,
  maxRecords: 1_000_000,
  maxTokenBytes: 4096,
};

/** Where a listing stands, small enough to travel in a command: page and header counts, Brent's mark. */
export interface ListingProgress {
  pages: number;
  records: number;
  /** Hash of the token returned by page 2^k (Brent's cycle detection). */
  mark?: string;
}

const tokenHash = (token: string): string => createHash('sha256').update(token).digest('base64url').slice(0, 22);

/** A token for messages: at most 100 characters. */
const shown = (token: string): string =>
  token.length > 100 ? `${token.slice(0, 100)}… (${token.length} chars)` : token;

/**
 * Accounts for one page read with `requested` (undefined: the first page) that returned `next`
 * after `headers` headers; returns the new progress or throws the task error of the bound it breaks.
 * `seen` (token hashes), when given, catches any token returned twice.
 */
export function advanceListing(
  progress: Readonly<ListingProgress>,
  requested: string | undefined,
  next: string | undefined,
  headers: number,
  limits: Readonly<ListingLimits>,
  seen?: Set<string>,
): ListingProgress {
  const pages = progress.pages + 1;
  const records = progress.records + headers;
  if (records > limits.maxRecords) throw errors.OAI_TOO_MANY_RECORDS({ max: limits.maxRecords });
  if (next === undefined) return { pages, records };
  const size = Buffer.byteLength(next);
  if (size > limits.maxTokenBytes) throw errors.OAI_TOKEN_TOO_LONG({ size, max: limits.maxTokenBytes });
  if (pages >= limits.maxPages) throw errors.OAI_TOO_MANY_PAGES({ max: limits.maxPages });
  const hash = tokenHash(next);
  if (next === requested || hash === progress.mark || seen?.has(hash))
    throw errors.OAI_TOKEN_LOOP({ token: shown(next) });
  seen?.add(hash);
  // Brent: the mark moves to the token of each page 2^k; a cycle of length λ entered by page μ is
  // met again by page 2·max(μ, λ) at the latest.
  const mark = (pages & (pages - 1)) === 0 ? hash : progress.mark;
  return { pages, records, ...(mark !== undefined ? { mark } : {}) };
}

/** `badResumptionToken` → `OAI_BAD_RESUMPTION_TOKEN`. */
export function oaiErrorCode(code: string): string {
  return (
    'OAI_' +
    code
      .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
      .replace(/[^A-Za-z0-9_]/g, '_')
      .toUpperCase()
  );
}

export function describeOaiError(e: OaiProtocolError): string {
  return `OAI-PMH error ${e.code}${e.message ? ': ' + e.message : ''}`;
}

/** The OAI-PMH error codes of the protocol (§3.6), each a catalogue code; any other is OAI_PROTOCOL_ERROR. */
const OAI_PROTOCOL_CODES = new Set<ErrorCode>([
  'OAI_BAD_ARGUMENT',
  'OAI_BAD_RESUMPTION_TOKEN',
  'OAI_BAD_VERB',
  'OAI_CANNOT_DISSEMINATE_FORMAT',
  'OAI_ID_DOES_NOT_EXIST',
  'OAI_NO_METADATA_FORMATS',
  'OAI_NO_SET_HIERARCHY',
  'OAI_NO_RECORDS_MATCH',
]);

/** A task error for an OAI-PMH `<error>` of a listing or Identify response. */
export function oaiProtocolError(e: OaiProtocolError, suffix = ''): MetisError {
  const code = oaiErrorCode(e.code) as ErrorCode;
  return createError(OAI_PROTOCOL_CODES.has(code) ? code : 'OAI_PROTOCOL_ERROR', {
    detail: describeOaiError(e) + suffix,
    oaiCode: e.code,
  });
}

/** Builds a request URL; parameters of the base URL itself are kept (Metis allows them). */
export function oaiUrl(baseUrl: string, params: Record<string, string | undefined>): string {
  const url = new URL(baseUrl);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
  return url.toString();
}

/** Maps listing-level failures to TaskError (Sandbox: "Error harvesting OAI-PMH records"). */
export async function listingCall<T>(call: () => Promise<T>, verb: string, signal?: AbortSignal): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (signal?.aborted) throw err;
    if (isMetisError(err, 'OAI_RESPONSE_INVALID'))
      throw errors.OAI_BAD_RESPONSE({ verb, detail: err.message }, { cause: err });
    throw errors.OAI_UNREACHABLE({ verb, detail: (err as Error).message }, { cause: err });
  }
}

/**
 * An async iterable of OAI headers that reads one page at a time. `state` is live; `open()` reads
 * the first page early so `completeListSize` (the expected record count) is known before iterating.
 * Iterate once.
 */
export class OaiListing implements AsyncIterable<OaiHeader> {
  readonly state: OaiListingState = { pagesRead: 0, headersSeen: 0, deletedSkipped: 0, headersYielded: 0, done: false };
  private firstPage?: Promise<ListIdentifiersPage | ListRecordsPage>;
  /** Progress over the pages this object read (starting from `start`, e.g. a command's). */
  progress: ListingProgress;
  private readonly seen = new Set<string>();

  constructor(
    private readonly http: OaiHttpOptions,
    private readonly endpoint: OaiEndpoint,
    private readonly options: ListOptions,
    private readonly limits: Readonly<ListingLimits> = DEFAULT_LISTING_LIMITS,
    start: ListingProgress = { pages: 0, records: 0 },
  ) {
    this.progress = start;
    if (options.stepSize !== undefined && !(Number.isInteger(options.stepSize) && options.stepSize > 0)) {
      throw errors.BAD_STEP_SIZE();
    }
  }

  /** The expected record count once the first page is read (see `OaiListingState.completeListSize`). */
  get completeListSize(): number | null | undefined {
    return this.state.completeListSize;
  }

  /** The token to persist for resuming (replays the current page). */
  get resumptionToken(): string | undefined {
    return this.state.currentPageToken;
  }

  /**
   * Reads the first page (once) and returns it whole, with `completeListSize` of this page (and its
   * records with the `ListRecords` verb). Throws TaskError.
   */
  async readPage(): Promise<ListIdentifiersPage | ListRecordsPage> {
    this.firstPage ??= this.fetchPage(this.options.resumptionToken);
    const page = await this.firstPage;
    const noMatch = page.errors.length > 0 && page.errors.every((x) => x.code === 'noRecordsMatch');
    if (!noMatch) return page;
    return { ...page, headers: [], ...('records' in page ? { records: [] } : {}), completeListSize: 0, resumptionToken: undefined };
  }

  /** Reads the first page (once) and returns the state. Throws TaskError. */
  async open(): Promise<Readonly<OaiListingState>> {
    this.firstPage ??= this.fetchPage(this.options.resumptionToken);
    await this.firstPage;
    return this.state;
  }

  private async fetchPage(token: string | undefined): Promise<ListIdentifiersPage | ListRecordsPage> {
    const e = this.endpoint;
    const verb = this.options.verb ?? 'ListIdentifiers';
    const params = token
      ? { verb, resumptionToken: token }
      : { verb, metadataPrefix: e.metadataPrefix, set: e.set, from: e.from, until: e.until };
    const url = oaiUrl(e.baseUrl, params);
    const parse = verb === 'ListRecords' ? parseListRecords : parseListIdentifiers;
    const page = await listingCall(() => getWithRetries(url, this.http, parse, this.options.signal), verb, this.options.signal);
    const noMatch = page.errors.length > 0 && page.errors.every((x) => x.code === 'noRecordsMatch');
    if (page.errors.length > 0 && !noMatch) {
      throw oaiProtocolError(page.errors[0], ` (${verb} ${url})`);
    }
    if (this.state.pagesRead === 0) this.state.completeListSize = noMatch ? 0 : page.completeListSize;
    this.progress = advanceListing(
      this.progress,
      token,
      noMatch ? undefined : page.resumptionToken,
      noMatch ? 0 : ((page as Partial<ListRecordsPage>).records ?? page.headers).length,
      this.limits,
      this.seen,
    );
    this.state.pagesRead++;
    this.state.currentPageToken = token;
    this.state.nextToken = page.resumptionToken;
    await this.options.onPage?.(this.state);
    return page;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<OaiHeader> {
    const { sampleSize, includeDeleted } = this.options;
    const stepSize = this.options.stepSize ?? 1;
    let page = await (this.firstPage ??= this.fetchPage(this.options.resumptionToken));
    let carry = false; // a selected position held a deleted header: take the next one
    for (;;) {
      for (const header of page.headers) {
        if (sampleSize !== undefined && this.state.headersYielded >= sampleSize) return this.finish();
        this.state.headersSeen++;
        const selected: boolean = carry || this.state.headersSeen % stepSize === 0;
        if (header.deleted && !includeDeleted) {
          this.state.deletedSkipped++;
          carry = selected;
          continue;
        }
        if (!selected) continue;
        carry = false;
        this.state.headersYielded++;
        yield header;
      }
      if (sampleSize !== undefined && this.state.headersYielded >= sampleSize) return this.finish();
      if (!this.state.nextToken) break;
      page = await this.fetchPage(this.state.nextToken);
    }
    if (stepSize > 1 && stepSize > this.state.headersSeen) {
      throw errors.STEP_SIZE_TOO_BIG({ seen: this.state.headersSeen });
    }
    this.finish();
  }

  private finish(): void {
    this.state.done = true;
  }
}
