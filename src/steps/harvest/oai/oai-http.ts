/**
 * One OAI-PMH HTTP GET with Metis's retry rule (`CloseableHttpOaiClient`): any non-200 status or
 * network error is retried `retries` times (Metis: 3 × 5 s). The pause is `retry()`'s: exponential
 * back-off from `retryDelayMs` with full jitter (Metis waits a fixed `retryDelayMs`).
 * Additions: a `503`/`429` `Retry-After` is honoured (capped), and errors while reading the body
 * (reset, read timeout) are retried too, because the body is parsed while it streams.
 * Parse errors (a well-delivered but malformed response) are not retried: a retry would get the same.
 *
 * Hostile servers (issue #12): each try has a total deadline (headers and whole body; a trickling
 * body is cut, `OAI_REQUEST_DEADLINE`, retried); `Retry-After` is capped (`maxRetryAfterMs`) and each
 * wait is reported through `onRetry`; a gzip/deflate/br body is decoded with the byte cap applied to
 * the decoded size (an inflate bomb stops at `maxResponseBytes`); redirects are followed by hand, at
 * most `maxRedirects` hops, and a hop to another host than the endpoint's must pass the address
 * policy (its address literal here, its DNS answers at connect time), as the safe fetcher does.
 * One file, though over 300 lines: deadline, decoding, redirects and retries wrap one request and
 * share its abort path; they are read (and reviewed for the hostile cases) together.
 */
