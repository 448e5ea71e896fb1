/**
 * A real HTTP server on 127.0.0.1 for media tests: serves fixture files with their real bytes and
 * the given Content-Type (Range requests included, as ffprobe seeks), plus custom handlers for
 * redirects, errors, slow and lying responses.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const MEDIA_FIXTURES = new URL(
  '../../../shared/fixtures/metis/metis-framework/metis-media-service/src/test/resources/__files/',
  import.meta.url,
);
export const METIS_FIXTURES = new URL('../../../shared/fixtures/metis/', import.meta.url);

/** The MIME type Metis gives each 3D cube fixture (under `3d/`), detected from its bytes and name. */
export const CUBE_MIME_TYPES: Readonly<Record<string, string>> = {
  'cube-ascii.stl': 'model/stl',
  'cube-binary.stl': 'model/stl',
  'cube.dae': 'model/vnd.collada+xml',
  'cube.dxf': 'image/vnd.dxf',
  'cube.glb': 'model/gltf-binary',
  'cube.gltf': 'model/gltf+json',
  'cube.iges': 'model/iges',
  'cube.obj': 'model/obj',
  'cube.stp': 'model/step',
  'cube.stpz': 'model/step+zip',
  'cube.usda': 'model/vnd.usda',
  'cube.usdz': 'model/vnd.usdz+zip',
  'cube.vrml': 'model/vrml',
  'cube.x3d': 'model/x3d+xml',
  'cube.x3dv': 'model/x3d-vrml',
  'cube_8_points.e57': 'model/e57',
  'cube_8_points.las': 'application/vnd.las',
  'cube_8_points.laz': 'application/vnd.las',
};

export function fixtureBytes(name: string): Buffer {
  return readFileSync(new URL(name, MEDIA_FIXTURES));
}

export type Route =
  | { body: Buffer | string; contentType?: string; status?: number; headers?: Record<string, string> }
  | ((req: IncomingMessage, res: ServerResponse) => void);

export interface FixtureServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  url(path: string): string;
  /** Paths requested so far, in order. */
  requests: string[];
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

export async function startFixtureServer(routes: Record<string, Route> = {}): Promise<FixtureServer> {
  const table = new Map(Object.entries(routes));
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    requests.push(path);
    const route = table.get(path);
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    if (typeof route === 'function') return route(req, res);
    const body = typeof route.body === 'string' ? Buffer.from(route.body) : route.body;
    const headers: Record<string, string> = { ...(route.contentType ? { 'content-type': route.contentType } : {}), ...route.headers };
    const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
    if (range && (route.status ?? 200) === 200) {
      const start = Number(range[1]);
      const end = range[2] ? Math.min(Number(range[2]), body.length - 1) : body.length - 1;
      if (start >= body.length) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      res.writeHead(206, { ...headers, 'accept-ranges': 'bytes', 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': String(end - start + 1) });
      res.end(body.subarray(start, end + 1));
      return;
    }
    res.writeHead(route.status ?? 200, { ...headers, 'accept-ranges': 'bytes', 'content-length': String(body.length) });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    base,
    url: (path) => base + path,
    requests,
    route: (path, route) => void table.set(path, route),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
