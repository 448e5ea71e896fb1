/**
 * OAI-PMH harvesting as Metis does it (metis-steps.md §1): `ListIdentifiers` following resumption
 * tokens, then one `GetRecord` per header. Deleted headers are skipped; the metadata child of each
 * record is returned as a standalone XML string. `listRecordsPage` reads a `ListRecords` page instead
 * (records and headers in one response), for providers that support it.
 *
 * - Listing problems (unreachable endpoint after retries, OAI errors such as `badArgument`,
 *   `badResumptionToken`, `cannotDisseminateFormat`, malformed pages) throw `TaskError`.
 *   `noRecordsMatch` is not an error: it is an empty dataset (the caller decides what that means).
 * - Record problems (GetRecord errors, no or several metadata children) come back as a `fail` outcome.
 *   A GetRecord whose header names another identifier than the one asked for is kept (Metis does not
 *   compare them) but carries an `OAI_IDENTIFIER_MISMATCH` warning.
 * - Hostile servers: listings are bounded (pages, records, token size, token cycles: oai-listing.ts),
 *   each request has a total deadline, Retry-After is capped, compressed bodies are decoded under the
 *   byte cap, redirects are followed under the address policy (oai-http.ts).
 */
import { z } from 'zod';
import type { Dispatcher } from 'undici';
import { fail, success, type StepMessage, type StepOutcome } from '../../outcome.ts';
import { errors, isMetisError } from '../../../errors/index.ts';
import { OaiEndpointSchema, type OaiEndpoint } from './oai-endpoint.ts';
import { createOaiAgent, getWithRetries, type OaiHttpOptions, type RetryEvent } from './oai-http.ts';
import type { AddressPolicy } from '../../http/address-policy.ts';
import {
  DEFAULT_LISTING_LIMITS,
  type ListingProgress,
  describeOaiError,
  listingCall,
  oaiErrorCode,
  oaiProtocolError,
  OaiListing,
  oaiUrl,
  type ListOptions,
} from './oai-listing.ts';
import {
  parseGetRecord,
  parseIdentify,
  type IdentifyResponse,
  type ListIdentifiersPage,
  type ListRecordsPage,
  type OaiRecord,
} from './oai-response.ts';

export type { OaiHeader } from './oai-response.ts';
export { OaiEndpointSchema, type OaiEndpoint } from './oai-endpoint.ts';
export {
  advanceListing,
  DEFAULT_LISTING_LIMITS,
  oaiErrorCode,
  OaiListing,
  type ListingLimits,
  type ListingProgress,
  type ListOptions,
  type OaiListingState,
} from './oai-listing.ts';
export type { RetryEvent } from './oai-http.ts';

/** Client settings; the defaults are Metis's `HarvestingClientSettings`. */
export const OaiClientOptionsSchema = z.object({
  retries: z.number().int().min(0).default(3),
  retryDelayMs: z.number().int().min(0).default(5000),
  /** Longest `Retry-After` honoured (a longer one waits this long). Metis has none; 60 s. */
  maxRetryAfterMs: z.number().int().min(0).default(60_000),
  /** Total deadline of one try: headers and whole body (a trickling body is cut). */
  requestTimeoutMs: z.number().int().positive().default(600_000),
  connectTimeoutMs: z.number().int().positive().default(30_000),
  readTimeoutMs: z.number().int().positive().default(300_000),
  userAgent: z.string().default('metis-streams-oai-harvester'),
  /** Largest response accepted (a page or a record). Default 256 MiB. */
  maxResponseBytes: z
    .number()
    .int()
    .positive()
    .default(256 * 1024 * 1024),
  /** Upper bound of parallel connections per origin of the default agent. */
  maxConnections: z.number().int().positive().default(64),
  /** Pages of one listing before it fails (OAI_TOO_MANY_PAGES). */
  maxPages: z.number().int().positive().default(DEFAULT_LISTING_LIMITS.maxPages),
  /** Headers of one listing (deleted included) before it fails (OAI_TOO_MANY_RECORDS). */
  maxRecords: z.number().int().positive().default(DEFAULT_LISTING_LIMITS.maxRecords),
  /** Longest resumption token accepted, in bytes (OAI_TOKEN_TOO_LONG). */
  maxTokenBytes: z.number().int().positive().default(DEFAULT_LISTING_LIMITS.maxTokenBytes),
  /** Redirect hops followed per request. */
  maxRedirects: z.number().int().min(0).default(5),
});
export type OaiClientOptions = z.input<typeof OaiClientOptionsSchema> & {
  /** Use this undici dispatcher instead of creating one (the caller then closes it). */
  dispatcher?: Dispatcher;
  /** Called before each retry's wait (the pipeline logs it: URL, error, wait, what Retry-After asked). */
  onRetry?: (event: RetryEvent) => void;
  /** Where a redirect to another host than the endpoint's may go. Default: public addresses only. */
  redirectPolicy?: AddressPolicy;
};

