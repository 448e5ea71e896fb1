/**
 * CPU-bound steps (validation, transformation, normalization) on worker threads, so one process
 * uses every core: the step processors hand a record to the pool and await its outcome, and the
 * engine's in-partition concurrency keeps all threads busy. Each thread builds its own step
 * functions (compiled schemas, transformers) once per task and caches them.
 *
 * Exactly-once is unaffected: a thread only computes; outputs and offsets are still committed by
 * the runtime in input order.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { StepOutcome } from '../steps/outcome.ts';
import type { TaskRow } from '../store/pipeline-store.ts';
import type { StepName } from '../model/index.ts';
import type { RecordInput } from './ports/port-types.ts';
import type { CpuStepConfig } from './cpu-steps.ts';
import { errorFromWire, errors, type ErrorWire } from '../errors/index.ts';

/**
 * The pool's default size: one thread per core but one, and at least one. The main thread has its own
 * share of the work (the engine, harvest, the sink's writes): on 2 cores one step thread kept the speed
 * of two at 0.93–0.95× the CPU per record and 40–60 MB less resident memory (docs/BENCHMARKS.md,
 * "One step thread on 2 cores").
 */
export function defaultStepThreads(): number {
  return Math.max(1, availableParallelism() - 1);
}

export interface StepJob {
  id: number;
  task: Pick<TaskRow, 'taskId' | 'datasetId' | 'spec'>;
  step: StepName;
  input: RecordInput;
}

export type StepJobResult = { id: number; outcome: StepOutcome } | { id: number; error: ErrorWire };

/** What a thread posts: `started` before it runs a job (so a crash names its record), then the result. */
export type StepThreadMessage = StepJobResult | { id: number; started: true };

/**
 * The thread's entry, chosen by this module's own file: compiled (`dist/pipeline/step-pool.js`) →
 * the compiled body `step-worker.js`, no loader; sources under tsx (tests, benchmarks) →
 * `step-worker-entry.mjs`, which registers tsx in the thread (threads do not inherit the loader).
 */
const WORKER_ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./step-worker-entry.mjs', import.meta.url)
  : new URL('./step-worker.js', import.meta.url);

interface Slot {
  worker: Worker;
  pending: number;
  /** The job the thread said it started last. */
  running?: number;
}

interface Waiting {
  job: StepJob;
  slot: Slot;
  /** Threads that died while running this job. */
  crashes: number;
  resolve: (o: StepOutcome) => void;
  reject: (e: Error) => void;
}

/** A job that took down this many threads fails (a poison record) instead of taking down another. */
const MAX_CRASHES_PER_JOB = 2;

export class StepPool {
  private readonly workers: Slot[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  private closed = false;
  /** Threads started to replace dead ones. */
  replaced = 0;

  /** `entry`: the thread's script (tests give one that crashes on purpose). */
  constructor(
    private readonly config: CpuStepConfig,
    size = defaultStepThreads(),
    private readonly entry: URL = WORKER_ENTRY,
  ) {
    for (let i = 0; i < size; i++) {
      const slot: Slot = { worker: undefined as unknown as Worker, pending: 0 };
      this.startThread(slot);
      this.workers.push(slot);
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs one record through `step` of `task` on the least busy thread. */
  run(task: StepJob['task'], step: StepName, input: RecordInput): Promise<StepOutcome> {
    if (this.closed) return Promise.reject(errors.INTERNAL({ detail: 'step pool is closed' }));
    const slot = this.workers.reduce((a, b) => (b.pending < a.pending ? b : a));
    const id = this.nextId++;
    slot.pending++;
    return new Promise<StepOutcome>((resolve, reject) => {
      const job: StepJob = {
        id,
        task: { taskId: task.taskId, datasetId: task.datasetId, spec: task.spec },
        step,
        input,
      };
      this.waiting.set(id, { job, slot, crashes: 0, resolve, reject });
      slot.worker.postMessage(job);
    });
  }

  /**
   * Starts the slot's thread. A thread that dies (an uncaught error, out of memory, a native crash)
   * is replaced at once and its jobs run again on the new one, so its records are retried rather
   * than left waiting forever; a job that killed MAX_CRASHES_PER_JOB threads fails with INTERNAL.
   */
  private startThread(slot: Slot): void {
    const worker = new Worker(this.entry, {
      workerData: this.config,
      // Large records make many short-lived objects: a bigger young generation saves GC time.
      resourceLimits: { maxYoungGenerationSizeMb: 64 },
    });
    slot.worker = worker;
    worker.on('message', (msg: StepThreadMessage) => {
      if ('started' in msg) {
        slot.running = msg.id;
        return;
      }
      const w = this.waiting.get(msg.id);
      if (!w) return;
      this.waiting.delete(msg.id);
      w.slot.pending--;
      if ('outcome' in msg) w.resolve(msg.outcome);
      else w.reject(errorFromWire(msg.error));
    });
    let dead = false;
    const died = (reason: string) => {
      if (dead || this.closed) return;
      dead = true;
      void worker.terminate().catch(() => undefined);
      this.replaced++;
      const culprit = slot.running;
      slot.running = undefined;
      this.startThread(slot);
      for (const [id, w] of this.waiting) {
        if (w.slot !== slot) continue;
        // Only the job the thread was running counts the crash; the ones queued behind it just move.
        if (id === culprit && ++w.crashes >= MAX_CRASHES_PER_JOB) {
          this.waiting.delete(id);
          slot.pending--;
          w.reject(
            errors.INTERNAL({
              detail: `step ${w.job.step} crashed its worker thread ${w.crashes} times on this record (${reason})`,
            }),
          );
        } else slot.worker.postMessage(w.job);
      }
    };
    worker.on('error', (err) => died(err.message));
    worker.on('exit', (code) => died(`thread exited with code ${code}`));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    for (const [, w] of this.waiting) w.reject(errors.INTERNAL({ detail: 'step pool closed' }));
    this.waiting.clear();
  }
}
