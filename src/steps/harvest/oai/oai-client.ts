/**
 * OAI-PMH harvesting as Metis does it (metis-steps.md §1): `ListIdentifiers` following resumption
 * tokens, then one `GetRecord` per header. Deleted headers are skipped; the metadata child of each
 * record is returned as a standalone XML string.
 *
 * - Listing problems (unreachable endpoint after retries, OAI errors such as `badArgument`,
 *   `badResumptionToken`, `cannotDisseminateFormat`, malformed pages) throw `TaskError`.
 *   `noRecordsMatch` is not an error: it is an empty dataset (the caller decides what that means).
 * - Record problems (GetRecord errors, no or several metadata children) come back as a `fail` outcome.
 */
import { z } from 'zod';
import type { Dispatcher } from 'undici';
import { fail, success, TaskError, type StepOutcome } from '../../outcome.ts';
import { createOaiAgent, getWithRetries, OaiHttpError, type OaiHttpOptions, type RetryEvent } from './oai-http.ts';
import {
  OaiResponseError,
  parseGetRecord,
  parseIdentify,
  parseListIdentifiers,
  type IdentifyResponse,
  type ListIdentifiersPage,
  type OaiHeader,
  type OaiProtocolError,
} from './oai-response.ts';

export type { OaiHeader } from './oai-response.ts';

const OAI_DATESTAMP = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}Z)?$/;

/** Where and what to harvest. `from`/`until` are passed through as written (OAI datestamps). */
export const OaiEndpointSchema = z.object({
  baseUrl: z.string().url().refine((u) => /^https?:/i.test(u), 'baseUrl must be an http(s) URL'),
  metadataPrefix: z.string().min(1),
  set: z.string().optional(),
  from: z.string().regex(OAI_DATESTAMP, 'from must be an OAI datestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)').optional(),
  until: z.string().regex(OAI_DATESTAMP, 'until must be an OAI datestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)').optional(),
});
export type OaiEndpoint = z.infer<typeof OaiEndpointSchema>;

/** Client settings; the defaults are Metis's `HarvestingClientSettings`. */
export const OaiClientOptionsSchema = z.object({
  retries: z.number().int().min(0).default(3),
  retryDelayMs: z.number().int().min(0).default(5000),
  maxRetryAfterMs: z.number().int().min(0).default(300_000),
  connectTimeoutMs: z.number().int().positive().default(30_000),
  readTimeoutMs: z.number().int().positive().default(300_000),
  userAgent: z.string().default('metis-streams-oai-harvester'),
  /** Largest response accepted (a page or a record). Default 256 MiB. */
  maxResponseBytes: z.number().int().positive().default(256 * 1024 * 1024),
  /** Upper bound of parallel connections per origin of the default agent. */
  maxConnections: z.number().int().positive().default(64),
});
export type OaiClientOptions = z.input<typeof OaiClientOptionsSchema> & {
  /** Use this undici dispatcher instead of creating one (the caller then closes it). */
  dispatcher?: Dispatcher;
  onRetry?: (event: RetryEvent) => void;
};

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
  /** Called after each page is parsed, before its headers are yielded (persist the state here). */
  onPage?: (state: Readonly<OaiListingState>) => void | Promise<void>;
  signal?: AbortSignal;
}

/** Facts about a fetched record, in the outcome's `data`. */
// A type alias (not an interface) so it is assignable to the default `StepOutcome` data type.
export type OaiRecordData = {
  identifier: string;
  datestamp: string;
  setSpecs: string[];
};

export interface OaiClient {
  /** A lazy, page-by-page listing of headers (memory: one page). */
  listIdentifiers(endpoint: OaiEndpoint, options?: ListOptions): OaiListing;
  /**
   * One ListIdentifiers page: the first (token undefined) or the one `token` names, deleted headers
   * included. For callers that persist their position page by page (the pipeline's listing commands).
   * `noRecordsMatch` is an empty page; other OAI errors and unreachable endpoints throw TaskError.
   */
  listPage(endpoint: OaiEndpoint, token: string | undefined, signal?: AbortSignal): Promise<ListIdentifiersPage>;
  /** One ListIdentifiers request; its `completeListSize` or null (Metis's `countRecords`). Throws TaskError. */
  countRecords(endpoint: OaiEndpoint, signal?: AbortSignal): Promise<number | null>;
  /**
   * GetRecord for one identifier. `success` carries the metadata child as XML text (recordId = the
   * OAI identifier); `fail` carries the reason. Never throws for a record problem; rethrows an abort.
   */
  fetchRecord(endpoint: Pick<OaiEndpoint, 'baseUrl' | 'metadataPrefix'>, identifier: string, signal?: AbortSignal): Promise<StepOutcome<OaiRecordData>>;
  /** The Identify response (not used by Metis's harvest; handy for checking an endpoint). Throws TaskError. */
  identify(baseUrl: string, signal?: AbortSignal): Promise<IdentifyResponse>;
  /** Closes the client's own connection pool (not an injected dispatcher). Idempotent. */
  close(): Promise<void>;
}

