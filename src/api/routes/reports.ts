/**
 * A task's reports: the full error report (every group, paged, by step and level, with sample ids;
 * CSV and eCloud-style JSON downloads), tiers of every record whose tiers were computed (tier 0
 * included), problem patterns (from internal validation's analyses) and records deleted at the source.
 */
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { stepNameSchema } from '../../model/index.ts';
import {
  deletedAtSource,
  errorGroups,
  errorReportCsv,
  errorReportMetisJson,
  patternAnalysesStored,
  tierSummary,
} from '../../store/operator-queries.ts';
import { taskProblemPatterns } from '../../pipeline/problem-patterns.ts';
import type { ApiBackend } from '../backend.ts';
import * as S from '../schemas.ts';
import { pageQuery } from '../validation.ts';
import { requireTask } from '../views.ts';

const params = z.object({ taskId: z.string().min(1).max(200) });
const filter = { step: stepNameSchema.optional(), level: z.enum(['warn', 'error']).optional() };

export function reportRoutes(app: FastifyInstance, b: ApiBackend): void {
  app.get(
    '/api/tasks/:taskId/errors',
    {
      schema: {
        tags: ['reports'],
        response: { 200: S.errorReport },
        summary: 'Every error group, largest first, filtered and paged',
        params,
        querystring: z.object({ ...filter, q: z.string().min(1).optional(), ...pageQuery }),
      },
    },
    async (req) => {
      const { taskId } = req.params as { taskId: string };
      await requireTask(b, taskId);
      const q = req.query as { step?: never; level?: 'warn' | 'error'; q?: string; limit: number; offset: number };
      const r = await errorGroups(b.db, taskId, {
        step: q.step,
        level: q.level,
        text: q.q,
        limit: q.limit,
        offset: q.offset,
      });
      return { total: r.total, totalRecords: r.totalRecords, groups: r.items, bySteps: r.bySteps };
    },
  );

  // The downloads: every matching group, as CSV or in eCloud's report shape.
  const downloads = {
    csv: { summary: 'The error report as CSV (every group)', type: 'text/csv; charset=utf-8', make: errorReportCsv },
    json: {
      summary: "The error report in eCloud's shape (every group)",
      type: 'application/json; charset=utf-8',
      make: async (...a: Parameters<typeof errorReportMetisJson>) => JSON.stringify(await errorReportMetisJson(...a)),
    },
  };
  for (const [ext, d] of Object.entries(downloads))
    app.get(
      `/api/tasks/:taskId/errors.${ext}`,
      { schema: { tags: ['reports'], summary: d.summary, params, querystring: z.object(filter) } },
      async (req, reply) => {
        const { taskId } = req.params as { taskId: string };
        await requireTask(b, taskId);
        const q = req.query as { step?: never; level?: 'warn' | 'error' };
        const name = `errors-${taskId.replace(/[^A-Za-z0-9_-]/g, '_')}.${ext}`;
        return reply
          .header('content-type', d.type)
          .header('content-disposition', `attachment; filename="${name}"`)
          .send(await d.make(b.db, taskId, q));
      },
    );

  app.get(
    '/api/tasks/:taskId/tiers',
    {
      schema: {
        tags: ['reports'],
        response: { 200: S.tiers },
        summary: 'Tiers of every record whose tiers were computed, tier 0 included',
        params,
      },
    },
    async (req) => {
      const { taskId } = req.params as { taskId: string };
      await requireTask(b, taskId);
      return tierSummary(b.db, taskId);
    },
  );

  app.get(
    '/api/tasks/:taskId/patterns',
    {
      schema: { tags: ['reports'], summary: 'Problem patterns of the dataset (when the pipeline stored them)', params },
    },
    async (req) => {
      const { taskId } = req.params as { taskId: string };
      await requireTask(b, taskId);
      return problemPatterns(b, taskId);
    },
  );

  app.get(
    '/api/tasks/:taskId/deleted',
    {
      schema: {
        tags: ['reports'],
        summary: 'Records depublished because the source no longer has them',
        params,
        querystring: z.object(pageQuery),
      },
    },
    async (req) => {
      const { taskId } = req.params as { taskId: string };
      await requireTask(b, taskId);
      const q = req.query as { limit: number; offset: number };
      const r = await deletedAtSource(b.db, taskId, q);
      return { total: r.total, records: r.items };
    },
  );
}

/** The dataset's problem patterns (P1 across records, then per-pattern counts with sample records). */
async function problemPatterns(b: ApiBackend, taskId: string) {
  if (!(await patternAnalysesStored(b.db, taskId))) return { available: false, patterns: [] };
  return { available: true, patterns: await taskProblemPatterns(b.db, taskId) };
}
