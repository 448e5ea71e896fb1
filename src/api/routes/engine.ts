/** Server info, the engine (topics, consumer groups, lag, workers) and search over published records. */
import { z } from 'zod';
import type { FastifyInstance } from 'fastify';
import { STEP_NAMES, STEP_ORDER } from '../../model/index.ts';
import { DEPUBLICATION_REASONS } from '../../steps/depublish/reasons.ts';
import type { FacetField } from '../../store/published-store.ts';
import type { ApiBackend, ApiOptions } from '../backend.ts';
import { commaList } from '../validation.ts';

const SCALAR_FACETS = [
  'mediaType',
  'dataProvider',
  'provider',
  'country',
  'language',
  'rights',
  'hasThumbnail',
  'contentTier',
  'metadataTier',
  'datasetId',
] as const;
const FACETS = [...SCALAR_FACETS, 'type', 'subject', 'creator'] as const;

export function engineRoutes(app: FastifyInstance, b: ApiBackend, opts: ApiOptions): void {
  app.get(
    '/api/info',
    { schema: { tags: ['engine'], summary: 'The server: mode, version, auth, steps' } },
    async (req) => ({
      mode: b.mode,
      version: opts.version,
      auth: { enabled: opts.tokens.size > 0, publicReads: opts.publicReads },
      role: req.role,
      steps: STEP_NAMES,
      stepOrder: STEP_ORDER,
      depublicationReasons: Object.entries(DEPUBLICATION_REASONS).map(([code, r]) => ({ code, title: r.title })),
      uploadLimitBytes: opts.uploadLimitBytes,
    }),
  );

  app.get(
    '/api/engine',
    { schema: { tags: ['engine'], summary: 'Topics, partitions, consumer groups with lag, workers' } },
    async () => b.engine(),
  );

  const filterFields = Object.fromEntries(FACETS.map((f) => [f, commaList(z.string().min(1)).optional()]));
  app.get(
    '/api/published',
    {
      schema: {
        tags: ['published'],
        summary: 'Search published (or preview) records with facets',
        querystring: z.object({
          q: z.string().optional(),
          lang: z.string().min(2).max(8).optional(),
          target: z.enum(['publish', 'preview']).default('publish'),
          facets: commaList(z.enum(FACETS)).optional(),
          limit: z.coerce.number().int().min(0).max(500).default(20),
          offset: z.coerce.number().int().min(0).default(0),
          ...filterFields,
        }),
      },
    },
    async (req) => {
      const q = req.query as Record<string, unknown> & { target: 'publish' | 'preview'; limit: number; offset: number };
      const filters: Partial<Record<FacetField, string[]>> = {};
      for (const f of FACETS) if (Array.isArray(q[f])) filters[f] = q[f] as string[];
      return b.published.search(q.target, {
        text: q.q as string | undefined,
        lang: q.lang as string | undefined,
        filters,
        facets: (q.facets as FacetField[] | undefined) ?? [...SCALAR_FACETS],
        limit: q.limit,
        offset: q.offset,
      });
    },
  );
}
