/**
 * The demo OAI-PMH and media servers in a process of their own, for tests whose own process is busy
 * (an embedded run keeps its event loop loaded: servers in the same process answer late, and the
 * run's media step sees timeouts a real provider would not cause).
 *
 *   const servers = await startDemoServersProcess({ size: 300, pageSize: 25 });
 *   servers.oaiUrl, servers.mediaUrl; await servers.close();
 *   await servers.media({ delayMs: 1500 }); await servers.media({ status: 500 }); await servers.media({});
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DemoMediaBehaviour, DemoMediaServer } from '../../src/pipeline/demo-media-server.ts';

/** The media server's request counts, as `media()` answers them. */
export type DemoMediaStats = Pick<DemoMediaServer, 'counts' | 'faulted'>;

export interface DemoServersProcess {
  oaiUrl: string;
  mediaUrl: string;
  /** Switches the media server's behaviour (DemoMediaServer.behave; none given: unchanged) and resolves with its counts once applied. */
  media(behaviour?: DemoMediaBehaviour): Promise<DemoMediaStats>;
  close(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);

export async function startDemoServersProcess(opts: { size: number; pageSize: number }): Promise<DemoServersProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SELF, 'serve', JSON.stringify(opts)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  // stdout: the URLs first, then one line per control request ({ id, counts, faulted }).
  const answers = new Map<number, (s: DemoMediaStats) => void>();
  let out = '';
  const urls = await new Promise<{ oaiUrl: string; mediaUrl: string }>((resolve, reject) => {
    createInterface({ input: proc.stdout! }).on('line', (line) => {
      out += `${line}\n`;
      if (!line.startsWith('{')) return;
      const msg = JSON.parse(line) as { oaiUrl?: string; mediaUrl?: string; id?: number } & DemoMediaStats;
      if (msg.oaiUrl && msg.mediaUrl) resolve({ oaiUrl: msg.oaiUrl, mediaUrl: msg.mediaUrl });
      else if (msg.id !== undefined) answers.get(msg.id)?.({ counts: msg.counts, faulted: msg.faulted });
    });
    void exited.then(() => reject(new Error(`demo servers exited before listening: ${out}`)));
  });
  let next = 0;
  return {
    ...urls,
    media(behaviour) {
      const id = next++;
      return new Promise<DemoMediaStats>((resolve) => {
        answers.set(id, resolve);
        proc.stdin!.write(`${JSON.stringify({ id, behaviour })}\n`);
      });
    },
    async close() {
      proc.kill('SIGTERM');
      await exited;
    },
  };
}

if (process.argv[2] === 'serve') {
  const { size, pageSize } = JSON.parse(process.argv[3]) as { size: number; pageSize: number };
  const { startDemoMediaServer } = await import('../../src/pipeline/demo-media-server.ts');
  const { startDemoOaiServer } = await import('../../src/steps/harvest/oai/demo-server.ts');
  const media = await startDemoMediaServer({ width: 640, height: 480 });
  // Keep idle connections open longer than any client keeps them: a server closing a kept-alive
  // socket just as a client reuses it gives ECONNRESET, a warning in one run and not in the other.
  media.server.keepAliveTimeout = 600_000;
  const oai = await startDemoOaiServer({ size, pageSize, dataset: { mediaBaseUrl: media.url, landingPageBaseUrl: `${media.url}details/` } });
  process.stdout.write(`${JSON.stringify({ oaiUrl: oai.url, mediaUrl: media.url })}\n`);
  // The test holds our stdin: control requests arrive on it, one JSON line each; when it goes away, so do we.
  createInterface({ input: process.stdin }).on('line', (line) => {
    const { id, behaviour } = JSON.parse(line) as { id: number; behaviour?: DemoMediaBehaviour };
    if (behaviour) media.behave(behaviour);
    process.stdout.write(`${JSON.stringify({ id, counts: media.counts, faulted: media.faulted })}\n`);
  });
  process.stdin.on('end', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}
