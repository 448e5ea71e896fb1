/**
 * The worker's health endpoints, for a supervisor's probes (Kubernetes liveness and readiness, see
 * deploy/k8s/worker.yaml), when `--health-port` (METIS_HEALTH_PORT) is given: `GET /health` answers 200
 * while the process runs its event loop; `GET /ready` answers 200 while the worker is running and 503
 * once it is stopping (a failed or stopping worker takes no new work). Plain node:http, no framework:
 * the worker does not load the API's server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HealthServer {
  /** The port it listens on (the one asked for, or the one the system gave for 0). */
  port: number;
  /** Marks the worker not ready (stopping). */
  notReady(reason: string): void;
  close(): Promise<void>;
}

export async function startHealthServer(port: number, host = '0.0.0.0'): Promise<HealthServer> {
  let stopping: string | undefined;
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') send(405, { error: 'GET only' });
    else if (path === '/health') send(200, { status: 'ok' });
    else if (path === '/ready')
      send(stopping ? 503 : 200, stopping ? { status: 'stopping', reason: stopping } : { status: 'ready' });
    else send(404, { error: 'not found (GET /health or /ready)' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    notReady(reason) {
      stopping ??= reason;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
