/**
 * One OAI-PMH HTTP GET with Metis's retry rule (`CloseableHttpOaiClient`): any non-200 status or
 * network error is retried `retries` times (Metis: 3 × 5 s). The pause is `retry()`'s: exponential
 * back-off from `retryDelayMs` with full jitter (Metis waits a fixed `retryDelayMs`).
 * Additions: a `503`/`429` `Retry-After` is honoured (capped), and errors while reading the body
 * (reset, read timeout) are retried too, because the body is parsed while it streams.
 * Parse errors (a well-delivered but malformed response) are not retried: a retry would get the same.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { errors, isMetisError, retry, type MetisError } from '../../../errors/index.ts';
import { linkSignal } from '../../http/linked-signal.ts';

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
}

export interface RetryEvent {
  url: string;
  /** 1-based number of the try that failed. */
  attempt: number;
  error: Error;
  delayMs: number;
}

/** The request still failed after all tries: the catalogue error `OAI_HTTP` (`params.status`: the last HTTP status, if any). */
export type OaiHttpError = MetisError<'OAI_HTTP'>;

/** An undici Agent with the connect timeout Metis uses (30 s by default). */
export function createOaiAgent(connectTimeoutMs: number, connections = 64): Agent {
  return new Agent({ connect: { timeout: connectTimeoutMs }, connections, keepAliveTimeout: 10_000 });
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
        const ra = isMetisError(err, 'OAI_HTTP_STATUS') ? err.params.retryAfterMs : undefined;
        return typeof ra === 'number' ? Math.min(ra, opts.maxRetryAfterMs) : undefined;
      },
      onRetry: (e) => opts.onRetry?.({ url, attempt: e.attempt, error: asError(e.error), delayMs: e.delayMs }),
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

/** One try: the parsed body of a 200 answer; an OAI_HTTP_STATUS error for any other status. */
async function getOnce<T>(
  url: string,
  opts: OaiHttpOptions,
  parse: (body: AsyncIterable<Uint8Array>) => Promise<T>,
  signal: AbortSignal | undefined,
): Promise<T> {
  const res = await request(url, {
    method: 'GET',
    dispatcher: opts.dispatcher,
    headersTimeout: opts.readTimeoutMs,
    bodyTimeout: opts.readTimeoutMs,
    headers: { 'user-agent': opts.userAgent, accept: 'text/xml, application/xml;q=0.9, */*;q=0.1' },
    signal,
  });
  if (res.statusCode !== 200) {
    const retryAfterMs =
      res.statusCode === 503 || res.statusCode === 429 ? parseRetryAfter(res.headers['retry-after']) : undefined;
    await res.body.dump().catch(() => undefined);
    throw errors.OAI_HTTP_STATUS({ status: res.statusCode, retryAfterMs });
  }
  try {
    return await parse(capped(res.body, opts.maxResponseBytes));
  } finally {
    // A fully read body is left alone so the connection is reused; an abandoned one is discarded.
    if (!res.body.readableEnded) res.body.destroy();
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
  const cause = (err as { cause?: { code?: string } }).cause;
  if (cause?.code) return `${err.message} (${cause.code})`;
  return err.message;
}
