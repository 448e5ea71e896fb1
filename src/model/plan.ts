/** A task's plan: the steps it runs, checked against Metis's order. */
import { DEFAULT_STEPS, STEP_ORDER, type StepName } from './steps.ts';
import type { TaskSpec } from './task.ts';
import { errors } from '../errors/index.ts';

/** The steps a task runs, validated against Metis's order. */
export function planSteps(spec: TaskSpec): StepName[] {
  if (spec.source.type === 'depublish') return ['depublish'];
  let steps = spec.steps ?? [...DEFAULT_STEPS];
  if (spec.source.type === 'previous') {
    // A re-run starts right after the step whose stored outputs it reads.
    const from = STEP_ORDER.indexOf(spec.source.step as (typeof STEP_ORDER)[number]);
    if (!spec.steps) steps = DEFAULT_STEPS.filter((s) => STEP_ORDER.indexOf(s as (typeof STEP_ORDER)[number]) > from);
    steps = steps.filter((s) => s !== 'harvest');
  }
  if (spec.params.externalXslt && steps.includes('harvest') && !steps.includes('transform-external')) {
    steps = [steps[0], 'transform-external', ...steps.slice(1)];
  }
  let last = -1;
  for (const s of steps) {
    if (s === 'linkcheck') continue;
    if (s === 'depublish')
      throw errors.PLAN_INVALID({ detail: 'Depublication runs alone, as a task whose source is "depublish"' });
    const i = STEP_ORDER.indexOf(s);
    if (i <= last)
      throw errors.PLAN_INVALID({ detail: `Step "${s}" is out of Metis's order (${STEP_ORDER.join(' → ')})` });
    last = i;
  }
  return steps;
}
