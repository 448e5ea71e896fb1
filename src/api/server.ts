/**
 * The operator HTTP API (Fastify): routes over one `ApiBackend`, the OpenAPI 3 document at
 * `/openapi.json` with rendered docs at `/docs` (Swagger UI served from node_modules, no CDN),
 * token roles on everything under `/api` and `/metrics`, Prometheus metrics, and the dashboard.
 * docs/API.md is the contract in words.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import multipart from '@fastify/multipart';
import { errors } from '../errors/index.ts';
import { bearerToken, roleAllows, type Role } from './auth.ts';
import type { ApiBackend, ApiOptions, GrantedRole } from './backend.ts';
import { handleError } from './http-errors.ts';
import { errorResponse } from './schemas.ts';
import { registerMetrics } from './metrics.ts';
import { zodToOpenApi, zodValidatorCompiler } from './validation.ts';
import { engineRoutes } from './routes/engine.ts';
import { recordRoutes } from './routes/records.ts';
import { reportRoutes } from './routes/reports.ts';
import { sandboxRoutes } from './routes/sandbox.ts';
import { taskRoutes } from './routes/tasks.ts';
import { eventRoutes } from './routes/events.ts';
import { registerDashboard } from './dashboard.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role the route needs (default: viewer under /api and /metrics, none elsewhere). */
    role?: Role;
    /** Open to everyone, whatever the path. */
    public?: boolean;
  }
  interface FastifyRequest {
    role: GrantedRole;
  }
}

/** Paths whose reads need the viewer role unless reads are public. */
const guarded = (url: string) => url.startsWith('/api/') || url === '/metrics' || url.startsWith('/metrics?');

export async function buildApiServer(backend: ApiBackend, opts: ApiOptions): Promise<FastifyInstance> {
  const app = Fastify({
    ...(opts.logger ? { loggerInstance: opts.logger } : { logger: false }),
    bodyLimit: opts.uploadLimitBytes,
    // Record ids may be long; Fastify's default of 100 characters per parameter is too short.
    routerOptions: { maxParamLength: 2000 },
  });
  app.setValidatorCompiler(zodValidatorCompiler);
  // Response schemas document the answers (OpenAPI); they do not filter them.
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  // Every /api route documents the error body for the statuses any of them can answer.
  app.addHook('onRoute', (route) => {
    if (!route.url.startsWith('/api/') || !route.schema) return;
    const response = { ...((route.schema.response as Record<string, unknown> | undefined) ?? {}) };
    for (const code of ['400', '401', '403', '404']) response[code] ??= errorResponse;
    route.schema = { ...route.schema, response };
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((req, reply) => {
    const e = errors.API_NOT_FOUND({ method: req.method, url: req.url.split('?')[0] });
    void reply.status(404).send({ error: { code: e.code, message: e.message } });
  });
  app.decorateRequest('role', 'public');

  app.addHook('onRequest', async (req, reply) => {
    const cfg = req.routeOptions.config ?? {};
    if (cfg.public) return;
    const needs: Role | undefined = cfg.role ?? (guarded(req.url) ? 'viewer' : undefined);
    if (!needs) return;
    if (opts.tokens.size === 0) {
      req.role = 'admin';
      return;
    }
    // Browsers' EventSource and <img> cannot send headers: GET requests may carry ?access_token=.
    const token =
      bearerToken(req.headers.authorization) ??
      (req.method === 'GET' ? new URL(req.url, 'http://x').searchParams.get('access_token') || undefined : undefined);
    const role = token ? opts.tokens.roleOf(token) : undefined;
    if (!role) {
      if (needs === 'viewer' && opts.publicReads && req.method === 'GET') return;
      void reply.header('WWW-Authenticate', 'Bearer realm="metis-streams"');
      throw errors.API_UNAUTHORIZED({
        detail: token
          ? 'Unknown API token'
          : `This needs an API token of role ${needs} or above: send Authorization: Bearer <token>`,
      });
    }
    if (!roleAllows(role, needs)) throw errors.API_FORBIDDEN({ role: needs, has: role });
    req.role = role;
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'Metis Streams operator API',
        version: opts.version,
        description:
          'Tasks, progress, error reports, tiers, records after every step, the published index and the engine. Roles: viewer (reads), operator (create, cancel, re-run), admin (depublish). Send `Authorization: Bearer <token>`.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: ({ schema, url }) => ({ schema: zodToOpenApi(schema) as never, url }),
  });
  await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { deepLinking: false } });
  await app.register(multipart, {
    limits: { fileSize: opts.uploadLimitBytes, files: 3, fields: 5, fieldSize: opts.uploadLimitBytes },
  });

  app.get('/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
  app.get(
    '/health',
    { config: { public: true }, schema: { tags: ['health'], summary: 'The process answers' } },
    async () => ({
      status: 'ok',
    }),
  );
  app.get(
    '/ready',
    { config: { public: true }, schema: { tags: ['health'], summary: 'The database (and Kafka) answer' } },
    async (_req, reply) => {
      const checks: Record<string, string> = {};
      try {
        await backend.db.query('SELECT 1');
        checks.database = 'ok';
      } catch (err) {
        checks.database = (err as Error).message;
      }
      if (backend.checks) Object.assign(checks, await backend.checks().catch((err: Error) => ({ kafka: err.message })));
      const ready = Object.values(checks).every((v) => v === 'ok');
      return reply.status(ready ? 200 : 503).send({ ready, checks });
    },
  );

  registerMetrics(app, backend);
  await app.register(async (api) => {
    taskRoutes(api, backend);
    eventRoutes(api, backend);
    reportRoutes(api, backend);
    recordRoutes(api, backend);
    sandboxRoutes(api, backend);
    engineRoutes(api, backend, opts);
  });

  // The dashboard (built web assets) registers here: src/api/dashboard.ts (owned by the UI work).
  // --- dashboard registration ---
  registerDashboard(app);

  return app;
}
