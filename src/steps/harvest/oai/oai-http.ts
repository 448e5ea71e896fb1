/**
 * One OAI-PMH HTTP GET with Metis's retry rule (`CloseableHttpOaiClient`): any non-200 status or
 * network error is retried `retries` times with `retryDelayMs` between tries (Metis: 3 × 5 s).
 * Additions: a `503`/`429` `Retry-After` is honoured (capped), and errors while reading the body
 * (reset, read timeout) are retried too, because the body is parsed while it streams.
 * Parse errors (a well-delivered but malformed response) are not retried: a retry would get the same.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { OaiResponseError } from './oai-response.ts';
import { linkSignal } from '../../http/linked-signal.ts';

export interface OaiHttpOptions {
  /** Retries after the first try (Metis: 3). */
  retries: number;
  /** Pause between tries (Metis: 5000). */
  retryDelayMs: number;
  /** Longest `Retry-After` honoured; longer requests wait this long. */
  maxRetryAfterMs: number;
  /** Time to wait for the response headers, and the longest pause between body chunks (Metis socket timeout: 300 s). */
  readTimeoutMs: number;
  userAgent: string;
  /** Largest response body accepted; a larger one is an OaiResponseError (not retried). */
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

/** The request still failed after all tries. `status` is the last HTTP status, if any. */
export class OaiHttpError extends Error {
  readonly code = 'OAI_HTTP';
  constructor(
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OaiHttpError';
  }
}

class StatusError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterMs: number | undefined,
  ) {
    super(`HTTP status ${status}`);
  }
}

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
 * Returns what `parse` returns. Throws OaiResponseError (not retried) from `parse`, OaiHttpError
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
  let lastError: Error | undefined;
  let lastStatus: number | undefined;
  for (let attempt = 1; attempt <= opts.retries + 1; attempt++) {
    let retryAfterMs: number | undefined;
    try {
      const res = await request(url, {
        method: 'GET',
        dispatcher: opts.dispatcher,
        headersTimeout: opts.readTimeoutMs,
        bodyTimeout: opts.readTimeoutMs,
        headers: { 'user-agent': opts.userAgent, accept: 'text/xml, application/xml;q=0.9, */*;q=0.1' },
        signal,
      });
      if (res.statusCode !== 200) {
        const ra = res.statusCode === 503 || res.statusCode === 429 ? parseRetryAfter(res.headers['retry-after']) : undefined;
        await res.body.dump().catch(() => undefined);
        throw new StatusError(res.statusCode, ra);
      }
      try {
        return await parse(capped(res.body, opts.maxResponseBytes));
      } finally {
        // A fully read body is left alone so the connection is reused; an abandoned one is discarded.
        if (!res.body.readableEnded) res.body.destroy();
      }
    } catch (err) {
      if (err instanceof OaiResponseError || signal?.aborted) throw err;
      lastError = err instanceof Error ? err : new Error(String(err));
      if (err instanceof StatusError) {
        lastStatus = err.status;
        retryAfterMs = err.retryAfterMs;
      }
    }
    if (attempt > opts.retries) break;
    const delayMs = retryAfterMs !== undefined ? Math.min(retryAfterMs, opts.maxRetryAfterMs) : opts.retryDelayMs;
    opts.onRetry?.({ url, attempt, error: lastError, delayMs });
    await sleep(delayMs, undefined, { signal });
  }
  const tries = opts.retries + 1;
  throw new OaiHttpError(`${tries} attempt${tries > 1 ? 's' : ''} failed: ${describe(lastError)}`, lastStatus, { cause: lastError });
}

async function* capped(body: AsyncIterable<Uint8Array>, max: number): AsyncGenerator<Uint8Array> {
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) throw new OaiResponseError(`Response larger than ${max} bytes`);
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
