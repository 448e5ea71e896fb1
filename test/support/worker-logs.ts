/**
 * End of a test with worker processes: what their logs said, kept for a failed run. With
 * PIPELINE_DEBUG_DIR set (scripts/crash-20.sh, scripts/fault-suite.sh) every worker's output, the
 * killed ones' too, is written there as `<id>-<pid>.log`.
 */
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { WorkerProcess } from './pipeline-harness.ts';

/** Log lines of the sink absorbing a replayed outcome (each one a batch), over all `workers`. */
export function absorbedReplays(workers: WorkerProcess[]): number {
  return workers.reduce((n, w) => n + (w.output().match(/sink absorbed replayed outcomes/g)?.length ?? 0), 0);
}

/** Keeps every worker's output in PIPELINE_DEBUG_DIR (if set) and stops the live ones (SIGTERM). */
export async function endWorkers(live: WorkerProcess[], killed: WorkerProcess[] = []): Promise<void> {
  const dir = process.env.PIPELINE_DEBUG_DIR;
  if (dir) for (const w of [...killed, ...live]) writeFileSync(join(dir, `${w.id}-${w.proc.pid}.log`), w.output());
  await Promise.all(live.map((w) => w.kill('SIGTERM')));
}

/**
 * The end of a test run with worker processes: {@link endWorkers}, then each of `closers` in order
 * (consumers, clients, the database, the demo servers), then the run's folder removed.
 */
export async function endWorkerRun(run: { live: WorkerProcess[]; killed: WorkerProcess[]; closers: Array<() => Promise<unknown>>; dir: string }): Promise<void> {
  await endWorkers(run.live, run.killed);
  for (const close of run.closers) await close();
  rmSync(run.dir, { recursive: true, force: true });
}
