/**
 * A GET client for provider-controlled URLs: every hop (the first URL and each redirect) and every
 * DNS answer is checked against a host policy before a socket is opened, redirects are followed
 * by hand up to a limit, and connect / response / total timeouts and a byte cap always apply.
 * A host whose connections keep failing is cut short for a while (a small circuit breaker per host).
 *
 * One file, though over 300 lines: the hop loop, its checks and its timeouts are one security
 * boundary, best reviewed in one place (the address rules themselves are in address-policy.ts).
 *
 * Reused by media processing, link checking and enrichment. Usage:
 * ```ts
 * const fetcher = createSafeFetcher({ maxBytes: 50e6 });
 * const res = await fetcher.open('https://example.org/a.jpg'); // headers of the final 2xx response
 * const bytes = await res.readAll();                            // or res.readPrefix(4096), res.discard()
 * await fetcher.close();
 * ```
 */
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import { Agent, request } from 'undici';
import { hostMatches, isAddressAllowed, type AddressPolicy } from './address-policy.ts';
import { checkedLookup } from './checked-lookup.ts';
import { once, type RequestGate } from './request-gate.ts';
import { errors, RecordError } from '../../errors/index.ts';

export interface FetchPolicy extends AddressPolicy {
  /** When set, only these hosts are fetched (`example.org` or `*.example.org`). */
  allowedHosts?: string[];
  /** Hosts never fetched (`example.org` or `*.example.org`). */
  deniedHosts?: string[];
  /** Redirects followed before giving up. Default 3 (Metis `ResourceDownloadClient`). */
  maxRedirects?: number;
  /** TCP/TLS connect timeout. Default 10 000 ms. */
  connectTimeoutMs?: number;
  /** Time allowed from sending a request to receiving its headers, and between body chunks. Default 20 000 ms. */
  responseTimeoutMs?: number;
  /**
   * Deadline for a whole fetch: all redirects plus reading the body (a server trickling one byte
   * every few seconds is cut here). Default 60 000 ms.
   */
  totalTimeoutMs?: number;
  /**
   * Consecutive failed connections (refused, reset, DNS, connect/headers timeout) to one host after
   * which it is skipped for `hostCooldownMs`: requests to it then fail at once with `HOST_DOWN`.
   * A success resets the count; after the cool-down one more failure skips it again. Default 5; 0 = never.
   */
  hostFailureLimit?: number;
  /** How long a host that keeps failing is skipped. Default 60 000 ms. */
  hostCooldownMs?: number;
  /** Largest body read by `readAll`. Default 100 MiB. */
  maxBytes?: number;
  /** User-Agent header sent. */
  userAgent?: string;
  /**
   * Politeness: each `open` waits for the gate of its first URL's host and holds it (redirects
   * included) until the response body is consumed, dropped or fails, or the request fails.
   */
  gate?: RequestGate;
}

/** Why a fetch failed; `code` is stable, the message names the URL. */
export type FetchErrorCode =
  | 'BAD_URL'
  | 'HOST_NOT_ALLOWED'
  | 'TOO_MANY_REDIRECTS'
  | 'HTTP_STATUS'
  | 'TOO_LARGE'
  | 'TIMEOUT'
  | 'NETWORK'
  | 'HOST_DOWN';

/**
 * A failed fetch, a catalogue error: `code` says what went wrong (`TIMEOUT` and `NETWORK` are
 * retriable), `url` which hop, `status` the HTTP status for `HTTP_STATUS`. `detail` is the message
 * of the codes whose template is `{detail}`, else the part after the URL.
 */
export class FetchError extends RecordError<FetchErrorCode> {
  readonly url: string;
  readonly status?: number;
  constructor(
    code: FetchErrorCode,
    params: {
      url: string;
      status?: number;
      detail?: string;
      max?: number;
      host?: string;
      failures?: number;
      cooldownMs?: number;
    },
    options?: { cause?: unknown },
  ) {
    super(code, params, options);
    this.name = 'FetchError';
    this.url = params.url;
    this.status = params.status;
  }
}

export interface OpenOptions {
  /** Extra request headers (e.g. `range`). Kept across redirects. */
  headers?: Record<string, string>;
  /** Aborts the fetch (in addition to the total timeout). */
  signal?: AbortSignal;
  /** Overrides the policy's redirect limit; 0 = do not follow. */
  maxRedirects?: number;
}

/** A 2xx response whose headers have arrived; its body must be read, prefixed or discarded. */
export interface OpenResponse {
  /** The final URL after redirects. */
  url: string;
  /** Redirects followed to get here. */
  redirects: number;
  status: number;
  /** Lower-case header names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  /** Content-Type as sent (parameters included), if any. */
  contentType?: string;
  /** Content-Length as sent, if a valid number. */
  contentLength?: number;
  /** The raw body stream (for relays); prefer the helpers below. */
  body: Readable;
  /** Reads the whole body; refuses (without reading on) past `maxBytes` (default: the policy's). */
  readAll(maxBytes?: number): Promise<Buffer>;
  /** Reads at most `n` bytes from the start, then drops the connection. */
  readPrefix(n: number): Promise<Buffer>;
  /** Drops the body without reading it. */
  discard(): void;
}

