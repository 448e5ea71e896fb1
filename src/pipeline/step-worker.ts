/**
 * The body of a step-pool thread: builds the CPU-bound steps (once per task and step) and answers
 * one message per record. See step-pool.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { resolve } from 'node:path';
import { LRUCache } from 'lru-cache';
import { createExternalValidator, createInternalValidator } from '../steps/validate/validator.ts';
import { createTransformer, createXsltTransformer } from '../steps/transform/transformer.ts';
import { createNormalizer } from '../steps/normalize/normalizer.ts';
import { TaskError, type StepOutcome } from '../steps/outcome.ts';
import type { PoolStepConfig, StepJob, StepJobResult } from './step-pool.ts';
import type { RecordInput } from './ports.ts';

type Fn = (r: RecordInput) => StepOutcome<any> | Promise<StepOutcome<any>>;

const config = workerData as PoolStepConfig;
const schemaOpts = { schemaLocation: config.schemaLocation, cacheDir: resolve(config.cacheDir, 'schemas') };
let external: Promise<Fn> | undefined;
let internal: Promise<Fn> | undefined;
let normalize: Fn | undefined;
const perTask = new LRUCache<string, Promise<Fn>>({ max: 64 });

async function build(task: StepJob['task'], step: StepJob['step']): Promise<Fn> {
  const ds = task.spec.dataset;
  switch (step) {
    case 'validate-external':
      return (external ??= createExternalValidator(schemaOpts));
    case 'validate-internal':
      return (internal ??= createInternalValidator(schemaOpts));
    case 'normalize':
      return (normalize ??= createNormalizer());
    case 'transform': {
      const xslt = task.spec.params.transformXslt;
      return createTransformer({ datasetId: ds.id, datasetName: ds.name, country: ds.country, language: ds.language, xslt: xslt ? { source: xslt } : undefined, cacheDir: resolve(config.cacheDir, 'xslt') });
    }
    case 'transform-external': {
      const xslt = task.spec.params.externalXslt;
      if (!xslt) throw new TaskError('NO_XSLT', 'transform-external needs params.externalXslt');
      return createXsltTransformer({ source: xslt }, { cacheDir: resolve(config.cacheDir, 'xslt') });
    }
    default:
      throw new Error(`step ${step} does not run on the step pool`);
  }
}

function stepFor(task: StepJob['task'], step: StepJob['step']): Promise<Fn> {
  const key = step === 'transform' || step === 'transform-external' ? `${task.taskId}|${step}` : step;
  let p = perTask.get(key);
  if (!p) {
    p = build(task, step);
    p.catch(() => perTask.delete(key));
    perTask.set(key, p);
  }
  return p;
}

parentPort!.on('message', async (job: StepJob) => {
  let reply: StepJobResult;
  try {
    const fn = await stepFor(job.task, job.step);
    reply = { id: job.id, outcome: await fn(job.input) };
  } catch (err) {
    reply = { id: job.id, error: err instanceof Error ? err.message : String(err), stack: err instanceof Error ? err.stack : undefined };
  }
  parentPort!.postMessage(reply);
});
