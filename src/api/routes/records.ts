/**
 * Records of a task: the list (status per step, tiers; filters), one record's journey (every
 * step's status, messages, data, its tiers and thumbnails), its XML after any step, a diff between
 * two steps, and thumbnail files. Record ids hold slashes, so they travel as `?recordId=`.
 */
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { errors } from '../../errors/index.ts';
import { stepNameSchema } from '../../model/index.ts';
import { listRecords, recordContent, recordDiff, recordJourney } from '../../store/operator-queries.ts';
import { createFileThumbnailStore } from '../../steps/media/thumbnail-store.ts';
import type { ApiBackend } from '../backend.ts';
import * as S from '../schemas.ts';
import { pageQuery } from '../validation.ts';
import { requireTask, thumbnailNames } from '../views.ts';

const params = z.object({ taskId: z.string().min(1).max(200) });
const recordId = z.string().min(1).max(4096);
const statusSchema = z.enum(['success', 'warn', 'fail', 'cancelled']);

export function recordRoutes(app: FastifyInstance, b: ApiBackend): void {
  const thumbnails = createFileThumbnailStore(b.thumbnailDir);

  app.get(
    '/api/tasks/:taskId/records',
    {
      schema: {
        tags: ['records'],
        response: { 200: S.recordList },
        summary: 'Records with their status per step and tiers',
        params,
        querystring: z.object({
          status: statusSchema.optional(),
          step: stepNameSchema.optional(),
          error: z.string().min(1).optional(),
          q: z.string().min(1).optional(),
          ...pageQuery,
        }),
      },
    },
    async (req) => {
      const { taskId } = req.params as { taskId: string };
      await requireTask(b, taskId);
      const q = req.query as {
        status?: never;
        step?: never;
        error?: string;
        q?: string;
        limit: number;
        offset: number;
      };
      const r = await listRecords(b.db, taskId, {
        status: q.status,
        step: q.step,
        error: q.error,
        idContains: q.q,
        limit: q.limit,
        offset: q.offset,
      });
      return { total: r.total, records: r.items };
    },
  );

  app.get(
    '/api/tasks/:taskId/record',
    {
      schema: {
        tags: ['records'],
        response: { 200: S.recordJourney },
        summary: "One record's journey: status, messages and data per step, tiers, thumbnails",
        params,
        querystring: z.object({ recordId }),
      },
    },
    async (req) => {
      const { taskId } = req.params as { taskId: string };
      const { recordId: id } = req.query as { recordId: string };
      await requireTask(b, taskId);
      const j = await recordJourney(b.db, taskId, id);
      if (!j) throw errors.RECORD_NOT_FOUND({ recordId: id, taskId, detail: 'no result' });
      const names = new Set<string>();
      for (const s of j.steps) thumbnailNames(s.data, names);
      return { ...j, thumbnails: [...names].map((n) => `/api/thumbnails/${encodeURIComponent(n)}`) };
    },
  );

  app.get(
    '/api/tasks/:taskId/record/content',
    {
      schema: {
        tags: ['records'],
        summary: "The record's XML after a step",
        params,
        querystring: z.object({ recordId, step: stepNameSchema }),
      },
    },
    async (req, reply) => {
      const { taskId } = req.params as { taskId: string };
      const q = req.query as { recordId: string; step: z.infer<typeof stepNameSchema> };
      await requireTask(b, taskId);
      const xml = await recordContent(b.db, taskId, q.recordId, q.step);
      if (xml === undefined)
        throw errors.RECORD_NOT_FOUND({ recordId: q.recordId, taskId, detail: `no content kept after ${q.step}` });
      return reply.header('content-type', 'application/xml; charset=utf-8').send(xml);
    },
  );

  app.get(
    '/api/tasks/:taskId/record/diff',
    {
      schema: {
        tags: ['records'],
        response: { 200: S.recordDiff },
        summary: "A line diff of the record's XML after two steps",
        params,
        querystring: z.object({ recordId, from: stepNameSchema, to: stepNameSchema }),
      },
    },
    async (req) => {
      const { taskId } = req.params as { taskId: string };
      const q = req.query as {
        recordId: string;
        from: z.infer<typeof stepNameSchema>;
        to: z.infer<typeof stepNameSchema>;
      };
      await requireTask(b, taskId);
      const d = await recordDiff(b.db, taskId, q.recordId, q.from, q.to);
      if ('missing' in d)
        throw errors.RECORD_NOT_FOUND({ recordId: q.recordId, taskId, detail: `no content kept after ${d.missing}` });
      return d;
    },
  );

  app.get(
    '/api/thumbnails/:name',
    {
      schema: {
        tags: ['records'],
        summary: 'A thumbnail written by the media step',
        params: z.object({ name: z.string().regex(/^[0-9a-f]{32}-(MEDIUM|LARGE)$/, 'md5hex-MEDIUM or md5hex-LARGE') }),
      },
    },
    async (req, reply) => {
      const { name } = req.params as { name: string };
      const t = await thumbnails.get(name);
      if (!t) throw errors.RECORD_NOT_FOUND({ recordId: name, taskId: '-', detail: 'no thumbnail file' });
      return reply.header('content-type', t.contentType).header('cache-control', 'max-age=86400').send(t.bytes);
    },
  );
}