export interface SafeFetcher {
  /** GETs `url` under the policy; rejects with FetchError unless the final status is 2xx. */
  open(url: string, options?: OpenOptions): Promise<OpenResponse>;
  /** `open` + `readAll`. */
  fetchBytes(url: string, options?: OpenOptions): Promise<{ response: OpenResponse; body: Buffer }>;
  /** The policy in force, defaults filled in. */
  readonly policy: Readonly<Required<Omit<FetchPolicy, 'allowedHosts' | 'deniedHosts' | 'userAgent' | 'gate'>>> & FetchPolicy;
  /** Closes pooled connections. Idempotent. */
  close(): Promise<void>;
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** Creates a fetcher bound to one policy (its own connection pool and DNS check). */
export function createSafeFetcher(policy: FetchPolicy = {}): SafeFetcher {
  const full = {
    allowLoopback: false,
    allowPrivate: false,
    allowLinkLocal: false,
    maxRedirects: 3,
    connectTimeoutMs: 10_000,
    responseTimeoutMs: 20_000,
    totalTimeoutMs: 60_000,
    maxBytes: 100 * 1024 * 1024,
    hostFailureLimit: 5,
    hostCooldownMs: 60_000,
    ...policy,
  };

  // DNS answers are checked at connect time (checked-lookup.ts).
  const agent = new Agent({
    connect: { timeout: full.connectTimeoutMs, lookup: checkedLookup(full) },
    headersTimeout: full.responseTimeoutMs,
    bodyTimeout: full.responseTimeoutMs,
  });
  let closed = false;
  const breaker = hostBreaker(full.hostFailureLimit, full.hostCooldownMs);

  function checkUrl(raw: string): URL {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw new FetchError('BAD_URL', { url: raw, detail: `Invalid URL: ${raw}` });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new FetchError('BAD_URL', { url: raw, detail: `Unsupported protocol ${url.protocol} in ${raw}` });
    }
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (full.deniedHosts && hostMatches(host, full.deniedHosts)) {
      throw new FetchError('HOST_NOT_ALLOWED', { url: raw, detail: `Host ${host} is denied by the fetch policy` });
    }
    if (full.allowedHosts && !hostMatches(host, full.allowedHosts)) {
      throw new FetchError('HOST_NOT_ALLOWED', { url: raw, detail: `Host ${host} is not in the allowed hosts` });
    }
    // Address literals never reach the DNS lookup, so they are judged here.
    if (isIP(host) && !isAddressAllowed(host, full)) {
      throw new FetchError('HOST_NOT_ALLOWED', { url: raw, detail: `Address ${host} is refused by the fetch policy` });
    }
    return url;
  }

  async function open(rawUrl: string, options: OpenOptions = {}): Promise<OpenResponse> {
    if (closed) throw errors.INTERNAL({ detail: 'SafeFetcher is closed' });
    // A refused URL or a host in cool-down fails at once, without waiting for the host's turn; the
    // deadline starts when the turn comes.
    if (full.gate) breaker.check(checkUrl(rawUrl).host, rawUrl);
    const release = full.gate ? once(await full.gate(rawUrl, options.signal)) : undefined;
    const deadline = AbortSignal.timeout(full.totalTimeoutMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    const maxRedirects = options.maxRedirects ?? full.maxRedirects;
    const headers: Record<string, string> = {
      ...(full.userAgent ? { 'user-agent': full.userAgent } : {}),
      ...options.headers,
    };
    try {
      const response = await follow(rawUrl, options, signal, deadline, headers, maxRedirects);
      // The request ends with its body: read to the end, dropped, cut by a deadline or the byte cap.
      if (release) {
        response.body.once('close', release);
        if (response.body.destroyed) release();
      }
      return response;
    } catch (err) {
      release?.();
      throw err;
    }
  }

  async function follow(
    rawUrl: string,
    options: OpenOptions,
    signal: AbortSignal,
    deadline: AbortSignal,
    headers: Record<string, string>,
    maxRedirects: number,
  ): Promise<OpenResponse> {
    let current = rawUrl;
    for (let hop = 0; ; hop++) {
      const url = checkUrl(current);
      breaker.check(url.host, current);
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(url, { method: 'GET', dispatcher: agent, headers, signal });
      } catch (err) {
        const failure = translateError(err, current, deadline);
        // The caller's own abort says nothing about the host.
        if (!options.signal?.aborted) breaker.failed(url.host, failure);
        throw failure;
      }
      breaker.succeeded(url.host);
      const location = res.headers.location;
      if (REDIRECT_STATUSES.has(res.statusCode) && typeof location === 'string') {
        dropBody(res.body);
        if (hop >= maxRedirects) {
          throw new FetchError('TOO_MANY_REDIRECTS', { url: rawUrl, max: maxRedirects, status: res.statusCode });
        }
        current = new URL(location, url).href;
        continue;
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        dropBody(res.body);
        throw new FetchError('HTTP_STATUS', { url: current, status: res.statusCode });
      }
      return wrapResponse(current, hop, res, full.maxBytes, deadline);
    }
  }

