/**
 * A real `metis-streams serve` for the dashboard tests: the command itself (src/cli/main.ts through tsx,
 * as a child process) in embedded mode over a temporary data folder, on a free loopback port, with the
 * demo's OAI-PMH endpoint, media server and entity file (src/pipeline/demo.ts) on 127.0.0.1, and a slow
 * OAI-PMH server (test/support/oai-server.ts) for a task that is still running when it is cancelled.
 * It runs with API tokens (viewer, admin) and reads need one. The dashboard's built assets come from dist/web, rebuilt first when web/ is newer than them.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemo, type Demo } from '../../src/pipeline/demo.ts';
import { startOaiTestServer, type OaiTestServer } from '../support/oai-server.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const WEB_DIST = join(ROOT, 'dist', 'web');

/** The server runs with tokens, so the dashboard's token box, 401 handling and bearer headers are exercised. */
export const TOKENS = { viewer: 'ui-viewer-token-0123456789', admin: 'ui-admin-token-0123456789' };

export interface DashboardServer {
  url: string;
  oaiUrl: string;
  /** GET an API path as JSON with the admin token (throws on a non-2xx answer). */
  api(path: string): Promise<any>;
  /** Tasks the server holds (asked of the API). */
  taskCount(): Promise<number>;
  /** Submits (over the API) a task reading a slow OAI-PMH endpoint, so it is running for minutes; returns its id. */
  submitSlowTask(): Promise<string>;
  close(): Promise<void>;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    newest = Math.max(newest, s.isDirectory() ? newestMtime(p) : s.mtimeMs);
  }
  return newest;
}

/** dist/web as `npm run build` leaves it; rebuilt (under the team's build lock) when web/ changed since. */
export function ensureDashboardBuilt(): void {
  const index = join(WEB_DIST, 'index.html');
  const stale = !existsSync(index) || statSync(index).mtimeMs < Math.max(newestMtime(join(ROOT, 'web', 'src')), statSync(join(ROOT, 'web', 'index.html')).mtimeMs);
  if (!stale) return;
  const lock = existsSync('/usr/bin/flock') ? ['/usr/bin/flock', '/tmp/team/build.lock'] : [];
  const cmd = [...lock, 'npm', 'run', '--silent', 'build:web'];
  execFileSync(cmd[0], cmd.slice(1), { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit'] });
}

export async function startDashboardServer(opts: { records: number }): Promise<DashboardServer> {
  ensureDashboardBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'metis-ui-'));
  const demo: Demo = await startDemo({ records: opts.records, pageSize: 10 });
  // 3,000 records, 10 per listing page, every answer 300 ms late: minutes of work, cancelled within seconds.
  const slow: OaiTestServer = await startOaiTestServer({ size: 3000, pageSize: 10, latencyMs: 300, dataset: { mediaBaseUrl: demo.mediaUrl } });
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(ROOT, 'src', 'cli', 'main.ts'), 'serve', '--data-dir', dir, '--port', '0', '--host', '127.0.0.1', '--allow-loopback', '--entities', demo.entities, '--log-level', 'warn'],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, METIS_API_TOKENS: `viewer:${TOKENS.viewer},admin:${TOKENS.admin}`, METIS_PUBLIC_READS: 'false' },
    },
  );
  let output = '';
  let closing = false;
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  // A server that dies under the tests says why (its output would otherwise be lost).
  child.once('exit', (code, signal) => {
    if (!closing) process.stderr.write(`# serve exited (${code ?? signal}) during the tests; its output:\n${output.slice(-4000).replace(/^/gm, '#   ')}\n`);
  });
  const listening = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start in 120 s:\n${output}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      const m = /listening on (http:\/\/[^\s:]+:\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before listening:\n${output}`));
    });
  });

  let url: string;
  try {
    url = await listening;
  } catch (err) {
    closing = true;
    child.kill('SIGKILL');
    await slow.close();
    await demo.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const api = async (path: string, init?: RequestInit): Promise<any> => {
    const res = await fetch(url + path, { ...init, headers: { ...(init?.headers as Record<string, string>), authorization: `Bearer ${TOKENS.admin}` } });
    const body = await res.json();
    if (!res.ok) throw new Error(`${init?.method ?? 'GET'} ${path}: ${res.status} ${JSON.stringify(body)}`);
    return body;
  };
  return {
    url,
    oaiUrl: demo.oaiUrl,
    api: (path) => api(path),
    taskCount: async () => (await api('/api/tasks?limit=1')).total as number,
    async submitSlowTask() {
      const t = await api('/api/tasks', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dataset: { id: 'ui_slow', name: 'Slow source' }, source: { type: 'oai', url: slow.url, metadataPrefix: 'edm' } }),
      });
      return t.taskId as string;
    },
    async close() {
      closing = true;
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      await slow.close();
      await demo.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
