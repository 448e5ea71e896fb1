/**
 * The body of a media thread (`media-threads.ts`): runs image analyses and tools and posts back
 * what they give, handing its buffers over to the calling thread.
 */
import { parentPort } from 'node:worker_threads';
import { analyseImage } from './image.ts';
import type { MediaThreadJob, MediaThreadResult } from './media-threads.ts';
import { runTool, ToolError } from './spawn-tool.ts';
import { errorToWire } from '../../errors/index.ts';

const port = parentPort!;
const cancels = new Map<number, AbortController>();

/** ArrayBuffers that only `views` use, once each: what may be transferred without detaching anyone else's data. */
function transferable(views: Uint8Array[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const v of views) {
    const buffer = v.buffer as ArrayBuffer;
    if (v.byteOffset === 0 && v.byteLength === buffer.byteLength) out.add(buffer);
  }
  return [...out];
}

async function handle(job: Exclude<MediaThreadJob, { kind: 'cancel' }>): Promise<void> {
  try {
    if (job.kind === 'image') {
      const bytes = Buffer.from(job.bytes.buffer, job.bytes.byteOffset, job.bytes.byteLength);
      const analysis = await analyseImage(bytes, job.resourceUrl, job.options);
      const result: MediaThreadResult = { id: job.id, analysis };
      port.postMessage(result, transferable(analysis.thumbnails.map((t) => t.bytes)));
    } else {
      const abort = new AbortController();
      cancels.set(job.id, abort);
      try {
        const stdout = await runTool(job.command, job.args, { ...job.run, signal: abort.signal });
        port.postMessage({ id: job.id, stdout } satisfies MediaThreadResult, transferable([stdout]));
      } finally {
        cancels.delete(job.id);
      }
    }
  } catch (err) {
    const code = (err as { code?: unknown })?.code;
    const result: MediaThreadResult =
      err instanceof ToolError
        ? { id: job.id, toolError: { message: err.params.detail as string, stderr: err.stderr } }
        : { id: job.id, error: errorToWire(err), ...(typeof code === 'string' && { code }) };
    port.postMessage(result);
  }
}

port.on('message', (job: MediaThreadJob) => {
  if (job.kind === 'cancel') cancels.get(job.id)?.abort();
  else void handle(job);
});
