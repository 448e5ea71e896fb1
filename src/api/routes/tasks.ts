/**
 * Tasks: create (JSON, or multipart with an uploaded archive and XSLTs), list and filter, read,
 * cancel, re-run from a step, depublish, and progress. Creating, cancelling and re-running need
 * the operator role; depublication needs admin.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline as pipe } from 'node:stream/promises';
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import {
  datasetSchema,
  limitsSchema,
  paramsSchema,
  stepNameSchema,
  TASK_STATES,
  type TaskSpecInput,
} from '../../model/index.ts';
import { DEPUBLICATION_REASONS } from '../../steps/depublish/reasons.ts';
import { errors } from '../../errors/index.ts';
import { listTasks, taskProgress } from '../../store/operator-queries.ts';
import type { ApiBackend } from '../backend.ts';
import { invalidInput } from '../http-errors.ts';
import { commaList, pageQuery } from '../validation.ts';
import * as S from '../schemas.ts';
import { requireTask, taskView } from '../views.ts';

const httpUrl = z
  .string()
  .url()
  .refine((u) => /^https?:\/\//i.test(u), 'an http(s) URL');

const oaiSource = z.object({
  type: z.literal('oai'),
  url: httpUrl,
  metadataPrefix: z.string().min(1).default('edm'),
  set: z.string().min(1).optional(),
  from: z.string().min(1).optional(),
  until: z.string().min(1).optional(),
});
/** An archive by URL; a file of the caller's goes through POST /api/tasks/upload (never a server path). */
const archiveSource = z.object({ type: z.literal('archive'), url: httpUrl });
const previousSource = z.object({ type: z.literal('previous'), taskId: z.string().min(1), step: stepNameSchema });

const taskBody = z.object({
  dataset: datasetSchema,
  source: z.discriminatedUnion('type', [oaiSource, archiveSource, previousSource]),
  steps: z.array(stepNameSchema).min(1).optional(),
  params: paramsSchema,
  limits: limitsSchema,
});

/** The `spec` field of an upload: a task without a source when an archive is uploaded. */
const uploadSpec = taskBody.extend({
  source: z.discriminatedUnion('type', [oaiSource, previousSource]).optional(),
});

export const depublicationReasonSchema = z.enum(
  Object.keys(DEPUBLICATION_REASONS) as [
    keyof typeof DEPUBLICATION_REASONS,
    ...Array<keyof typeof DEPUBLICATION_REASONS>,
  ],
);

const taskIdParams = z.object({ taskId: z.string().min(1).max(200) });

