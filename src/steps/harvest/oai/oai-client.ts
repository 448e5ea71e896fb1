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
import { fail, success, type StepOutcome } from '../../outcome.ts';
import { errors, isMetisError } from '../../../errors/index.ts';
import { OaiEndpointSchema, type OaiEndpoint } from './oai-endpoint.ts';
import { createOaiAgent, getWithRetries, type OaiHttpOptions, type RetryEvent } from './oai-http.ts';
import {
  describeOaiError,
  listingCall,
  oaiErrorCode,
  oaiProtocolError,
  OaiListing,
  oaiUrl,
  type ListOptions,
} from './oai-listing.ts';
import { parseGetRecord, parseIdentify, type IdentifyResponse, type ListIdentifiersPage } from './oai-response.ts';

export type { OaiHeader } from './oai-response.ts';
export { OaiEndpointSchema, type OaiEndpoint } from './oai-endpoint.ts';
export { oaiErrorCode, OaiListing, type ListOptions, type OaiListingState } from './oai-listing.ts';

/** Client settings; the defaults are Metis's `HarvestingClientSettings`. */
export const OaiClientOptionsSchema = z.object({
  retries: z.number().int().min(0).default(3),
  retryDelayMs: z.number().int().min(0).default(5000),
  maxRetryAfterMs: z.number().int().min(0).default(300_000),
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
});
export type OaiClientOptions = z.input<typeof OaiClientOptionsSchema> & {
  /** Use this undici dispatcher instead of creating one (the caller then closes it). */
  dispatcher?: Dispatcher;
  onRetry?: (event: RetryEvent) => void;
};

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
  };
  let closed = false;

  return {
    listIdentifiers: (endpoint, listOptions = {}) => new OaiListing(http, checkEndpoint(endpoint), listOptions),

    async listPage(endpoint, token, signal) {
      const listing = new OaiListing(http, checkEndpoint(endpoint), {
        resumptionToken: token,
        includeDeleted: true,
        signal,
      });
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
        // The record fails (the listing goes on): a malformed answer, or a request failed after its retries.
        if (isMetisError(err, 'OAI_RESPONSE_INVALID')) return fail(identifier, 'OAI_BAD_RESPONSE', err.message);
        return fail(identifier, 'OAI_GET_RECORD_FAILED', `GetRecord failed: ${(err as Error).message}`, url);
      }
      if (res.errors.length > 0)
        return fail(identifier, oaiErrorCode(res.errors[0].code), describeOaiError(res.errors[0]), url);
      // Messages as in Metis's OaiRecordParser.
      if (!res.header) return fail(identifier, 'OAI_EMPTY_HEADER', 'Empty record header!', url);
      if (res.metadataChildCount > 1) return fail(identifier, 'OAI_MULTIPLE_METADATA', 'More than one XML!', url);
      if (res.header.deleted)
        return fail(identifier, 'OAI_RECORD_DELETED', 'Record is marked deleted at the source.', url);
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
      if (res.errors.length > 0) throw oaiProtocolError(res.errors[0]);
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
    throw errors.OAI_BAD_PARAMETERS({ field: issue.path.join('.') || '', detail: issue.message });
  }
  return endpoint as E & OaiEndpoint;
}
