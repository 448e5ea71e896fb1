/** Topic names of one pipeline deployment; a prefix keeps deployments (and tests) apart. */
import type { StepName } from '../model/index.ts';

export interface PipelineTopics {
  tasks: string;
  fetch: string;
  admit: string;
  outcomes: string;
  dlq: string;
  step(step: StepName): string;
  all(steps: readonly StepName[]): string[];
}

export function pipelineTopics(prefix = 'metis'): PipelineTopics {
  const t = {
    tasks: `${prefix}.tasks`,
    fetch: `${prefix}.fetch`,
    admit: `${prefix}.admit`,
    outcomes: `${prefix}.outcomes`,
    dlq: `${prefix}.dlq`,
    step: (step: StepName) => `${prefix}.step.${step}`,
    all: (steps: readonly StepName[]) => [t.tasks, t.fetch, t.admit, t.outcomes, t.dlq, ...steps.map(t.step)],
  };
  return t;
}
