/**
 * The demo OAI-PMH and media servers in a process of their own, for tests whose own process is busy
 * (an embedded run keeps its event loop loaded: servers in the same process answer late, and the
 * run's media step sees timeouts a real provider would not cause).
 *
 *   const servers = await startDemoServersProcess({ size: 300, pageSize: 25 });
 *   servers.oaiUrl, servers.mediaUrl; await servers.close();
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface DemoServersProcess {
  oaiUrl: string;
  mediaUrl: string;
  close(): Promise<void>;
}

const SELF = fileURLToPath(import.meta.url);

export async function startDemoServersProcess(opts: { size: number; pageSize: number }): Promise<DemoServersProcess> {
  const proc = spawn(process.execPath, ['--import', 'tsx', SELF, 'serve', JSON.stringify(opts)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const urls = await new Promise<{ oaiUrl: string; mediaUrl: string }>((resolve, reject) => {
    let out = '';
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line) as { oaiUrl: string; mediaUrl: string });
    });
    void exited.then(() => reject(new Error(`demo servers exited before listening: ${out}`)));
  });
  return {
    ...urls,
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
  // The test holds our stdin: when it goes away, so do we.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.resume();
  process.on('SIGTERM', () => process.exit(0));
}
