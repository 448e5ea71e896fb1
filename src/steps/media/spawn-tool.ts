/**
 * Runs an external tool (ffprobe, pdftoppm, pdftotext, pdfimages) without a shell, with a
 * timeout and a cap on what it may print, so a hostile file cannot hang or flood the worker.
 */
import { spawn } from 'node:child_process';
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

/** Runs `command args…` and resolves with its stdout; rejects on a non-zero exit, a timeout or too much output. */
export function spawnTool(command: string, args: string[], options: SpawnToolOptions): Promise<Buffer> {
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