import { isIP } from 'node:net';
import { pipeline, Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { Agent, request, type Dispatcher } from 'undici';
import { errors, isMetisError, retry, type MetisError } from '../../../errors/index.ts';
import { linkSignal } from '../../http/linked-signal.ts';
import { isAddressAllowed, type AddressPolicy } from '../../http/address-policy.ts';
import { checkedLookup } from '../../http/checked-lookup.ts';

export interface OaiHttpOptions {
  /** Retries after the first try (Metis: 3). */
  retries: number;
  /** First pause between tries, doubled per try under full jitter (Metis: a fixed 5000). */
  retryDelayMs: number;
  /** Longest `Retry-After` honoured; longer requests wait this long. */
  maxRetryAfterMs: number;
  /** Time to wait for the response headers, and the longest pause between body chunks (Metis socket timeout: 300 s). */
  readTimeoutMs: number;
  userAgent: string;
  /** Largest response body accepted; a larger one is an `OAI_RESPONSE_INVALID` error (not retried). */
  maxResponseBytes: number;
  dispatcher: Dispatcher;
  /** Called before each retry (for logs and metrics). */
  onRetry?: (event: RetryEvent) => void;
  /** Deadline of one try: headers plus the whole body. Default 600 000 ms. */
  requestTimeoutMs?: number;
  /** Redirect hops followed (301, 302, 303, 307, 308). Default 5; 0 = none. */
  maxRedirects?: number;
  /** Where a redirect to another host may go. Default: public addresses only. */
  redirectPolicy?: AddressPolicy;
  /** Dispatcher for redirect hops to other hosts (its DNS answers checked); made on first use when absent. */
  redirectDispatcher?: Dispatcher;
}

export interface RetryEvent {
  url: string;
  /** 1-based number of the try that failed. */
  attempt: number;
  error: Error;
  /** The wait before the next try. */
  delayMs: number;
  /** What the server's `Retry-After` asked for (ms), when it sent one; `delayMs` is this capped. */
  retryAfterMs?: number;
}

/** The request still failed after all tries: the catalogue error `OAI_HTTP` (`params.status`: the last HTTP status, if any). */
export type OaiHttpError = MetisError<'OAI_HTTP'>;

/** An undici Agent with the connect timeout Metis uses (30 s by default); with a policy, DNS answers are checked. */
export function createOaiAgent(connectTimeoutMs: number, connections = 64, policy?: AddressPolicy): Agent {
  return new Agent({
    connect: { timeout: connectTimeoutMs, ...(policy ? { lookup: checkedLookup(policy) } : {}) },
    connections,
    keepAliveTimeout: 10_000,
  });
}

/** `Retry-After` as milliseconds: delta-seconds or an HTTP date; undefined when absent or invalid. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\s*\d+\s*$/.test(v)) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * GETs `url` and hands the streaming body to `parse`, retrying as described above.
 * Returns what `parse` returns. Throws `OAI_RESPONSE_INVALID` (not retried) from `parse`, `OAI_HTTP`
 * ("<n> attempts failed: <last error>") once the tries are used up, or the abort reason.
 */
export async function getWithRetries<T>(
  url: string,
  opts: OaiHttpOptions,
  parse: (body: AsyncIterable<Uint8Array>) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  // The caller's signal is shared by every request of its task in flight: one listener on it, not
  // one per request and retry (MaxListenersExceededWarning); dropped when this request settles.
  const link = linkSignal(signal);
  try {
    return await getWithRetriesOn(url, opts, parse, link.signal);
  } finally {
    link.dispose();
  }
}

async function getWithRetriesOn<T>(
  url: string,
  opts: OaiHttpOptions,
  parse: (body: AsyncIterable<Uint8Array>) => Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T> {
  try {
    return await retry(() => getOnce(url, opts, parse, signal), {
      retries: opts.retries,
      baseDelayMs: opts.retryDelayMs,
      maxDelayMs: Math.max(opts.retryDelayMs, opts.maxRetryAfterMs),
      signal,
      // Metis retries any non-200 status and any network error; a malformed body is not retried.
      isRetriable: (err) => !isMetisError(err, 'OAI_RESPONSE_INVALID'),
      delayFor: (err) => {
        const ra = retryAfterOf(err);
        return ra === undefined ? undefined : Math.min(ra, opts.maxRetryAfterMs);
      },
      onRetry: (e) =>
        opts.onRetry?.({
          url,
          attempt: e.attempt,
          error: asError(e.error),
          delayMs: e.delayMs,
          ...(retryAfterOf(e.error) !== undefined ? { retryAfterMs: retryAfterOf(e.error) } : {}),
        }),
    });
  } catch (err) {
    if (signal?.aborted || isMetisError(err, 'OAI_RESPONSE_INVALID')) throw err;
    const tries = opts.retries + 1;
    const status = isMetisError(err, 'OAI_HTTP_STATUS') ? err.params.status : undefined;
    throw errors.OAI_HTTP(
      { tries: `${tries} attempt${tries > 1 ? 's' : ''}`, detail: describe(asError(err)), status },
      { cause: err },
    );
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function retryAfterOf(err: unknown): number | undefined {
  const ra = isMetisError(err, 'OAI_HTTP_STATUS') ? err.params.retryAfterMs : undefined;
  return typeof ra === 'number' ? ra : undefined;
}

/**
 * One try: the parsed body of a 200 answer (after redirects); an OAI_HTTP_STATUS error for any other
 * status; OAI_REQUEST_DEADLINE when headers and body are not all in within `requestTimeoutMs`.
 */
async function getOnce<T>(
  url: string,
  opts: OaiHttpOptions,
  parse: (body: AsyncIterable<Uint8Array>) => Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T> {
  const deadlineMs = opts.requestTimeoutMs ?? 600_000;
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(errors.OAI_REQUEST_DEADLINE({ ms: deadlineMs })), deadlineMs);
  const trySignal = signal ? AbortSignal.any([signal, deadline.signal]) : deadline.signal;
  try {
    return await getOnceUntil(url, opts, parse, trySignal);
  } catch (err) {
    if (deadline.signal.aborted && !signal?.aborted) throw deadline.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

async function getOnceUntil<T>(
  url: string,
  opts: OaiHttpOptions,
  parse: (body: AsyncIterable<Uint8Array>) => Promise<T>,
  signal: AbortSignal,
): Promise<T> {
  const origin = new URL(url).host;
  const maxRedirects = opts.maxRedirects ?? 5;
  let current = new URL(url);
  for (let hop = 0; ; hop++) {
    const foreign = current.host !== origin;
    if (foreign) checkRedirectTarget(current, opts);
    const res = await request(current, {
      method: 'GET',
      dispatcher: foreign ? redirectDispatcher(opts) : opts.dispatcher,
      headersTimeout: opts.readTimeoutMs,
      bodyTimeout: opts.readTimeoutMs,
      headers: {
        'user-agent': opts.userAgent,
        accept: 'text/xml, application/xml;q=0.9, */*;q=0.1',
        'accept-encoding': 'gzip, deflate',
      },
      signal,
    });
    const location = res.headers.location;
    if (REDIRECT_STATUSES.has(res.statusCode) && typeof location === 'string') {
      await res.body.dump().catch(() => undefined);
      if (hop >= maxRedirects) {
        throw errors.OAI_RESPONSE_INVALID({ detail: `More than ${maxRedirects} redirects from ${url}` });
      }
      try {
        current = new URL(location, current);
      } catch {
        throw errors.OAI_RESPONSE_INVALID({ detail: `Redirect to an invalid URL: ${location.slice(0, 200)}` });
      }
      continue;
    }
    if (res.statusCode !== 200) {
      const retryAfterMs =
        res.statusCode === 503 || res.statusCode === 429 ? parseRetryAfter(res.headers['retry-after']) : undefined;
      await res.body.dump().catch(() => undefined);
      throw errors.OAI_HTTP_STATUS({ status: res.statusCode, retryAfterMs });
    }
    try {
      const encoding = encodingOf(res.headers['content-encoding']);
      // The byte cap applies to the decoded bytes: an inflate bomb stops at maxResponseBytes.
      return await parse(capped(encoding ? decoded(res.body, encoding) : res.body, opts.maxResponseBytes));
    } finally {
      // A fully read body is left alone so the connection is reused; an abandoned one is discarded.
      if (!res.body.readableEnded) res.body.destroy();
    }
  }
}

/** A redirect to another host: http(s) only, and an address literal must pass the policy (names: at connect). */
function checkRedirectTarget(url: URL, opts: OaiHttpOptions): void {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw errors.OAI_RESPONSE_INVALID({ detail: `Redirect to an unsupported protocol: ${url.protocol}` });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(host) && !isAddressAllowed(host, opts.redirectPolicy ?? {})) {
    throw errors.OAI_RESPONSE_INVALID({ detail: `Redirect to ${host} refused by the address policy` });
  }
}

const redirectAgents = new WeakMap<OaiHttpOptions, Dispatcher>();

function redirectDispatcher(opts: OaiHttpOptions): Dispatcher {
  if (opts.redirectDispatcher) return opts.redirectDispatcher;
  let agent = redirectAgents.get(opts);
  if (!agent) {
    agent = createOaiAgent(30_000, 8, opts.redirectPolicy ?? {});
    redirectAgents.set(opts, agent);
  }
  return agent;
}

/** The `Content-Encoding` as one lower-case name; undefined for none/identity; an unknown one is OAI_RESPONSE_INVALID. */
function encodingOf(header: string | string[] | undefined): 'gzip' | 'deflate' | 'br' | undefined {
  const v = (Array.isArray(header) ? header.join(',') : (header ?? '')).trim().toLowerCase();
  if (v === '' || v === 'identity') return undefined;
  if (v === 'gzip' || v === 'x-gzip') return 'gzip';
  if (v === 'deflate' || v === 'br') return v;
  throw errors.OAI_RESPONSE_INVALID({ detail: `Unsupported Content-Encoding: ${v.slice(0, 50)}` });
}

/** Input is fed to the decoder in slices this large, so one slice inflates to a bounded size (≤ ~16 MiB). */
const INFLATE_SLICE = 16 * 1024;

/**
 * The decoded body. Memory stays bounded: the decoder is pulled as the parser reads, its input comes
 * in small slices, and `capped` (applied by the caller to the decoded bytes) stops an inflate bomb.
 * `deflate` is meant to be zlib-wrapped, but servers send raw deflate too: the first bytes decide.
 */
async function* decoded(
  body: AsyncIterable<Uint8Array>,
  encoding: 'gzip' | 'deflate' | 'br',
): AsyncGenerator<Uint8Array> {
  const it = body[Symbol.asyncIterator]();
  const first = await it.next();
  if (first.done) return;
  const head = first.value;
  const zlibWrapped = head.length >= 2 && (head[0] & 0x0f) === 8 && ((head[0] << 8) | head[1]) % 31 === 0;
  const decoder =
    encoding === 'gzip'
      ? createGunzip()
      : encoding === 'br'
        ? createBrotliDecompress()
        : zlibWrapped
          ? createInflate()
          : createInflateRaw();
  let sourceError: unknown;
  const next = async (): Promise<IteratorResult<Uint8Array>> => {
    try {
      return await it.next();
    } catch (err) {
      sourceError = err; // a network error or the deadline: not a decoding problem
      throw err;
    }
  };
  async function* sliced(): AsyncGenerator<Uint8Array> {
    for (let chunk: IteratorResult<Uint8Array> = first; !chunk.done; chunk = await next()) {
      for (let i = 0; i < chunk.value.length; i += INFLATE_SLICE) yield chunk.value.subarray(i, i + INFLATE_SLICE);
    }
  }
  const source = Readable.from(sliced(), { objectMode: false });
  const out = pipeline(source, decoder, () => undefined);
  try {
    for await (const chunk of out) yield chunk as Uint8Array;
  } catch (err) {
    if (sourceError !== undefined || isMetisError(err)) throw sourceError ?? err;
    throw errors.OAI_RESPONSE_INVALID({ detail: `Cannot decode the ${encoding} response: ${(err as Error).message}` });
  } finally {
    out.destroy();
    source.destroy();
  }
}

function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}

async function* capped(body: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) throw errors.OAI_RESPONSE_INVALID({ detail: `Response larger than ${max} bytes` });
    yield chunk;
  }
}

function describe(err: Error | undefined): string {
  if (!err) return 'unknown error';
  const code = (err as { code?: string }).code;
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return 'read timeout';
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return 'connect timeout';
  if (isMetisError(err, 'OAI_REQUEST_DEADLINE')) return err.message;
  const cause = (err as { cause?: { code?: string } }).cause;
  if (cause?.code) return `${err.message} (${cause.code})`;
  return err.message;
}
