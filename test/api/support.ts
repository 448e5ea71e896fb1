/**
 * Helpers for the API suites: `metis-streams serve` spawned as a real process (from source, through
 * tsx) on a free loopback port, a small JSON client that sends a bearer token, and a Server-Sent
 * Events reader over fetch.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ServeProcess {
  url: string;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/** Starts `metis-streams serve ARGS` (port 0) and resolves with its address once it listens. */
export function startServe(args: string[], env: Record<string, string> = {}, readyTimeoutMs = 240_000): Promise<ServeProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, LOG_LEVEL: 'error', ...env },
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not listen within ${readyTimeoutMs} ms:\n${out}`)), readyTimeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/\S+?):? docs/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1],
          proc,
          output: () => out,
          async stop() {
            if (proc.exitCode === null) proc.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening:\n${out}`));
    });
  });
}

export interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
  text: string;
}

/** A client of one server; `token` is sent as a bearer token when given. */
export function client(base: string, token?: string) {
  const call = async <T = any>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer<T>> => {
    const h: Record<string, string> = { ...headers };
    if (token) h.authorization = `Bearer ${token}`;
    let payload: FormData | string | undefined;
    if (body instanceof FormData) payload = body;
    else if (body !== undefined) {
      h['content-type'] ??= 'application/json';
      payload = typeof body === 'string' ? body : JSON.stringify(body);
    }
    const r = await fetch(base + path, { method, headers: h, body: payload });
    const text = await r.text();
    let parsed: unknown = text;
    if ((r.headers.get('content-type') ?? '').includes('json')) parsed = JSON.parse(text);
    return { status: r.status, headers: r.headers, body: parsed as T, text };
  };
  return {
    get: <T = any>(path: string) => call<T>('GET', path),
    post: <T = any>(path: string, body?: unknown, headers?: Record<string, string>) => call<T>('POST', path, body, headers),
  };
}

/** Reads Server-Sent Events until `until` returns true for one (or the stream ends); returns all read. */
export async function readEvents(
  url: string,
  until: (e: { event: string; data: any }) => boolean,
  headers: Record<string, string> = {},
  timeoutMs = 300_000,
): Promise<Array<{ event: string; data: any }>> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), timeoutMs);
  const events: Array<{ event: string; data: any }> = [];
  try {
    const r = await fetch(url, { headers, signal: ac.signal });
    if (r.status !== 200) throw new Error(`SSE ${url}: ${r.status} ${await r.text()}`);
    const decoder = new TextDecoder();
    let buf = '';
    for await (const chunk of r.body as unknown as AsyncIterable<Uint8Array>) {
      buf += decoder.decode(chunk, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (!event || data === undefined) continue;
        const e = { event, data: JSON.parse(data) };
        events.push(e);
        if (until(e)) return events;
      }
    }
    return events;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
}
