/**
 * The HTTP plumbing shared by the Entity API and dereference clients: per-request timeout, retries
 * on network errors only (as Metis's `retryableExternalRequestForNetworkExceptions`), credentials,
 * and an LRU cache of answers that also joins concurrent identical requests.
 */
import { LRUCache } from 'lru-cache';

export interface HttpOptions {
  /** Per-attempt timeout. Default 30 000 ms. */
  timeoutMs?: number;
  /** Extra attempts after a network error or timeout (never after an HTTP status). Default 3. */
  retries?: number;
  /** Pause between attempts, doubled each time. Default 500 ms. */
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

/** A network-level failure after all retries (connection refused or reset, DNS, timeout). */
export class NetworkError extends Error {
  readonly code = 'NETWORK';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
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

  /** One GET with retries on network errors; any HTTP status is returned, not thrown. */
  async get(url: string, accept: string): Promise<HttpAnswer> {
    const retries = this.options.retries ?? 3;
    let delay = this.options.retryDelayMs ?? 500;
    const doFetch = this.options.fetch ?? fetch;
    for (let attempt = 0; ; attempt++) {
      const headers: Record<string, string> = { accept };
      if (this.options.userAgent) headers['user-agent'] = this.options.userAgent;
      const token =
        typeof this.options.bearerToken === 'function' ? await this.options.bearerToken() : this.options.bearerToken;
      if (token) headers.authorization = `Bearer ${token}`;
      try {
        this.requests++;
        const res = await doFetch(url, {
          headers,
          redirect: 'follow',
          signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
        });
        return { status: res.status, url: res.url || url, text: await res.text() };
      } catch (err) {
        if (attempt >= retries)
          throw new NetworkError(`GET ${url} failed after ${attempt + 1} attempt(s): ${describe(err)}`, { cause: err });
        await new Promise((r) => setTimeout(r, delay));
        delay *= 2;
      }
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
