/** The Metis steps: their names and their only allowed order. */
import { z } from 'zod';

/** Metis steps in their only allowed order (metis-steps.md §0.2); link checking may follow any step. */
export const STEP_ORDER = [
  'harvest',
  'transform-external',
  'validate-external',
  'transform',
  'validate-internal',
  'normalize',
  'enrich',
  'media',
  'preview',
  'publish',
] as const;
export const STEP_NAMES = [...STEP_ORDER, 'linkcheck', 'depublish'] as const;
export type StepName = (typeof STEP_NAMES)[number];
export const stepNameSchema = z.enum(STEP_NAMES);

/** The full Metis chain, from harvest to publish (transform-external only when a provider XSLT is given). */
export const DEFAULT_STEPS: StepName[] = STEP_ORDER.filter((s) => s !== 'transform-external');