/** `badResumptionToken` → `OAI_BAD_RESUMPTION_TOKEN`. */
export function oaiErrorCode(code: string): string {
  return 'OAI_' + code.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9_]/g, '_').toUpperCase();
}

function describeOaiError(e: OaiProtocolError): string {
  return `OAI-PMH error ${e.code}${e.message ? ': ' + e.message : ''}`;
}

/** Builds a request URL; parameters of the base URL itself are kept (Metis allows them). */
function oaiUrl(baseUrl: string, params: Record<string, string | undefined>): string {
  const url = new URL(baseUrl);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '') url.searchParams.set(k, v);
  return url.toString();
}

/** Creates a client. Throws a ZodError for invalid options. */
export function createOaiClient(options: OaiClientOptions = {}): OaiClient {
  const o = OaiClientOptionsSchema.parse(options);
  const ownAgent = options.dispatcher ? undefined : createOaiAgent(o.connectTimeoutMs, o.maxConnections);
  const http: OaiHttpOptions = {
    retries: o.retries,
    retryDelayMs: o.retryDelayMs,
    maxRetryAfterMs: o.maxRetryAfterMs,
    readTimeoutMs: o.readTimeoutMs,
    userAgent: o.userAgent,
    maxResponseBytes: o.maxResponseBytes,
    dispatcher: options.dispatcher ?? ownAgent!,
    onRetry: options.onRetry,
  };
  let closed = false;

  return {
    listIdentifiers: (endpoint, listOptions = {}) => new OaiListing(http, checkEndpoint(endpoint), listOptions),

    async listPage(endpoint, token, signal) {
      const listing = new OaiListing(http, checkEndpoint(endpoint), { resumptionToken: token, includeDeleted: true, signal });
      return listing.readPage();
    },

    async countRecords(endpoint, signal) {
      const listing = new OaiListing(http, checkEndpoint(endpoint), { signal });
      const state = await listing.open();
      return state.completeListSize ?? null;
    },

    async fetchRecord(endpoint, identifier, signal) {
      checkEndpoint(endpoint);
      const url = oaiUrl(endpoint.baseUrl, { verb: 'GetRecord', identifier, metadataPrefix: endpoint.metadataPrefix });
      let res;
      try {
        res = await getWithRetries(url, http, parseGetRecord, signal);
      } catch (err) {
        if (signal?.aborted) throw err;
        if (err instanceof OaiResponseError) return fail(identifier, err.code, err.message);
        const message = err instanceof OaiHttpError ? `GetRecord failed: ${err.message}` : `GetRecord failed: ${(err as Error).message}`;
        return fail(identifier, 'OAI_GET_RECORD_FAILED', message, url);
      }
      if (res.errors.length > 0) return fail(identifier, oaiErrorCode(res.errors[0].code), describeOaiError(res.errors[0]), url);
      // Messages as in Metis's OaiRecordParser.
      if (!res.header) return fail(identifier, 'OAI_EMPTY_HEADER', 'Empty record header!', url);
      if (res.metadataChildCount > 1) return fail(identifier, 'OAI_MULTIPLE_METADATA', 'More than one XML!', url);
      if (res.header.deleted) return fail(identifier, 'OAI_RECORD_DELETED', 'Record is marked deleted at the source.', url);
      if (!res.metadata) return fail(identifier, 'OAI_EMPTY_RECORD', 'Empty (non-deleted) record!', url);
      return success<OaiRecordData>(identifier, res.metadata, {
        identifier: res.header.identifier || identifier,
        datestamp: res.header.datestamp,
        setSpecs: res.header.setSpecs,
      });
    },

    async identify(baseUrl, signal) {
      const url = oaiUrl(baseUrl, { verb: 'Identify' });
      const res = await listingCall(() => getWithRetries(url, http, parseIdentify, signal), 'Identify', signal);
      if (res.errors.length > 0) throw new TaskError(oaiErrorCode(res.errors[0].code), describeOaiError(res.errors[0]));
      return res;
    },

    async close() {
      if (closed) return;
      closed = true;
      await ownAgent?.close();
    },
  };
}

