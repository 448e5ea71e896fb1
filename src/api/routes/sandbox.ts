/**
 * The Metis Sandbox's dataset API shapes over our tasks (metis-steps.md §13; the `sandbox-api`
 * fixtures), so a client written for the Sandbox can poll a task: progress, info, records-tiers
 * and a record after a step. The task id plays the Sandbox's dataset id. How it differs:
 * - steps without a Sandbox name (preview, linkcheck, depublish) are left out of `progress-by-step`;
 * - a cancelled task reads as FAILED with `error-type` "Cancelled: <reason>" (the Sandbox has no
 *   cancel);
 * - `records` of an error list our record ids (the Sandbox writes "<europeanaId> | <providerId>"),
 *   up to the 100 samples a group keeps;
 * - `portal-publish` is left out: there is no portal.
 */
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { errors } from '../../errors/index.ts';
import { STEP_NAMES, type StepName } from '../../model/index.ts';
import { errorGroups, recordContent, recordTiers, taskProgress, tierSummary } from '../../store/operator-queries.ts';
import type { TaskRow } from '../../store/task-repository.ts';
import type { ApiBackend } from '../backend.ts';
import { invalidInput } from '../http-errors.ts';
import { requireTask } from '../views.ts';

const SANDBOX_STEP: Partial<Record<StepName, string>> = {
  'transform-external': 'TRANSFORM_TO_EDM_EXTERNAL',
  'validate-external': 'VALIDATE_EXTERNAL',
  transform: 'TRANSFORM',
  'validate-internal': 'VALIDATE_INTERNAL',
  normalize: 'NORMALIZE',
  enrich: 'ENRICH',
  media: 'MEDIA_PROCESS',
  publish: 'PUBLISH',
};

const harvestName = (t: TaskRow) => (t.spec.source.type === 'oai' ? 'HARVEST_OAI_PMH' : 'HARVEST_FILE');
const sandboxStep = (t: TaskRow, step: StepName) => (step === 'harvest' ? harvestName(t) : SANDBOX_STEP[step]);

/** Our step for a Sandbox step name (HARVEST, HARVEST_FILE, MEDIA_PROCESS, ...) or our own name. */
function ourStep(name: string): StepName | undefined {
  if ((STEP_NAMES as readonly string[]).includes(name)) return name as StepName;
  const upper = name.toUpperCase();
  if (upper.startsWith('HARVEST')) return 'harvest';
  return (Object.entries(SANDBOX_STEP).find(([, v]) => v === upper)?.[0] as StepName | undefined) ?? undefined;
}

const params = z.object({ taskId: z.string().min(1).max(200) });

