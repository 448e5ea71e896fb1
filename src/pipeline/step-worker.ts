/**
 * The body of a step-pool thread: builds the CPU-bound steps (once per task and step) and answers
 * one message per record. See step-pool.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { CpuSteps, type CpuStepConfig } from './cpu-steps.ts';
import type { StepJob, StepJobResult } from './step-pool.ts';

const steps = new CpuSteps(workerData as CpuStepConfig);

parentPort!.on('message', async (job: StepJob) => {
  let reply: StepJobResult;
  try {
    const fn = await steps.get(job.task, job.step);
    reply = { id: job.id, outcome: fn(job.input) };
  } catch (err) {
    reply = { id: job.id, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined };
  }
  parentPort!.postMessage(reply);
});