/** Validates harvest parameters. Throws TaskError `OAI_BAD_PARAMETERS` naming the bad field. */
function checkEndpoint<E extends Partial<OaiEndpoint>>(endpoint: E): E & OaiEndpoint {
  const r = OaiEndpointSchema.partial({ set: true, from: true, until: true }).safeParse(endpoint);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new TaskError('OAI_BAD_PARAMETERS', `Invalid OAI-PMH harvest parameter ${issue.path.join('.') || ''}: ${issue.message}`);
  }
  return endpoint as E & OaiEndpoint;
}

/** Maps listing-level failures to TaskError (Sandbox: "Error harvesting OAI-PMH records"). */
async function listingCall<T>(call: () => Promise<T>, verb: string, signal?: AbortSignal): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (signal?.aborted) throw err;
    if (err instanceof OaiResponseError) throw new TaskError('OAI_BAD_RESPONSE', `${verb}: ${err.message}`, { cause: err });
    throw new TaskError('OAI_UNREACHABLE', `Error harvesting OAI-PMH records: ${verb} ${(err as Error).message}`, { cause: err });
  }
}

/**
 * An async iterable of OAI headers that reads one page at a time. `state` is live; `open()` reads
 * the first page early so `completeListSize` (the expected record count) is known before iterating.
 * Iterate once.
 */
export class OaiListing implements AsyncIterable<OaiHeader> {
  readonly state: OaiListingState = { pagesRead: 0, headersSeen: 0, deletedSkipped: 0, headersYielded: 0, done: false };
  private firstPage?: Promise<ListIdentifiersPage>;

  constructor(
    private readonly http: OaiHttpOptions,
    private readonly endpoint: OaiEndpoint,
    private readonly options: ListOptions,
  ) {
    if (options.stepSize !== undefined && !(Number.isInteger(options.stepSize) && options.stepSize > 0)) {
      throw new TaskError('BAD_STEP_SIZE', 'Step size must be a positive integer');
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

  /** Reads the first page (once) and returns it whole, with `completeListSize` of this page. Throws TaskError. */
  async readPage(): Promise<ListIdentifiersPage> {
    this.firstPage ??= this.fetchPage(this.options.resumptionToken);
    const page = await this.firstPage;
    const noMatch = page.errors.length > 0 && page.errors.every((x) => x.code === 'noRecordsMatch');
    return noMatch ? { ...page, headers: [], completeListSize: 0, resumptionToken: undefined } : page;
  }

  /** Reads the first page (once) and returns the state. Throws TaskError. */
  async open(): Promise<Readonly<OaiListingState>> {
    this.firstPage ??= this.fetchPage(this.options.resumptionToken);
    await this.firstPage;
    return this.state;
  }

  private async fetchPage(token: string | undefined): Promise<ListIdentifiersPage> {
    const e = this.endpoint;
    const params = token
      ? { verb: 'ListIdentifiers', resumptionToken: token }
      : { verb: 'ListIdentifiers', metadataPrefix: e.metadataPrefix, set: e.set, from: e.from, until: e.until };
    const url = oaiUrl(e.baseUrl, params);
    const page = await listingCall(() => getWithRetries(url, this.http, parseListIdentifiers, this.options.signal), 'ListIdentifiers', this.options.signal);
    const noMatch = page.errors.length > 0 && page.errors.every((x) => x.code === 'noRecordsMatch');
    if (page.errors.length > 0 && !noMatch) {
      throw new TaskError(oaiErrorCode(page.errors[0].code), `${describeOaiError(page.errors[0])} (ListIdentifiers ${url})`);
    }
    if (this.state.pagesRead === 0) this.state.completeListSize = noMatch ? 0 : page.completeListSize;
    if (page.resumptionToken !== undefined && page.resumptionToken === token) {
      throw new TaskError('OAI_TOKEN_LOOP', `The server returned the same resumption token twice: ${token}`);
    }
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
      throw new TaskError('STEP_SIZE_TOO_BIG', `Step size value bigger than the dataset size: ${this.state.headersSeen}`);
    }
    this.finish();
  }

  private finish(): void {
    this.state.done = true;
  }
}
