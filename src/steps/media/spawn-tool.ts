/**
 * Runs an external tool (ffprobe, pdftoppm, pdftotext, pdfimages) without a shell, with a
 * timeout and a cap on what it may print, so a hostile file cannot hang or flood the worker. At most
 * two tools per core run at once (the rest wait their turn, before their timeout starts): the media
 * step has hundreds of resources in flight, and as many processes at once starve the machine until
 * downloads time out.
 *
 * Where the process is forked: a tool runs through `options.runner` (the media step passes its
 * threads', `media-threads.ts`), else in this thread: `fork()` copies the page tables of the whole process and
 * blocks the thread that calls it, which in a 1 GB process is milliseconds per tool. The slots above
 * stay counted in this thread either way.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { RecordError } from '../../errors/index.ts';

export interface SpawnToolOptions {
  /** Kill the process after this long. */
  timeoutMs: number;
  /** Kill the process once stdout grows past this many bytes. Default 16 MiB. */
  maxOutputBytes?: number;
  /** Resolve early (and kill the process) once this returns true for the output so far. Runs the tool in this thread. */
  stopWhen?: (stdout: Buffer) => boolean;
  /** Resolve early (and kill the process) once the output has a non-white-space character. */
  stopAtNonSpace?: boolean;
  /** Runs the tool (e.g. from another thread); default: this thread. Not used with `stopWhen`. */
  runner?: ToolRunner;
  /** Kills the process and rejects when aborted. */
  signal?: AbortSignal;
}

/** A tool that failed, timed out, printed too much or was cancelled (`COMMAND_FAILED`); `stderr` holds its first 4 KB of diagnostics. */
export class ToolError extends RecordError<'COMMAND_FAILED'> {
  constructor(
    message: string,
    readonly stderr: string,
  ) {
    super('COMMAND_FAILED', { detail: message });
    this.name = 'ToolError';
  }
}

/** What a runner is given: everything of `SpawnToolOptions` that can cross to another thread. */
export interface ToolRun {
  timeoutMs: number;
  maxOutputBytes?: number;
  stopAtNonSpace?: boolean;
}

/** Runs one tool somewhere else (another thread) and resolves with its stdout, or rejects with a `ToolError`. */
export type ToolRunner = (command: string, args: string[], run: ToolRun, signal?: AbortSignal) => Promise<Buffer>;

/** Tools running at once, in this process. */
export const MAX_RUNNING_TOOLS = 2 * availableParallelism();
let running = 0;
const waiting: Array<() => void> = [];

/** Waits for a free slot (or the abort signal); the returned function frees it. */
async function acquire(signal: AbortSignal | undefined): Promise<() => void> {
  if (running >= MAX_RUNNING_TOOLS) {
    await new Promise<void>((resolve, reject) => {
      const go = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = waiting.indexOf(go);
        if (i >= 0) waiting.splice(i, 1);
        reject(new ToolError('cancelled before it started', ''));
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.push(go);
    });
  } else running++;
  let freed = false;
  return () => {
    if (freed) return;
    freed = true;
    const next = waiting.shift();
    // The slot passes to the next waiter as is; without one it is given back.
    if (next) next();
    else running--;
  };
}

/** Runs `command args…` and resolves with its stdout; rejects on a non-zero exit, a timeout or too much output. */
export async function spawnTool(command: string, args: string[], options: SpawnToolOptions): Promise<Buffer> {
  const runner = options.stopWhen ? undefined : options.runner;
  const release = await acquire(options.signal);
  try {
    if (runner) {
      const { timeoutMs, maxOutputBytes, stopAtNonSpace } = options;
      return await runner(command, args, { timeoutMs, maxOutputBytes, stopAtNonSpace }, options.signal);
    }
    return await runTool(command, args, options);
  } finally {
    release();
  }
}

const NON_SPACE = /\S/;

/** Runs `command args…` in this thread, without a slot (the caller holds one): what a runner does in its thread. */
export function runTool(command: string, args: string[], options: SpawnToolOptions): Promise<Buffer> {
  const maxOutput = options.maxOutputBytes ?? 16 * 1024 * 1024;
  const stopWhen =
    options.stopWhen ?? (options.stopAtNonSpace ? (out: Buffer) => NON_SPACE.test(out.toString('utf8')) : undefined);
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let outLength = 0;
    let err = '';
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null) child.kill('SIGKILL');
      if (error) reject(error);
      else resolve(Buffer.concat(out, outLength));
    };
    const timer = setTimeout(
      () => finish(new ToolError(`${command} timed out after ${options.timeoutMs} ms`, err)),
      options.timeoutMs,
    );
    const onAbort = () => finish(new ToolError(`${command} was cancelled`, err));
    if (options.signal?.aborted) return onAbort();
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      out.push(chunk);
      outLength += chunk.length;
      if (stopWhen?.(Buffer.concat(out, outLength))) return finish();
      if (outLength > maxOutput) finish(new ToolError(`${command} printed more than ${maxOutput} bytes`, err));
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (err.length < 4096) err += chunk.toString('utf8');
    });
    child.on('error', (e) => finish(new ToolError(`${command} could not be started: ${e.message}`, err)));
    child.on('close', (code, signal) => {
      if (code === 0) finish();
      else finish(new ToolError(`${command} failed (${signal ?? `exit ${code}`}): ${err.trim().slice(0, 500)}`, err));
    });
  });
}
