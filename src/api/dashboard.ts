/**
 * The web dashboard (web/, built by `npm run build` into dist/web/) served by the API server at /ui/.
 *
 * The built files are read once at registration and answered from memory: hashed assets under
 * /ui/assets/ with a year-long immutable cache, every other path under /ui/ with index.html (the
 * dashboard routes in the browser: /ui/tasks/<id>, /ui/submit, …), and / redirects to /ui/. Nothing is
 * fetched from another host at run time. When the assets are missing (a checkout that was never built),
 * /ui/ answers 503 with the command that builds them; the API itself is unaffected.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifySchema } from 'fastify';

export const DASHBOARD_PREFIX = '/ui';

export interface DashboardOptions {
  /** The folder holding the built index.html and assets/ (default: dist/web beside the compiled or source tree). */
  root?: string;
}

interface Asset {
  body: Buffer;
  type: string;
  immutable: boolean;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

// The dashboard talks only to this server; thumbnails are shown as blobs or same-origin images.
const CSP =
  "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

// Left out of the OpenAPI document (@fastify/swagger reads `hide`).
const HIDDEN = { schema: { hide: true } as FastifySchema };

/** dist/api/dashboard.js → dist/web; src/api/dashboard.ts (run through tsx) → dist/web. */
export function defaultDashboardRoot(): string | undefined {
  const candidates = [new URL('../web/', import.meta.url), new URL('../../dist/web/', import.meta.url)].map((u) =>
    fileURLToPath(u),
  );
  return candidates.find((dir) => existsSync(join(dir, 'index.html')));
}

function readAssets(root: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const file = join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else {
        const rel = relative(root, file).split(sep).join('/');
        assets.set(`/${rel}`, {
          body: readFileSync(file),
          type: TYPES[extname(name).toLowerCase()] ?? 'application/octet-stream',
          immutable: rel.startsWith('assets/'),
        });
      }
    }
  };
  walk(root);
  return assets;
}

function send(reply: FastifyReply, asset: Asset): FastifyReply {
  return reply
    .header('content-type', asset.type)
    .header('cache-control', asset.immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', CSP)
    .send(asset.body);
}

/** Registers GET /ui, /ui/* and (when the API has no route there) a redirect from / to /ui/. */
export function registerDashboard(app: FastifyInstance, options: DashboardOptions = {}): void {
  const root = options.root ?? defaultDashboardRoot();
  const assets = root && existsSync(join(root, 'index.html')) ? readAssets(root) : undefined;
  const index = assets?.get('/index.html');

  const handler = async (path: string, reply: FastifyReply) => {
    if (!assets || !index) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built: run `npm run build` (it writes dist/web/), then restart the server.\n');
    }
    const asset = assets.get(path);
    if (asset) return send(reply, asset);
    // A missing hashed asset is a real 404 (an old page asking for a file of an earlier build).
    if (path.startsWith('/assets/')) return reply.code(404).type('text/plain; charset=utf-8').send('Not found\n');
    return send(reply, index);
  };

  app.get(DASHBOARD_PREFIX, HIDDEN, (_req, reply) => reply.redirect(`${DASHBOARD_PREFIX}/`));
  app.get<{ Params: { '*': string } }>(`${DASHBOARD_PREFIX}/*`, HIDDEN, (req, reply) =>
    handler(`/${req.params['*']}`, reply),
  );
  if (!app.hasRoute({ method: 'GET', url: '/' })) {
    app.get('/', HIDDEN, (_req, reply) => reply.redirect(`${DASHBOARD_PREFIX}/`));
  }
}
