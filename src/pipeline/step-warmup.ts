/**
 * Builds a task's CPU-bound steps before its first record needs them. A step thread builds its step
 * functions on first use (compiles the EDM schemas, builds the language vocabulary of normalization,
 * the task's transformer): the first record's four CPU-bound steps took 882 ms cold against 11 ms
 * warmed 1.5 s before (`npm run bench first-warmup`, load 5–8), time the first records of a task
 * would otherwise wait at validate-external, three topic hops after the task was accepted.
 *
 * Warming runs a generated EDM record (the demo dataset's record 0, without defects) through the
 * task's CPU-bound steps, once per step thread, as soon as a process first sees the task (its intake,
 * or its first record at fetch or admission on the other workers); the outcomes are dropped. Nothing
 * is emitted or stored, so exactly-once is unaffected; a failure (e.g. missing schemas) is left for
 * the first real record to report.
 */
import { demoRecord } from '../steps/harvest/oai/demo-dataset.ts';
import type { TaskRow } from '../store/pipeline-store.ts';
import type { PipelineContext } from './context.ts';
import { CPU_STEPS } from './cpu-steps.ts';
import { defaultStepThreads } from './step-pool.ts';

/** Task ids warmed per process (per ports object: one per worker or embedded pipeline). */
const warmed = new WeakMap<object, Set<string>>();
/** Remembered task ids per process; older ones are forgotten (warming a task twice only costs CPU). */
const MAX_REMEMBERED = 1000;

let sample: string | undefined;

/**
 * Starts warming `task`'s CPU-bound steps on every step thread of this process (once per task and
 * process) and returns at once. `threads`: how many warm-up records run at the same time (the pool
 * hands each to its least busy thread); default the pool's default size.
 */
export function warmTaskSteps(p: PipelineContext, task: TaskRow, threads = defaultStepThreads()): void {
  let tasks = warmed.get(p.ports);
  if (!tasks) warmed.set(p.ports, (tasks = new Set()));
  if (tasks.has(task.taskId)) return;
  if (tasks.size >= MAX_REMEMBERED) tasks.clear();
  tasks.add(task.taskId);
  const steps = task.plan.filter((s) => CPU_STEPS.has(s));
  if (steps.length === 0) return;
  sample ??= demoRecord(0, { invalidRatio: 0 }).xml;
  const started = performance.now();
  const one = async () => {
    let content = sample!;
    for (const step of steps) {
      const fn = await p.ports.steps.forTask(task, step);
      const outcome = await fn({ recordId: 'warm-up', content });
      if (outcome.status === 'fail') return;
      content = outcome.content ?? content;
    }
  };
  void Promise.all(Array.from({ length: Math.max(1, threads) }, one)).then(
    () => p.logger.debug({ taskId: task.taskId, ms: Math.round(performance.now() - started) }, 'task steps warmed'),
    (err: unknown) => p.logger.debug({ taskId: task.taskId, err }, 'warming the task steps failed (the first record will say why)'),
  );
}

/** As `warmTaskSteps`, for a task known by id (the task is read only when it was not warmed here yet). */
export function warmTaskStepsById(p: PipelineContext, taskId: string): void {
  if (warmed.get(p.ports)?.has(taskId)) return;
  void p.tasks.get(taskId).then(
    (task) => task && warmTaskSteps(p, task),
    () => undefined,
  );
}