export function sandboxRoutes(app: FastifyInstance, b: ApiBackend): void {
  app.get(
    '/api/sandbox/dataset/:taskId/progress',
    { schema: { tags: ['sandbox'], summary: "The Metis Sandbox's progress JSON for a task", params } },
    async (req) => {
      const { taskId } = req.params as { taskId: string };
      const t = await requireTask(b, taskId);
      return sandboxProgress(b, t);
    },
  );

  app.get(
    '/api/sandbox/dataset/:taskId/info',
    { schema: { tags: ['sandbox'], summary: "The Metis Sandbox's dataset info for a task", params } },
    async (req) => {
      const { taskId } = req.params as { taskId: string };
      const t = await requireTask(b, taskId);
      const s = t.spec.source;
      const harvesting =
        s.type === 'oai'
          ? {
              'harvest-protocol': 'OAI_PMH',
              url: s.url,
              'set-spec': s.set ?? null,
              'metadata-format': s.metadataPrefix,
            }
          : s.type === 'archive'
            ? {
                'harvest-protocol': /^https?:/i.test(s.url) ? 'HTTP' : 'FILE',
                'file-name': s.url.split('/').pop() ?? s.url,
                'file-type': /\.zip$/i.test(s.url) ? 'ZIP' : /\.(tgz|tar\.gz)$/i.test(s.url) ? 'TAR_GZ' : 'TAR',
                ...(/^https?:/i.test(s.url) && { url: s.url }),
              }
            : { 'harvest-protocol': s.type.toUpperCase() };
      return {
        'dataset-id': t.taskId,
        'dataset-name': t.spec.dataset.name,
        language: t.spec.dataset.language,
        country: t.spec.dataset.country,
        'creation-date': t.createdAt,
        'transformed-to-edm-external': Boolean(t.spec.params.externalXslt),
        'harvesting-parameters': harvesting,
      };
    },
  );

  app.get(
    '/api/sandbox/dataset/:taskId/records-tiers',
    { schema: { tags: ['sandbox'], summary: "The Metis Sandbox's records-tiers for a task", params } },
    async (req) => {
      const { taskId } = req.params as { taskId: string };
      await requireTask(b, taskId);
      const out = [];
      for (let offset = 0; ; offset += 500) {
        const page = await recordTiers(b.db, taskId, { limit: 500, offset });
        for (const r of page.items)
          out.push({
            'record-id': r.recordId,
            'content-tier': r.tiers.content,
            'content-tier-before-license-correction': r.tiers.contentBeforeLicenseCorrection ?? r.tiers.content,
            license: r.tiers.license ?? null,
            'metadata-tier': r.tiers.metadata,
            // Records indexed before the index step kept these dimensions have none.
            ...(r.tiers.metadataLanguage !== undefined && {
              'metadata-tier-language': r.tiers.metadataLanguage,
              'metadata-tier-enabling-elements': r.tiers.metadataEnablingElements,
              'metadata-tier-contextual-classes': r.tiers.metadataContextualClasses,
            }),
          });
        if (page.items.length < 500) break;
      }
      return out;
    },
  );

  app.get(
    '/api/sandbox/dataset/:taskId/record',
    {
      schema: {
        tags: ['sandbox'],
        summary: 'A record after a step (Sandbox step names or ours)',
        params,
        querystring: z.object({ recordId: z.string().min(1), step: z.string().min(1).default('HARVEST') }),
      },
    },
    async (req, reply) => {
      const { taskId } = req.params as { taskId: string };
      const q = req.query as { recordId: string; step: string };
      await requireTask(b, taskId);
      const step = ourStep(q.step);
      if (!step) throw invalidInput('query.step', `unknown step ${q.step}`);
      const xml = await recordContent(b.db, taskId, q.recordId, step);
      if (xml === undefined)
        throw errors.RECORD_NOT_FOUND({ recordId: q.recordId, taskId, detail: `no content kept after ${step}` });
      return reply.header('content-type', 'application/xml; charset=utf-8').send(xml);
    },
  );
}

/** The Sandbox's ProgressInfoDto for a task (metis-steps.md §13). */
export async function sandboxProgress(b: ApiBackend, t: TaskRow): Promise<Record<string, unknown>> {
  const p = (await taskProgress(b.db, t.taskId))!;
  const { items: groups } = await errorGroups(b.db, t.taskId, { limit: null });
  const failed = t.state === 'failed' || t.state === 'cancelled';
  const reason = t.state === 'cancelled' ? `Cancelled: ${t.reason ?? 'by user'}` : (t.reason ?? 'Task failed');
  const total = t.expectedTotal ?? 0;
  const status = failed
    ? 'FAILED'
    : t.state === 'completed'
      ? 'COMPLETED'
      : !t.listingDone && t.expectedTotal === null
        ? 'HARVESTING_IDENTIFIERS'
        : 'IN_PROGRESS';
  const steps = failed
    ? []
    : p.steps.flatMap((s) => {
        const name = sandboxStep(t, s.step);
        if (!name) return [];
        const errs = groups
          .filter((g) => g.step === s.step)
          .map((g) => ({
            type: g.level === 'warn' ? 'WARN' : 'FAIL',
            message: g.message,
            records: [...g.sampleIds].sort(),
          }));
        return [
          {
            step: name,
            total: s.success + s.fail + s.warn,
            success: s.success,
            fail: s.fail,
            warn: s.warn,
            ...(errs.length > 0 && { errors: errs }),
          },
        ];
      });
  const publish = p.steps.find((s) => s.step === 'publish');
  const tiers = await tierSummary(b.db, t.taskId);
  const zero = tiers.tierZero;
  return {
    status,
    'total-records': total,
    'processed-records': p.processed,
    'progress-by-step': steps,
    'record-limit-exceeded': t.spec.limits.recordLimit !== undefined && total >= t.spec.limits.recordLimit,
    'dataset-logs': failed ? [{ type: 'FAIL', message: reason }] : [],
    'records-published-successfully': Boolean(publish && publish.success + publish.warn > 0),
    ...(failed && { 'error-type': reason }),
    ...((zero.content.total > 0 || zero.metadata.total > 0) && {
      'tier-zero-info': {
        'content-tier': { total: zero.content.total, samples: zero.content.samples },
        'metadata-tier': { total: zero.metadata.total, samples: zero.metadata.samples },
      },
    }),
  };
}