/** Facts about a fetched record, in the outcome's `data`. */
// A type alias (not an interface) so it is assignable to the default `StepOutcome` data type.
export type OaiRecordData = {
  identifier: string;
  datestamp: string;
  setSpecs: string[];
};

/** A record of a ListRecords page: its header fields and the outcome GetRecord would have given. */
export interface ListedRecord {
  identifier: string;
  datestamp: string;
  deleted: boolean;
  outcome: StepOutcome<OaiRecordData>;
}

export interface OaiClient {
  /** A lazy, page-by-page listing of headers (memory: one page). */
  listIdentifiers(endpoint: OaiEndpoint, options?: ListOptions): OaiListing;
  /**
   * One ListIdentifiers page: the first (token undefined) or the one `token` names, deleted headers
   * included. For callers that persist their position page by page (the pipeline's listing commands).
   * `noRecordsMatch` is an empty page; other OAI errors and unreachable endpoints throw TaskError.
   * `progress` is where the listing stood before this page (pages, headers, cycle mark); the result's
   * `progress` is where it stands after it: pass it with the next token. A bound broken throws TaskError.
   */
  listPage(
    endpoint: OaiEndpoint,
    token: string | undefined,
    signal?: AbortSignal,
    progress?: ListingProgress,
  ): Promise<ListIdentifiersPage & { progress: ListingProgress }>;
  /**
   * One ListRecords page (not how Metis harvests: see the harvest README), for providers that support
   * it: like `listPage`, with each record checked as `fetchRecord` checks a GetRecord answer (a
   * deleted or empty record is a `fail` outcome). Saves one request per record.
   */
  listRecordsPage(
    endpoint: OaiEndpoint,
    token: string | undefined,
    signal?: AbortSignal,
    progress?: ListingProgress,
  ): Promise<{
    records: ListedRecord[];
    resumptionToken?: string;
    completeListSize: number | null;
    progress: ListingProgress;
  }>;
  /** One ListIdentifiers request; its `completeListSize` or null (Metis's `countRecords`). Throws TaskError. */
  countRecords(endpoint: OaiEndpoint, signal?: AbortSignal): Promise<number | null>;
  /**
   * GetRecord for one identifier. `success` carries the metadata child as XML text (recordId = the
   * OAI identifier); `fail` carries the reason. Never throws for a record problem; rethrows an abort.
   */
  fetchRecord(
    endpoint: Pick<OaiEndpoint, 'baseUrl' | 'metadataPrefix'>,
    identifier: string,
    signal?: AbortSignal,
  ): Promise<StepOutcome<OaiRecordData>>;
  /** The Identify response (not used by Metis's harvest; handy for checking an endpoint). Throws TaskError. */
  identify(baseUrl: string, signal?: AbortSignal): Promise<IdentifyResponse>;
  /** Closes the client's own connection pool (not an injected dispatcher). Idempotent. */
  close(): Promise<void>;
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
    requestTimeoutMs: o.requestTimeoutMs,
    maxRedirects: o.maxRedirects,
    redirectPolicy: options.redirectPolicy ?? {},
  };
  const limits = { maxPages: o.maxPages, maxRecords: o.maxRecords, maxTokenBytes: o.maxTokenBytes };
  const redirectAgent = createOaiAgent(o.connectTimeoutMs, 8, http.redirectPolicy);
  http.redirectDispatcher = redirectAgent;
  let closed = false;

  return {
    listIdentifiers: (endpoint, listOptions = {}) => new OaiListing(http, checkEndpoint(endpoint), listOptions, limits),

    async listPage(endpoint, token, signal, progress) {
      const listing = new OaiListing(
        http,
        checkEndpoint(endpoint),
        { resumptionToken: token, includeDeleted: true, signal },
        limits,
        progress,
      );
      const page = await listing.readPage();
      return { ...page, progress: listing.progress };
    },

    async countRecords(endpoint, signal) {
      const listing = new OaiListing(http, checkEndpoint(endpoint), { signal }, limits);
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
        // The record fails (the listing goes on): a malformed answer, or a request failed after its retries.
        if (isMetisError(err, 'OAI_RESPONSE_INVALID')) return fail(identifier, 'OAI_BAD_RESPONSE', err.message);
        return fail(identifier, 'OAI_GET_RECORD_FAILED', `GetRecord failed: ${(err as Error).message}`, url);
      }
      if (res.errors.length > 0)
        return fail(identifier, oaiErrorCode(res.errors[0].code), describeOaiError(res.errors[0]), url);
      return recordOutcome(identifier, res, url);
    },

    async listRecordsPage(endpoint, token, signal, progress) {
      const listing = new OaiListing(
        http,
        checkEndpoint(endpoint),
        { resumptionToken: token, includeDeleted: true, signal, verb: 'ListRecords' },
        limits,
        progress,
      );
      const page = (await listing.readPage()) as ListRecordsPage;
      const url = oaiUrl(endpoint.baseUrl, token ? { verb: 'ListRecords', resumptionToken: token } : { verb: 'ListRecords' });
      const records = page.records.map((r): ListedRecord => {
        const identifier = r.header?.identifier ?? '';
        return {
          identifier,
          datestamp: r.header?.datestamp ?? '',
          deleted: r.header?.deleted ?? false,
          outcome: recordOutcome(identifier, r, url),
        };
      });
      return {
        records,
        resumptionToken: page.resumptionToken,
        completeListSize: page.completeListSize,
        progress: listing.progress,
      };
    },

    async identify(baseUrl, signal) {
      const url = oaiUrl(baseUrl, { verb: 'Identify' });
      const res = await listingCall(() => getWithRetries(url, http, parseIdentify, signal), 'Identify', signal);
      if (res.errors.length > 0) throw oaiProtocolError(res.errors[0]);
      return res;
    },

    async close() {
      if (closed) return;
      closed = true;
      await ownAgent?.close();
      await redirectAgent.close();
    },
  };
}

