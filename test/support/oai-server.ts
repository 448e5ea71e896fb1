/**
 * A reusable OAI-PMH test server on 127.0.0.1: the demo repository (src/steps/harvest/oai/demo-server.ts)
 * serving generated EDM records, plus what tests need around it: failure injection per request,
 * latency, and counters (requests per verb, concurrent and peak concurrent requests, request rate).
 *
 *   const oai = await startOaiTestServer({ size: 5000, pageSize: 50, fault: (r) => r.seq === 3 ? { status: 503, retryAfter: '0' } : undefined });
 *   ... harvest oai.url ...
 *   oai.stats.maxConcurrent; await oai.close();
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createOaiRepositoryHandler, listenOnLoopback, type OaiRepositoryOptions } from '../../src/steps/harvest/oai/demo-server.ts';

export interface OaiRequestInfo {
  verb: string;
  params: URLSearchParams;
  /** 1-based number of this request overall. */
  seq: number;
  /** 1-based number of this request among requests with the same verb. */
  verbSeq: number;
}

/** What to do instead of (or before) a normal answer. */
export type OaiFault =
  /** Answer with this status (and optional Retry-After / body) instead. */
  | { status: number; retryAfter?: string; body?: string }
  /** Wait this long before answering normally (e.g. longer than the client's read timeout). */
  | { delayMs: number }
  /** Answer 200 with this body instead (e.g. a malformed page). */
  | { body: string }
  /** Destroy the connection without an answer. */
  | { reset: true }
  /** Send status 200 and this start of a body, then stall (never end) until the client gives up. */
  | { stallBody: string };

export interface OaiTestServerOptions extends OaiRepositoryOptions {
  /** Consulted for every request; return a fault to inject it. */
  fault?: (request: OaiRequestInfo) => OaiFault | undefined;
  /** Latency added to every answer, in ms (default 0). */
  latencyMs?: number;
}

export interface OaiServerStats {
  requests: number;
  byVerb: Record<string, number>;
  /** Requests being answered right now. */
  concurrent: number;
  maxConcurrent: number;
  /** Arrival times (ms, performance.now()) of all requests. */
  arrivals: number[];
  /** Requests per second between the first and the last arrival (0 with fewer than 2 requests). */
  rate(): number;
}

export interface OaiTestServer {
  url: string;
  stats: OaiServerStats;
  close(): Promise<void>;
}

export async function startOaiTestServer(options: OaiTestServerOptions): Promise<OaiTestServer> {
  const handler = createOaiRepositoryHandler(options);
  const stats: OaiServerStats = {
    requests: 0,
    byVerb: {},
    concurrent: 0,
    maxConcurrent: 0,
    arrivals: [],
    rate() {
      const a = this.arrivals;
      return a.length < 2 ? 0 : ((a.length - 1) * 1000) / (a[a.length - 1] - a[0]);
    },
  };

  const serve = (req: IncomingMessage, res: ServerResponse) => {
    const params = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const verb = params.get('verb') ?? '';
    stats.requests++;
    stats.byVerb[verb] = (stats.byVerb[verb] ?? 0) + 1;
    stats.arrivals.push(performance.now());
    stats.concurrent++;
    stats.maxConcurrent = Math.max(stats.maxConcurrent, stats.concurrent);
    let counted = true;
    const done = () => {
      if (counted) stats.concurrent--;
      counted = false;
    };
    res.on('close', done);

    const fault = options.fault?.({ verb, params, seq: stats.requests, verbSeq: stats.byVerb[verb] });
    const answer = () => {
      if (res.destroyed) return;
      if (!fault || 'delayMs' in fault) return handler(req, res);
      if ('reset' in fault) return req.socket.destroy();
      if ('stallBody' in fault) {
        res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
        return res.write(fault.stallBody);
      }
      if ('status' in fault) {
        res.writeHead(fault.status, { 'content-type': 'text/plain', ...(fault.retryAfter !== undefined ? { 'retry-after': fault.retryAfter } : {}) });
        return res.end(fault.body ?? `injected status ${fault.status}`);
      }
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(fault.body);
    };
    const delay = (options.latencyMs ?? 0) + (fault && 'delayMs' in fault ? fault.delayMs : 0);
    // Unref'd: an answer held back (a long delay) must not keep a test's process alive after close().
    if (delay > 0) setTimeout(answer, delay).unref();
    else answer();
  };

  const running = await listenOnLoopback(serve);
  return { url: running.url, stats, close: running.close };
}