export function taskRoutes(app: FastifyInstance, b: ApiBackend): void {
  const svc = b.service;

  app.get(
    '/api/tasks',
    {
      schema: {
        tags: ['tasks'],
        response: { 200: S.taskList },
        summary: 'Tasks, newest first',
        querystring: z.object({
          state: commaList(z.enum(TASK_STATES)).optional(),
          datasetId: z.string().min(1).optional(),
          ...pageQuery,
        }),
      },
    },
    async (req) => {
      const q = req.query as {
        state?: Array<(typeof TASK_STATES)[number]>;
        datasetId?: string;
        limit: number;
        offset: number;
      };
      const page = await listTasks(b.db, { states: q.state, datasetId: q.datasetId, limit: q.limit, offset: q.offset });
      return { total: page.total, tasks: page.items.map(taskView) };
    },
  );

  app.post(
    '/api/tasks',
    {
      config: { role: 'operator' },
      schema: { tags: ['tasks'], response: { 201: S.task }, summary: 'Create and start a task', body: taskBody },
    },
    async (req, reply) => {
      const task = await svc.submit(req.body as TaskSpecInput);
      return reply.status(201).send(taskView(task));
    },
  );

  app.post(
    '/api/tasks/upload',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['tasks'],
        response: { 201: S.task },
        summary: 'Create a task from an uploaded archive (multipart: spec, archive, externalXslt, transformXslt)',
        consumes: ['multipart/form-data'],
      },
    },
    async (req, reply) => {
      if (!req.isMultipart()) throw invalidInput('body', 'expected multipart/form-data with a "spec" field');
      const dir = join(b.uploadDir, randomUUID());
      let archive: string | undefined;
      const texts: Record<string, string> = {};
      let specText: string | undefined;
      try {
        for await (const part of req.parts()) {
          if (part.type === 'field') {
            if (part.fieldname === 'spec') specText = String(part.value);
            else
              throw invalidInput(part.fieldname, 'unknown field (expected spec, archive, externalXslt, transformXslt)');
          } else if (part.fieldname === 'archive') {
            await mkdir(dir, { recursive: true });
            const name = (part.filename || 'archive').replace(/[^A-Za-z0-9._-]/g, '_').slice(-100);
            archive = join(dir, name.startsWith('.') ? `_${name}` : name);
            await pipe(part.file, createWriteStream(archive));
          } else if (part.fieldname === 'externalXslt' || part.fieldname === 'transformXslt') {
            texts[part.fieldname] = (await part.toBuffer()).toString('utf8');
          } else throw invalidInput(part.fieldname, 'unknown file (expected archive, externalXslt, transformXslt)');
        }
        if (specText === undefined) throw invalidInput('spec', 'required: the task as JSON');
        let json: unknown;
        try {
          json = JSON.parse(specText);
        } catch (err) {
          throw invalidInput('spec', `not JSON: ${(err as Error).message}`);
        }
        const parsed = uploadSpec.safeParse(json);
        if (!parsed.success) {
          const i = parsed.error.issues[0];
          throw invalidInput(`spec.${i.path.join('.')}`.replace(/\.$/, ''), i.message);
        }
        const spec = parsed.data;
        if (archive && spec.source)
          throw invalidInput('spec.source', 'give either an archive file or a source, not both');
        if (!archive && !spec.source) throw invalidInput('archive', 'required when spec has no source');
        const task = await svc.submit({
          ...spec,
          source: archive ? { type: 'archive', url: archive } : spec.source!,
          params: { ...spec.params, ...texts },
        });
        return reply.status(201).send(taskView(task));
      } catch (err) {
        await rm(dir, { recursive: true, force: true });
        throw err;
      }
    },
  );

  app.get(
    '/api/tasks/:taskId',
    {
      schema: {
        tags: ['tasks'],
        response: { 200: S.taskWithProgress },
        summary: 'A task and its progress',
        params: taskIdParams,
      },
    },
    async (req) => {
      const { taskId } = req.params as { taskId: string };
      const t = await requireTask(b, taskId);
      return { ...taskView(t), progress: await taskProgress(b.db, taskId) };
    },
  );

  app.get(
    '/api/tasks/:taskId/progress',
    {
      schema: {
        tags: ['tasks'],
        response: { 200: S.progress },
        summary: 'Progress per step: counts, records per second, ETA',
        params: taskIdParams,
      },
    },
    async (req) => {
      const { taskId } = req.params as { taskId: string };
      const p = await taskProgress(b.db, taskId);
      if (!p) throw errors.TASK_NOT_FOUND({ taskId });
      return p;
    },
  );

  app.post(
    '/api/tasks/:taskId/cancel',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['tasks'],
        response: { 200: z.object({ cancelled: z.boolean(), task: S.task }), 409: S.errorResponse },
        summary: 'Cancel a running task',
        params: taskIdParams,
      },
    },
    async (req) => {
      const { taskId } = req.params as { taskId: string };
      const moved = await svc.cancel(taskId);
      const t = await requireTask(b, taskId);
      if (!moved) throw errors.TASK_NOT_RUNNING({ taskId, state: t.state });
      return { cancelled: true, task: taskView(t) };
    },
  );

  app.post(
    '/api/tasks/:taskId/rerun',
    {
      config: { role: 'operator' },
      schema: {
        tags: ['tasks'],
        response: { 201: S.task, 409: S.errorResponse },
        summary: "A new task re-running an earlier one's records from the step after afterStep",
        params: taskIdParams,
        body: z.object({ afterStep: stepNameSchema, steps: z.array(stepNameSchema).min(1).optional() }),
      },
    },
    async (req, reply) => {
      const { taskId } = req.params as { taskId: string };
      const body = req.body as {
        afterStep: z.infer<typeof stepNameSchema>;
        steps?: Array<z.infer<typeof stepNameSchema>>;
      };
      const task = await svc.rerun(taskId, body.afterStep, body.steps);
      return reply.status(201).send(taskView(task));
    },
  );

  app.post(
    '/api/depublish',
    {
      config: { role: 'admin' },
      schema: {
        tags: ['tasks'],
        response: { 201: S.task },
        summary: 'Depublish a dataset or some of its records, with a Metis reason',
        body: z.object({
          datasetId: datasetSchema.shape.id,
          datasetName: z.string().min(1).max(255).optional(),
          recordIds: z.array(z.string().min(1)).min(1).optional(),
          reason: depublicationReasonSchema,
        }),
      },
    },
    async (req, reply) => {
      const body = req.body as { datasetId: string; datasetName?: string; recordIds?: string[]; reason: string };
      const task = await svc.submit({
        dataset: { id: body.datasetId, name: body.datasetName ?? body.datasetId },
        source: { type: 'depublish', reason: body.reason, ...(body.recordIds && { recordIds: body.recordIds }) },
      });
      return reply.status(201).send(taskView(task));
    },
  );
}
