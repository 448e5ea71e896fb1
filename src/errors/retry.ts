/**
 * The one retry loop: exponential back-off with full jitter, bounded in tries and in delay, and
 * stopped by an AbortSignal. Used wherever the code retries (OAI-PMH requests, the entity and
 * dereference clients, index batches).
 *
 * The delay before try n+1 (n counted from 0) is `random() × min(maxDelayMs, baseDelayMs × 2^n)`
 * ("full jitter": many clients that failed together do not come back together), unless `delayFor`
 * names one (e.g. an HTTP `Retry-After`), which is then capped by `maxDelayMs` only.
 */
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { MetisError } from './metis-error.ts';

export interface RetryEvent {
  /** 1-based number of the try that failed. */
  attempt: number;
  error: unknown;
  delayMs: number;
}

export interface RetryOptions {
  /** Tries after the first one (`Infinity` with `budgetMs`: as many as the budget allows). */
  retries: number;
  /**
   * Time budget in ms from the first try: no wait is started that would end after it (the last
   * error is thrown instead). Transient outages of a database or a server are waited out this way.
   */
  budgetMs?: number;
  /** Upper bound of the first delay; doubles per try. */
  baseDelayMs: number;
  /** Upper bound of any delay. Default: 30 000 ms. */
  maxDelayMs?: number;
  /** Stops waiting and trying: the signal's reason is thrown. */
  signal?: AbortSignal;
  /** Which errors are worth another try. Default: `isRetriable` (catalogue flag, transient network or database errors). */
  isRetriable?: (err: unknown) => boolean;
  /** A delay the error asks for (e.g. `Retry-After`), or undefined for the back-off. */
  delayFor?: (err: unknown, attempt: number) => number | undefined;
  /** Called before each wait (logs, metrics, tests). */
  onRetry?: (event: RetryEvent) => void;
  /** Injected for tests: waits `ms` or rejects when `signal` aborts. Default: a timer. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected for tests: a number in [0, 1). Default: Math.random. */
  random?: () => number;
  /** Injected for tests: the clock of `budgetMs`. Default: Date.now. */
  now?: () => number;
}

/**
 * Calls `fn(attempt)` (attempt 1, 2, ...) until it resolves, an error is not retriable, the tries
 * are used up, or `signal` aborts. Rejects with the last error (or the abort reason).
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const { retries, baseDelayMs, maxDelayMs = 30_000, signal } = options;
  const retriable = options.isRetriable ?? isRetriable;
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const now = options.now ?? Date.now;
  const deadline = options.budgetMs === undefined ? Infinity : now() + options.budgetMs;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (err) {
      if (signal?.aborted) throw signal.reason;
      if (attempt > retries || !retriable(err)) throw err;
      const asked = options.delayFor?.(err, attempt);
      const delayMs = Math.round(
        asked !== undefined
          ? Math.min(asked, maxDelayMs)
          : random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)),
      );
      if (now() + delayMs > deadline) throw err;
      options.onRetry?.({ attempt, error: err, delayMs });
      try {
        await sleep(delayMs, signal);
      } catch (sleepErr) {
        throw signal?.aborted ? signal.reason : sleepErr;
      }
    }
  }
}

async function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  await sleepTimer(ms, undefined, { signal });
}

/** Node / undici error codes of transient network conditions. */
const TRANSIENT_NETWORK = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

/**
 * PostgreSQL SQLSTATEs worth a retry: connection exceptions (class 08), serialization failure and
 * deadlock (40001, 40P01), insufficient resources (class 53), operator intervention such as an
 * admin shutdown (57P01–57P03).
 */
export function isTransientDbError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return PG_CONNECTION_LOST.test((err as { message?: unknown } | null)?.message as string);
  return /^08/.test(code) || code === '40001' || code === '40P01' || /^53/.test(code) || /^57P0[123]$/.test(code);
}

/** node-postgres's own errors for a connection the server dropped (they carry no code). */
const PG_CONNECTION_LOST = /^(Connection terminated|Client has encountered a connection error|Connection terminated unexpectedly)/;

/** Default retry rule: a catalogue error says so itself; otherwise transient network and database errors. */
export function isRetriable(err: unknown): boolean {
  if (err instanceof MetisError) return err.retriable;
  if ((err as { name?: string } | null)?.name === 'TimeoutError') return true;
  if (isTransientDbError(err)) return true;
  for (
    let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 4;
    e = e.cause as typeof e, depth++
  ) {
    if (typeof e.code === 'string' && TRANSIENT_NETWORK.has(e.code)) return true;
  }
  return false;
}