  return {
    policy: full,
    open,
    async fetchBytes(url, options) {
      const response = await open(url, options);
      return { response, body: await response.readAll() };
    },
    async close() {
      if (closed) return;
      closed = true;
      await agent.close();
    },
  };
}

function wrapResponse(
  url: string,
  redirects: number,
  res: { statusCode: number; headers: Record<string, string | string[] | undefined>; body: Readable },
  defaultMax: number,
  deadline: AbortSignal,
): OpenResponse {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(res.headers))
    if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  const lengthHeader = headers['content-length'];
  const contentLength = lengthHeader && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
  const body = res.body;
  return {
    url,
    redirects,
    status: res.statusCode,
    headers,
    contentType: headers['content-type'],
    contentLength,
    body,
    async readAll(maxBytes = defaultMax) {
      // Refuse up front when the server announces too much: nothing of it is read.
      if (contentLength !== undefined && contentLength > maxBytes) {
        dropBody(body);
        throw new FetchError('TOO_LARGE', {
          url,
          detail: `Resource ${url} is ${contentLength} bytes, more than the cap of ${maxBytes}`,
        });
      }
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of body) {
          total += (chunk as Buffer).length;
          if (total > maxBytes) {
            dropBody(body);
            throw new FetchError('TOO_LARGE', { url, detail: `Resource ${url} exceeds the cap of ${maxBytes} bytes` });
          }
          chunks.push(chunk as Buffer);
        }
      } catch (err) {
        throw err instanceof FetchError ? err : translateError(err, url, deadline);
      }
      return Buffer.concat(chunks, total);
    },
    async readPrefix(n) {
      const chunks: Buffer[] = [];
      let total = 0;
      try {
        for await (const chunk of body) {
          chunks.push(chunk as Buffer);
          total += (chunk as Buffer).length;
          if (total >= n) break; // leaving the loop destroys the stream
        }
      } catch (err) {
        throw translateError(err, url, deadline);
      } finally {
        dropBody(body);
      }
      return Buffer.concat(chunks, total).subarray(0, n);
    },
    discard() {
      dropBody(body);
    },
  };
}

/**
 * Per-host circuit breaker: `limit` consecutive connection failures (NETWORK, TIMEOUT before the
 * headers) skip the host for `cooldownMs`; one host that is down then costs `limit` timeouts, not
 * one per resource. Any response from the host (whatever its status) resets the count.
 */
/** Failing hosts remembered by the breaker at most (the least recently failed are forgotten). */
const MAX_TRACKED_HOSTS = 10_000;

function hostBreaker(limit: number, cooldownMs: number) {
  const hosts = new Map<string, { failures: number; downUntil: number; last: string }>();
  return {
    check(host: string, url: string): void {
      const h = hosts.get(host);
      if (!h || limit <= 0 || h.downUntil <= Date.now()) return;
      throw new FetchError('HOST_DOWN', { url, host, failures: h.failures, cooldownMs, detail: h.last });
    },
    failed(host: string, err: FetchError): void {
      if (limit <= 0 || (err.code !== 'NETWORK' && err.code !== 'TIMEOUT')) return;
      const h = hosts.get(host) ?? { failures: 0, downUntil: 0, last: '' };
      h.failures += 1;
      h.last = `${err.code} ${err.params.detail ?? ''}`.trim();
      if (h.failures >= limit) h.downUntil = Date.now() + cooldownMs;
      hosts.delete(host); // re-inserted last: the map is kept in least-recently-failed order
      hosts.set(host, h);
      if (hosts.size > MAX_TRACKED_HOSTS) hosts.delete(hosts.keys().next().value as string);
    },
    succeeded(host: string): void {
      hosts.delete(host);
    },
  };
}

/** Destroys a body we will not read; undici then emits an abort error that nobody needs to see. */
function dropBody(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

/** Maps undici / DNS / abort errors onto FetchError codes. */
function translateError(err: unknown, url: string, deadline: AbortSignal): FetchError {
  if (err instanceof FetchError) return err;
  const e = err as { code?: string; name?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e.code ?? e.cause?.code;
  if (code === 'HOST_NOT_ALLOWED')
    return new FetchError(
      'HOST_NOT_ALLOWED',
      { url, detail: e.message ?? e.cause?.message ?? 'refused' },
      { cause: err },
    );
  if (
    deadline.aborted ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    e.name === 'TimeoutError'
  ) {
    return new FetchError('TIMEOUT', { url, detail: e.message ?? code }, { cause: err });
  }
  return new FetchError('NETWORK', { url, detail: e.message ?? String(err) }, { cause: err });
}
