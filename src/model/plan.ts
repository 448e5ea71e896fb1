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

/**
 * Why a plan breaks Metis's chain (metis-steps.md §0.2: each step may follow only its predecessor),
 * or undefined when it does not: a plan from a source must start with harvest, a re-run with the step
 * after the one whose outputs it reads, and no step of the chain may be skipped (transform-external,
 * the Sandbox's optional first transformation, excepted; link checking may follow any step).
 * `steps` is the plan `planSteps` made.
 */
export function stepSequenceProblem(spec: TaskSpec, steps: readonly StepName[]): string | undefined {
  if (spec.source.type === 'depublish' || spec.source.type === 'seed') return undefined;
  const chain = steps.filter((s) => s !== 'linkcheck');
  if (chain.length === 0) return undefined;
  const index = (s: StepName) => STEP_ORDER.indexOf(s as (typeof STEP_ORDER)[number]);
  const next = (i: number): StepName[] =>
    STEP_ORDER[i + 1] === 'transform-external' ? ['transform-external', STEP_ORDER[i + 2]] : [STEP_ORDER[i + 1]];
  const expectedFirst: StepName[] = spec.source.type === 'previous' ? next(index(spec.source.step)) : ['harvest'];
  if (!expectedFirst.includes(chain[0])) {
    const from =
      spec.source.type === 'previous'
        ? `a re-run after ${spec.source.step} starts with ${expectedFirst.join(' or ')}`
        : `a task that harvests its records starts with harvest (its records come from the harvest)`;
    return `"${chain[0]}" cannot be the first step: ${from}`;
  }
  for (let k = 1; k < chain.length; k++) {
    const allowed = next(index(chain[k - 1]));
    if (!allowed.includes(chain[k]))
      return `"${chain[k]}" cannot follow "${chain[k - 1]}": Metis runs ${allowed.filter(Boolean).join(' or ')} after ${chain[k - 1]} (${STEP_ORDER.join(' → ')}; no step may be skipped)`;
  }
  return undefined;
}
