/**
 * The HTTP plumbing shared by the Entity API and dereference clients: per-request timeout, retries
 * on network errors only (as Metis's `retryableExternalRequestForNetworkExceptions`), credentials,
 * and an LRU cache of answers that also joins concurrent identical requests.
 */
import { LRUCache } from 'lru-cache';
import { RecordError, retry } from '../../errors/index.ts';

export interface HttpOptions {
  /** Per-attempt timeout. Default 30 000 ms. */
  timeoutMs?: number;
  /** Extra attempts after a network error or timeout (never after an HTTP status). Default 3. */
  retries?: number;
  /** Upper bound of the first pause between attempts, doubled each time, under full jitter (`retry()`). Default 500 ms. */
  retryDelayMs?: number;
  /** Europeana API key, sent as the `wskey` query parameter. */
  apiKey?: string;
  /** Bearer token (or a function returning the current one, e.g. from an OAuth2 client-credentials flow). */
  bearerToken?: string | (() => string | Promise<string>);
  /** Cached answers (0 turns the cache off). Default 5000, Metis's in-memory cache size. */
  cacheSize?: number;
  /** Sent as `User-Agent`. */
  userAgent?: string;
  /** Injected fetch (tests, proxies). Default: the global fetch. */
  fetch?: typeof fetch;
}

export interface HttpAnswer {
  status: number;
  url: string;
  text: string;
}

/** A network-level failure after all retries (connection refused or reset, DNS, timeout): the catalogue error `SERVICE_UNREACHABLE`. */
export class NetworkError extends RecordError<'SERVICE_UNREACHABLE'> {
  constructor(url: string, attempts: number, detail: string, options?: { cause?: unknown }) {
    super('SERVICE_UNREACHABLE', { url, attempts, detail }, options);
    this.name = 'NetworkError';
  }
}

/** GETs URLs with the configured timeout, retries and credentials; answers are cached per URL by `cached`. */
export class HttpGetter {
  private readonly cache: LRUCache<string, { value: unknown }> | undefined;
  private readonly inFlight = new Map<string, Promise<unknown>>();
  /** Number of requests actually sent (attempts included): lets tests and benchmarks see cache hits. */
  requests = 0;

  constructor(private readonly options: HttpOptions = {}) {
    const size = options.cacheSize ?? 5000;
    this.cache = size > 0 ? new LRUCache({ max: size }) : undefined;
  }

  /** Adds the API key (if configured) to a URL's query. */
  withKey(url: URL): URL {
    if (this.options.apiKey) url.searchParams.set('wskey', this.options.apiKey);
    return url;
  }

  /** One GET with retries on network errors (back-off with full jitter); any HTTP status is returned, not thrown. */
  async get(url: string, accept: string): Promise<HttpAnswer> {
    const doFetch = this.options.fetch ?? fetch;
    // A failing token source is not a network error of this request: it is not retried here.
    let tokenError: unknown;
    let attempts = 0;
    try {
      return await retry(
        async () => {
          attempts++;
          const headers: Record<string, string> = { accept };
          if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
          let token: string | undefined;
          try {
            token =
              typeof this.options.bearerToken === 'function'
                ? await this.options.bearerToken()
                : this.options.bearerToken;
          } catch (err) {
            tokenError = err;
            throw err;
          }
          if (token) headers.authorization = `Bearer ${token}`;
          this.requests++;
          const res = await doFetch(url, {
            headers,
            redirect: 'follow',
            signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
          });
          return { status: res.status, url: res.url || url, text: await res.text() };
        },
        {
          retries: this.options.retries ?? 3,
          baseDelayMs: this.options.retryDelayMs ?? 500,
          isRetriable: (err) => err !== tokenError,
        },
      );
    } catch (err) {
      if (err === tokenError) throw err;
      throw new NetworkError(url, attempts, describe(err), { cause: err });
    }
  }

  /** Runs `load` once per key while the answer stays in the LRU cache; failures are not cached. */
  async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = this.cache?.get(key);
    if (hit) return hit.value as T;
    const pending = this.inFlight.get(key);
    if (pending) return pending as Promise<T>;
    const p = load().then(
      (value) => {
        this.cache?.set(key, { value });
        this.inFlight.delete(key);
        return value;
      },
      (err: unknown) => {
        this.inFlight.delete(key);
        throw err;
      },
    );
    this.inFlight.set(key, p);
    return p;
  }
}

function describe(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError') return 'timed out';
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}
