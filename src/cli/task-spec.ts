/**
 * The task a `run` or `submit` asks for, built from its settings and validated with the model's own
 * schema and step-order check before anything is opened, so that a bad value is a usage error naming
 * its flag rather than a failure in the middle of a run.
 */
import { readFileSync } from 'node:fs';
import { planSteps, stepSequenceProblem, taskSpecSchema, type TaskSpecInput } from '../model/index.ts';
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
  'source.from': { flag: '--from' },
  'source.until': { flag: '--until' },
  'limits.maxInFlight': { flag: '--max-in-flight' },
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
  for (const [flag, value] of [
    ['--set', c.set],
    ['--from', c.from],
    ['--until', c.until],
  ] as const)
    if (value !== undefined && !c.oai) throw new UsageError(`${flag}: only with --oai`);
  if (c.from && c.until && dayOf(c.from) > dayOf(c.until))
    throw new UsageError(`--from ${c.from} is after --until ${c.until}`);
  if (c.detectDeleted && (c.from || c.until))
    throw new UsageError('--detect-deleted needs a full harvest: not with --from or --until');
  const source: TaskSpecInput['source'] = c.archive
    ? { type: 'archive', url: c.archive }
    : {
        type: 'oai',
        url: c.oai ?? DEMO_PLACEHOLDER,
        metadataPrefix: c.prefix,
        ...(c.set !== undefined && { set: c.set }),
        ...(c.from !== undefined && { from: c.from }),
        ...(c.until !== undefined && { until: c.until }),
      };
  const spec: TaskSpecInput = {
    dataset: {
      id: c.datasetId ?? (c.demo ? '9200' : 'dataset'),
      name: c.datasetName ?? (c.demo ? 'Demo' : 'Dataset'),
      country: c.country,
      language: c.language,
    },
    source,
    steps: c.steps,
    params: {
      incremental: c.incremental,
      detectDeleted: c.detectDeleted,
      mediaMode: c.mediaMode,
      ...(c.externalXslt !== undefined && { externalXslt: readXslt(c.externalXslt, '--xslt') }),
      ...(c.transformXslt !== undefined && { transformXslt: readXslt(c.transformXslt, '--transform-xslt') }),
    },
    limits: {
      ...(c.limit !== undefined && { recordLimit: c.limit }),
      ...(c.maxInFlight !== undefined && { maxInFlight: c.maxInFlight }),
    },
  };
  return checkSpec(spec, c.archive !== undefined);
}

/**
 * Validates a spec with the model's schema, its step order and Metis's chain (no first step other
 * than the source allows, no gap); a problem is a `UsageError` naming the flag.
 */
export function checkSpec(spec: TaskSpecInput, archive = false): TaskSpecInput {
  const parsed = taskSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue.path.join('.');
    const field = FIELDS[path] ?? FIELDS[path.split('.').slice(0, 2).join('.')];
    const value = issue.path.reduce<unknown>(
      (v, k) => (v as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey],
      spec,
    );
    const name = field ? (path === 'source.url' && archive ? '--archive' : field.flag) : path;
    throw new UsageError(
      `${name}: ${field?.expected ? `expected ${field.expected}` : issue.message}, got ${JSON.stringify(value)}`,
    );
  }
  let plan;
  try {
    plan = planSteps(parsed.data);
  } catch (err) {
    throw new UsageError(`--steps: ${(err as Error).message}`);
  }
  const problem = stepSequenceProblem(parsed.data, plan);
  if (problem) throw new UsageError(`--steps: ${problem}`);
  return spec;
}

const dayOf = (date: string): string => date.slice(0, 10) + (date.length > 10 ? date.slice(10) : 'T00:00:00Z');

/** An XSLT file's text (the task carries it inline, as Metis stores a dataset's XSLT). */
function readXslt(path: string, flag: string): string {
  try {
    const text = readFileSync(path, 'utf8');
    if (!/<(\w+:)?(stylesheet|transform)\b/.test(text))
      throw new UsageError(`${flag}: ${path} is not an XSLT stylesheet (no xsl:stylesheet or xsl:transform element)`);
    return text;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    throw new UsageError(
      `${flag}: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
    );
  }
}
