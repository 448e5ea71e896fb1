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

export interface StepJob {
  id: number;
  task: Pick<TaskRow, 'taskId' | 'datasetId' | 'spec'>;
  step: StepName;
  input: RecordInput;
}

export type StepJobResult = { id: number; outcome: StepOutcome } | { id: number; error: ErrorWire };

/**
 * The thread's entry, chosen by this module's own file: compiled (`dist/pipeline/step-pool.js`) →
 * the compiled body `step-worker.js`, no loader; sources under tsx (tests, benchmarks) →
 * `step-worker-entry.mjs`, which registers tsx in the thread (threads do not inherit the loader).
 */
const WORKER_ENTRY = import.meta.url.endsWith('.ts')
  ? new URL('./step-worker-entry.mjs', import.meta.url)
  : new URL('./step-worker.js', import.meta.url);

export class StepPool {
  private readonly workers: Array<{ worker: Worker; pending: number }> = [];
  private readonly waiting = new Map<
    number,
    { resolve: (o: StepOutcome) => void; reject: (e: Error) => void; slot: { pending: number } }
  >();
  private nextId = 1;
  private closed = false;

  constructor(config: CpuStepConfig, size = Math.max(1, availableParallelism())) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(WORKER_ENTRY, {
        workerData: config,
        // Large records make many short-lived objects: a bigger young generation saves GC time.
        resourceLimits: { maxYoungGenerationSizeMb: 64 },
      });
      const slot = { worker, pending: 0 };
      worker.on('message', (msg: StepJobResult) => {
        const w = this.waiting.get(msg.id);
        if (!w) return;
        this.waiting.delete(msg.id);
        w.slot.pending--;
        if ('outcome' in msg) w.resolve(msg.outcome);
        else w.reject(errorFromWire(msg.error));
      });
      worker.on('error', (err) => this.failAll(slot, err));
      worker.on('exit', (code) => {
        if (!this.closed)
          this.failAll(slot, errors.INTERNAL({ detail: `step worker thread exited with code ${code}` }));
      });
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
      this.waiting.set(id, { resolve, reject, slot });
      const job: StepJob = {
        id,
        task: { taskId: task.taskId, datasetId: task.datasetId, spec: task.spec },
        step,
        input,
      };
      slot.worker.postMessage(job);
    });
  }

  private failAll(slot: { pending: number; worker: Worker }, err: Error): void {
    for (const [id, w] of this.waiting) {
      if (w.slot !== slot) continue;
      this.waiting.delete(id);
      w.reject(err);
    }
    slot.pending = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    for (const [, w] of this.waiting) w.reject(errors.INTERNAL({ detail: 'step pool closed' }));
    this.waiting.clear();
  }
}
