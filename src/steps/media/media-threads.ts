/**
 * The media step's own worker threads, so that its CPU work does not hold the thread that runs the
 * pipeline: image analysis (sharp's decode / resize / encode are driven from the thread, the
 * dominant-colour remap runs in it) and the external tools' `fork()` (which copies the page tables
 * of the whole process and blocks the calling thread). One pool per media processor, sized to the
 * cores by default; a thread takes any number of jobs at once (they are mostly waiting on libvips
 * or a child process), each job goes to the thread with the fewest in flight.
 *
 * Image bytes are handed over (their memory transferred, not copied) when the caller says it is done
 * with them and the Buffer owns its whole ArrayBuffer; otherwise one exact-size copy is transferred.
 * Thumbnails are offered for transfer too, but sharp's output buffers cannot be detached, so Node
 * copies them (tens of KB each). A thread that dies (out of memory, an uncaught error) fails the jobs
 * it held and is replaced by the next job. The PDF tools and ffprobe get the pool's `runTool` from
 * the media step (`ResourceContext.threads`).
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ImageAnalysis, ImageOptions } from './image.ts';
import { ToolError, type ToolRun, type ToolRunner } from './spawn-tool.ts';
import { errorFromWire, errors, type ErrorWire } from '../../errors/index.ts';

/** A job as the thread receives it. */
export type MediaThreadJob =
  | { id: number; kind: 'image'; bytes: Uint8Array; resourceUrl: string; options: ImageOptions }
  | { id: number; kind: 'tool'; command: string; args: string[]; run: ToolRun }
  | { id: number; kind: 'cancel' };

/** What the thread answers. */
export type MediaThreadResult =
  | { id: number; analysis: ImageAnalysis }
  | { id: number; stdout: Uint8Array }
  | { id: number; toolError: { message: string; stderr: string } }
  | { id: number; error: ErrorWire; code?: string };

/**
 * The thread's entry, chosen by this module's own file: compiled → `media-thread.js`; sources under
 * tsx (tests, benchmarks) → `media-thread-entry.mjs`, which registers tsx in the thread first.
 */
const ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./media-thread-entry.mjs', import.meta.url)
  : new URL('./media-thread.js', import.meta.url);

export interface MediaThreadsOptions {
  /** Threads in the pool. Default: the cores available to the process. */
  threads?: number;
}

export interface AnalyseOptions {
  /** The caller will not use `bytes` again: its memory may be moved to the thread instead of copied. */
  handOver?: boolean;
}

export interface MediaThreads {
  /** `analyseImage` (image.ts) in a thread: same result, same errors. */
  analyseImage(bytes: Buffer, resourceUrl: string, options: ImageOptions, how?: AnalyseOptions): Promise<ImageAnalysis>;
  /** Runs a tool from a thread (for `runToolsWith`). */
  runTool: ToolRunner;
  /** Stops the threads; jobs still in flight fail. Idempotent. */
  close(): Promise<void>;
}

interface Thread {
  worker: Worker;
  inFlight: Set<number>;
}

interface Pending {
  thread: Thread;
  resolve: (value: MediaThreadResult) => void;
  reject: (err: Error) => void;
}

/** Creates the pool; threads start with the first job. */
export function createMediaThreads(options: MediaThreadsOptions = {}): MediaThreads {
  const size = Math.max(1, options.threads ?? availableParallelism());
  const threads: Thread[] = [];
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let closed = false;

  const start = (): Thread => {
    const worker = new Worker(ENTRY);
    const thread: Thread = { worker, inFlight: new Set() };
    // An idle thread does not keep the process alive; one with work does.
    worker.unref();
    worker.on('message', (msg: MediaThreadResult) => {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      thread.inFlight.delete(msg.id);
      if (thread.inFlight.size === 0) worker.unref();
      p.resolve(msg);
    });
    let dead = false;
    const died = (reason: string) => {
      if (dead) return;
      dead = true;
      threads.splice(threads.indexOf(thread), 1);
      void worker.terminate().catch(() => undefined);
      for (const id of thread.inFlight) {
        const p = pending.get(id);
        pending.delete(id);
        p?.reject(errors.INTERNAL({ detail: `media thread stopped: ${reason}` }));
      }
      thread.inFlight.clear();
    };
    worker.on('error', (err) => died(err.message));
    worker.on('exit', (code) => died(closed ? 'the media step was closed' : `exit code ${code}`));
    threads.push(thread);
    return thread;
  };

  const pick = (): Thread => {
    if (threads.length < size) return start();
    return threads.reduce((a, b) => (b.inFlight.size < a.inFlight.size ? b : a));
  };

  const send = (job: MediaThreadJob, transfer: ArrayBuffer[] = []): { id: number; result: Promise<MediaThreadResult> } => {
    if (closed) throw errors.INTERNAL({ detail: 'the media threads are closed' });
    const thread = pick();
    const result = new Promise<MediaThreadResult>((resolve, reject) => {
      pending.set(job.id, { thread, resolve, reject });
    });
    if (thread.inFlight.size === 0) thread.worker.ref();
    thread.inFlight.add(job.id);
    thread.worker.postMessage(job, transfer);
    return { id: job.id, result };
  };

  const failure = (msg: MediaThreadResult): Error | undefined => {
    if ('toolError' in msg) return new ToolError(msg.toolError.message, msg.toolError.stderr);
    if ('error' in msg) {
      const err = errorFromWire(msg.error);
      if (msg.code !== undefined && !('code' in err)) Object.assign(err, { code: msg.code });
      return err;
    }
    return undefined;
  };

  return {
    async analyseImage(bytes, resourceUrl, imageOptions, how = {}) {
      // Own memory of exactly this size can move; anything else (a slice of a larger or pooled
      // ArrayBuffer, or bytes the caller keeps) is copied once into memory that can.
      const owned = how.handOver && bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      const data = owned ? bytes : new Uint8Array(bytes);
      const { result } = send(
        { id: nextId++, kind: 'image', bytes: data, resourceUrl, options: imageOptions },
        [data.buffer as ArrayBuffer],
      );
      const msg = await result;
      const err = failure(msg);
      if (err) throw err;
      const { analysis } = msg as { analysis: ImageAnalysis };
      return {
        ...analysis,
        thumbnails: analysis.thumbnails.map((t) => ({
          ...t,
          bytes: Buffer.from(t.bytes.buffer, t.bytes.byteOffset, t.bytes.byteLength),
        })),
      };
    },

    async runTool(command, args, run, signal) {
      if (signal?.aborted) throw new ToolError(`${command} was cancelled`, '');
      const { id, result } = send({ id: nextId++, kind: 'tool', command, args, run });
      const onAbort = () => {
        const p = pending.get(id);
        if (p) p.thread.worker.postMessage({ id, kind: 'cancel' } satisfies MediaThreadJob);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const msg = await result;
        const err = failure(msg);
        if (err) throw err;
        const { stdout } = msg as { stdout: Uint8Array };
        return Buffer.from(stdout.buffer, stdout.byteOffset, stdout.byteLength);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
    },

    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...threads].map((t) => t.worker.terminate()));
    },
  };
}
