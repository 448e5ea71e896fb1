/**
 * The CPU-bound steps (validation, transformation, normalization), built once per process or
 * thread and reused: compiled schemas are shared by all tasks, transformers are per task (they
 * carry the dataset's parameters). Used on the main thread and inside step-pool threads alike.
 *
 * The step modules are imported on first use (or by `preload`, which each step thread calls when it
 * starts), not with this one: a process whose CPU steps run on the step pool imports this module for
 * CPU_STEPS and never builds a step on its main thread, which then does not load them (libxml2-wasm's
 * 16 MB WebAssembly memory among them).
 */
import { resolve } from 'node:path';
import { LRUCache } from 'lru-cache';
import type { RecordValidator } from '../steps/validate/validator.ts';
import type { StepOutcome } from '../steps/outcome.ts';
import { errors } from '../errors/index.ts';
import type { TaskRow } from '../store/pipeline-store.ts';
import type { StepName } from '../model/index.ts';
import type { RecordInput } from './ports/port-types.ts';

/** What the CPU-bound steps need: plain data, so it can cross into a worker thread. */
export interface CpuStepConfig {
  schemaLocation: string;
  cacheDir: string;
  /** Metis's EDM sorter XSL (a file); its version decides between our sorter and the XSL (steps/rules/). */
  sorterXslt?: string;
  /** Metis's default transformation XSLT (a file); likewise for the default conversion. */
  defaultXslt?: string;
  /** Engine of the XSLT that runs (rules that are not the ported versions, custom XSLT). Default SaxonJS. */
  xsltEngine?: 'saxonjs' | 'saxon-he';
  /** Bytes of the sorted and transformed records: `compact` (default) or `saxon`, as Metis's XSLTs write them. */
  outputStyle?: 'compact' | 'saxon';
}

export type CpuStep = (r: RecordInput) => StepOutcome<any>;

/** Steps that are pure CPU work (worth a worker thread). */
export const CPU_STEPS: ReadonlySet<StepName> = new Set([
  'validate-external',
  'transform',
  'validate-internal',
  'normalize',
  'transform-external',
]);

export class CpuSteps {
  private external: Promise<RecordValidator> | undefined;
  private internal: Promise<RecordValidator> | undefined;
  private normalizer: CpuStep | undefined;
  private readonly perTask = new LRUCache<string, Promise<CpuStep>>({ max: 256 });

  constructor(private readonly config: CpuStepConfig) {}

  /**
   * Imports the step modules now, without building anything: a step thread calls it when it starts,
   * so a task's first records do not wait for the imports (as before they were imported on first use).
   * A failed import is left for the first `get` to report.
   */
  static preload(): Promise<void> {
    return Promise.all([
      import('../steps/validate/validator.ts'),
      import('../steps/patterns/with-patterns.ts'),
      import('../steps/normalize/normalizer.ts'),
      import('../steps/transform/transformer.ts'),
    ]).then(
      () => undefined,
      () => undefined,
    );
  }

  /** The step function of `step` for `task`; a failed setup (bad XSLT, missing schema) rejects with TaskError and is not cached. */
  get(task: Pick<TaskRow, 'taskId' | 'spec'>, step: StepName): Promise<CpuStep> {
    const key = step === 'transform' || step === 'transform-external' ? `${task.taskId}|${step}` : step;
    let p = this.perTask.get(key);
    if (!p) {
      p = this.build(task, step);
      p.catch(() => this.perTask.delete(key));
      this.perTask.set(key, p);
    }
    return p;
  }

  private async build(task: Pick<TaskRow, 'taskId' | 'spec'>, step: StepName): Promise<CpuStep> {
    const schemaOpts = {
      schemaLocation: this.config.schemaLocation,
      cacheDir: resolve(this.config.cacheDir, 'schemas'),
      // Rule stylesheets that are not the ported versions run as XSLT, compiled once into the data folder.
      xsltCacheDir: resolve(this.config.cacheDir, 'xslt'),
      sorterXslt: this.config.sorterXslt,
      xsltEngine: this.config.xsltEngine,
    };
    const xsltCache = { cacheDir: resolve(this.config.cacheDir, 'xslt'), engine: this.config.xsltEngine };
    const ds = task.spec.dataset;
    switch (step) {
      case 'validate-external':
        return (this.external ??= import('../steps/validate/validator.ts').then((m) =>
          m.createExternalValidator({ ...schemaOpts, outputStyle: this.config.outputStyle }),
        ));
      case 'validate-internal': {
        this.internal ??= import('../steps/validate/validator.ts').then((m) => m.createInternalValidator(schemaOpts));
        const { withProblemPatterns } = await import('../steps/patterns/with-patterns.ts');
        // Problem patterns (Sandbox): analysed for every record that passes, stored with its result.
        return withProblemPatterns(await this.internal);
      }
      case 'normalize':
        return (this.normalizer ??= (await import('../steps/normalize/normalizer.ts')).createNormalizer());
      case 'transform': {
        const { createTransformer } = await import('../steps/transform/transformer.ts');
        const xslt = task.spec.params.transformXslt;
        return createTransformer({
          datasetId: ds.id,
          datasetName: ds.name,
          country: ds.country,
          language: ds.language,
          xslt: xslt ? { source: xslt } : undefined,
          defaultXslt: this.config.defaultXslt,
          outputStyle: this.config.outputStyle,
          ...xsltCache,
        });
      }
      case 'transform-external': {
        const xslt = task.spec.params.externalXslt;
        if (!xslt) throw errors.NO_XSLT();
        const { createXsltTransformer } = await import('../steps/transform/transformer.ts');
        return createXsltTransformer({ source: xslt }, xsltCache);
      }
      default:
        throw errors.INTERNAL({ detail: `${step} is not a CPU-bound step` });
    }
  }

  async dispose(): Promise<void> {
    (await this.external?.catch(() => undefined))?.dispose();
    (await this.internal?.catch(() => undefined))?.dispose();
  }
}
