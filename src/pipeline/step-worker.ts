/**
 * The body of a step-pool thread: builds the CPU-bound steps (once per task and step) and answers
 * one message per record. See step-pool.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorToWire } from '../errors/index.ts';
import { CpuSteps, type CpuStepConfig } from './cpu-steps.ts';
import type { StepJob, StepJobResult, StepThreadMessage } from './step-pool.ts';

const steps = new CpuSteps(workerData as CpuStepConfig);
// The step modules load while the thread waits for its first record, not when that record comes.
void CpuSteps.preload();

parentPort!.on('message', async (job: StepJob) => {
  let reply: StepJobResult;
  try {
    const fn = await steps.get(job.task, job.step);
    // Said right before the synchronous step runs: if this record kills the thread (out of memory, a
    // native crash), the pool knows which record it was.
    parentPort!.postMessage({ id: job.id, started: true } satisfies StepThreadMessage);
    reply = { id: job.id, outcome: fn(job.input) };
  } catch (err) {
    // As data, keeping the catalogue code and kind: a task-level error must still fail the task.
    reply = { id: job.id, error: errorToWire(err) };
  }
  parentPort!.postMessage(reply);
});