/** Validates harvest parameters. Throws TaskError `OAI_BAD_PARAMETERS` naming the bad field. */
function checkEndpoint<E extends Partial<OaiEndpoint>>(endpoint: E): E & OaiEndpoint {
  const r = OaiEndpointSchema.partial({ set: true, from: true, until: true }).safeParse(endpoint);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw errors.OAI_BAD_PARAMETERS({ field: issue.path.join('.') || '', detail: issue.message });
  }
  return endpoint as E & OaiEndpoint;
}

/**
 * A record of a GetRecord response or a ListRecords page as an outcome, with the messages of Metis's
 * OaiRecordParser; `identifier` is the one asked for (GetRecord) or listed (ListRecords).
 */
function recordOutcome(identifier: string, res: OaiRecord, url: string): StepOutcome<OaiRecordData> {
  if (!res.header) return fail(identifier, 'OAI_EMPTY_HEADER', 'Empty record header!', url);
  if (res.metadataChildCount > 1) return fail(identifier, 'OAI_MULTIPLE_METADATA', 'More than one XML!', url);
  if (res.header.deleted) return fail(identifier, 'OAI_RECORD_DELETED', 'Record is marked deleted at the source.', url);
  if (!res.metadata) return fail(identifier, 'OAI_EMPTY_RECORD', 'Empty (non-deleted) record!', url);
  const answered = res.header.identifier;
  const mismatch: StepMessage[] =
    answered && answered !== identifier
      ? [
          {
            level: 'warn',
            code: 'OAI_IDENTIFIER_MISMATCH',
            message: `GetRecord for ${shorten(identifier)} returned the record ${shorten(answered)}`,
          },
        ]
      : [];
  return success<OaiRecordData>(
    identifier,
    res.metadata,
    { identifier: answered || identifier, datestamp: res.header.datestamp, setSpecs: res.header.setSpecs },
    mismatch,
  );
}

/** An identifier for a message: at most 200 characters. */
function shorten(id: string): string {
  return id.length > 200 ? `${id.slice(0, 200)}…` : id;
}
