/**
 * A loopback HTTP relay that lets ffprobe read a remote resource through the safe fetcher.
 *
 * Metis runs ffprobe on the resource URL itself (audio and video are never downloaded). Handing a
 * provider URL straight to ffprobe would bypass the host policy (ffprobe follows redirects and
 * resolves names on its own), so ffprobe gets `http://127.0.0.1:<port>/<token>` instead, and every
 * request it makes (Range requests included, for seeking) is forwarded by the safe fetcher.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import type { SafeFetcher } from '../http/safe-fetch.ts';

export interface MediaRelay {
  /** Publishes `target` under a one-off loopback URL until `release()` is called. */
  expose(target: string): { url: string; release(): void };
  close(): Promise<void>;
}

const FORWARDED_HEADERS = ['content-type', 'content-length', 'content-range', 'accept-ranges', 'last-modified', 'etag'];

/** Starts the relay on an ephemeral loopback port. */
export async function startMediaRelay(fetcher: SafeFetcher): Promise<MediaRelay> {
  const targets = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const token = (req.url ?? '').slice(1);
    const target = targets.get(token);
    if (!target || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404).end();
      return;
    }
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    const headers: Record<string, string> = {};
    if (typeof req.headers.range === 'string') headers.range = req.headers.range;
    fetcher
      .open(target, { headers, signal: controller.signal })
      .then(async (upstream) => {
        const out: Record<string, string> = {};
        for (const h of FORWARDED_HEADERS) if (upstream.headers[h]) out[h] = upstream.headers[h];
        res.writeHead(upstream.status, out);
        if (req.method === 'HEAD') return upstream.discard();
        await pipeline(upstream.body, res).catch(() => upstream.discard());
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(502).end();
        else res.destroy();
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    expose(target) {
      const token = randomBytes(16).toString('hex');
      targets.set(token, target);
      return { url: `http://127.0.0.1:${port}/${token}`, release: () => void targets.delete(token) };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
