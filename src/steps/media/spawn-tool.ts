/**
 * Runs an external tool (ffprobe, pdftoppm, pdftotext, pdfimages) without a shell, with a
 * timeout and a cap on what it may print, so a hostile file cannot hang or flood the worker. At most
 * two tools per core run at once (the rest wait their turn, before their timeout starts): the media
 * step has hundreds of resources in flight, and as many processes at once starve the machine until
 * downloads time out.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { RecordError } from '../../errors/index.ts';

export interface SpawnToolOptions {
  /** Kill the process after this long. */
  timeoutMs: number;
  /** Kill the process once stdout grows past this many bytes. Default 16 MiB. */
  maxOutputBytes?: number;
  /** Resolve early (and kill the process) once this returns true for the output so far. */
  stopWhen?: (stdout: Buffer) => boolean;
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
  const release = await acquire(options.signal);
  try {
    return await runTool(command, args, options);
  } finally {
    release();
  }
}

function runTool(command: string, args: string[], options: SpawnToolOptions): Promise<Buffer> {
  const maxOutput = options.maxOutputBytes ?? 16 * 1024 * 1024;
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
      if (options.stopWhen?.(Buffer.concat(out, outLength))) return finish();
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
