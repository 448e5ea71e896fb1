/**
 * The task a `run` or `submit` asks for, built from its settings and validated with the model's own
 * schema and step-order check before anything is opened, so that a bad value is a usage error naming
 * its flag rather than a failure in the middle of a run.
 */
import { planSteps, taskSpecSchema, type TaskSpecInput } from '../model/index.ts';
import type { Config } from './config/settings.ts';
import { UsageError } from './config/usage-error.ts';

/** The spec's fields that come from flags: the flag and, where the model's message is terse, what it expects. */
const FIELDS: Record<string, { flag: string; expected?: string }> = {
  'dataset.id': { flag: '--dataset-id', expected: '1 to 64 letters, digits, _ or -' },
  'dataset.name': { flag: '--dataset-name', expected: '1 to 255 characters' },
  'dataset.country': { flag: '--country', expected: '1 to 64 characters' },
  'dataset.language': { flag: '--language', expected: 'a language code of 2 to 8 characters' },
  'source.url': { flag: '--oai' },
  'source.metadataPrefix': { flag: '--prefix' },
  'source.set': { flag: '--set' },
  steps: { flag: '--steps' },
  'limits.recordLimit': { flag: '--limit' },
};

/** Where the demo's records come from until its server has started (it serves OAI-PMH on 127.0.0.1). */
const DEMO_PLACEHOLDER = 'http://127.0.0.1/oai';

/**
 * The task spec of `run` (the demo's source URL is a placeholder: the caller swaps in its server's) or
 * `submit`. Throws a `UsageError` naming the flag of the first bad value.
 */
export function taskSpecFromConfig(c: Config, command: 'run' | 'submit'): TaskSpecInput {
  const given = [c.demo && '--demo', c.oai && '--oai', c.archive && '--archive'].filter((s): s is string => Boolean(s));
  const choices = command === 'run' ? '--demo, --oai URL or --archive PATH|URL' : '--oai URL or --archive PATH|URL';
  if (given.length === 0) throw new UsageError(`give ${choices}`);
  if (given.length > 1) throw new UsageError(`give only one of ${given.join(', ')}`);
  if (c.set !== undefined && !c.oai) throw new UsageError('--set: only with --oai');
  const source: TaskSpecInput['source'] = c.archive
    ? { type: 'archive', url: c.archive }
    : { type: 'oai', url: c.oai ?? DEMO_PLACEHOLDER, metadataPrefix: c.prefix, set: c.set };
  const spec: TaskSpecInput = {
    dataset: {
      id: c.datasetId ?? (c.demo ? '9200' : 'dataset'),
      name: c.datasetName ?? (c.demo ? 'Demo' : 'Dataset'),
      country: c.country,
      language: c.language,
    },
    source,
    steps: c.steps,
    limits: c.limit !== undefined ? { recordLimit: c.limit } : {},
  };
  const parsed = taskSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.join('.');
    const field = FIELDS[path] ?? FIELDS[path.split('.').slice(0, 2).join('.')];
    const value = issue.path.reduce<unknown>(
      (v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey],
      spec,
    );
    const name = field ? (path === 'source.url' && c.archive ? '--archive' : field.flag) : path;
    throw new UsageError(
      `${name}: ${field?.expected ? `expected ${field.expected}` : issue.message}, got ${JSON.stringify(value)}`,
    );
  }
  try {
    planSteps(parsed.data);
  } catch (err) {
    throw new UsageError(`--steps: ${(err as Error).message}`);
  }
  return spec;
}
