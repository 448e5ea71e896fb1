/**
 * Prometheus metrics at `/metrics` (prom-client, one registry per server). Pipeline figures are
 * read from the database at each scrape, so every server over one database reports the same
 * numbers whichever runtime did the work:
 * - `metis_records_total{step,status}`: records per step and status, all tasks;
 * - `metis_tasks{state}`: tasks per state;
 * - `metis_step_record_seconds{step}` histogram: per task that finished since the last scrape, a
 *   step's active time divided by its records;
 * - `metis_consumer_group_lag{group,topic}` (Kafka mode);
 * - `http_requests_total{method,route,status}`, `http_request_duration_seconds{method,route}`;
 * - Node.js process metrics.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { FastifyInstance } from 'fastify';
import * as SQL from '../store/sql/operator-queries.sql.ts';
import type { ApiBackend, EngineView } from './backend.ts';

export function registerMetrics(app: FastifyInstance, b: ApiBackend): Registry {
  const register = new Registry();
  collectDefaultMetrics({ register });

  new Counter({
    name: 'metis_records_total',
    help: 'Records per step and status over all tasks',
    labelNames: ['step', 'status'],
    registers: [register],
    async collect() {
      const r = await b.db.query<Record<string, string>>(SQL.recordsPerStepStatus);
      this.reset();
      for (const row of r.rows)
        for (const status of ['success', 'warn', 'fail', 'cancelled'])
          this.inc({ step: row.step, status }, Number(row[status]));
    },
  });

  new Gauge({
    name: 'metis_tasks',
    help: 'Tasks per state',
    labelNames: ['state'],
    registers: [register],
    async collect() {
      const r = await b.db.query<{ state: string; n: number }>(SQL.tasksPerState);
      this.reset();
      for (const row of r.rows) this.set({ state: row.state }, row.n);
    },
  });

  let seenUntil = new Date(0);
  new Histogram({
    name: 'metis_step_record_seconds',
    help: "Per finished task, a step's active time (first to last commit) divided by its records",
    labelNames: ['step'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [register],
    async collect() {
      const r = await b.db.query<{ step: string; records: number; seconds: number; finished_at: Date }>(
        SQL.finishedStepTimes,
        [seenUntil],
      );
      for (const row of r.rows) {
        if (row.records > 0) this.observe({ step: row.step }, Math.max(row.seconds, 0) / row.records);
        if (new Date(row.finished_at) > seenUntil) seenUntil = new Date(row.finished_at);
      }
    },
  });

  if (b.mode === 'kafka') {
    let cached: { at: number; view: Promise<EngineView> } | undefined;
    new Gauge({
      name: 'metis_consumer_group_lag',
      help: 'Records not yet consumed by the workers, per consumer group and topic',
      labelNames: ['group', 'topic'],
      registers: [register],
      async collect() {
        if (!cached || Date.now() - cached.at > 5000) cached = { at: Date.now(), view: b.engine() };
        const view = await cached.view.catch(() => undefined);
        this.reset();
        for (const g of view?.groups ?? [])
          for (const [topic, lag] of Object.entries(g.lagByTopic)) this.set({ group: g.groupId, topic }, lag);
      },
    });
  }

  const requests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [register],
  });
  const duration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by method and route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [register],
  });
  app.addHook('onResponse', async (req, reply) => {
    const route = req.routeOptions.url ?? 'unmatched';
    requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    duration.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  app.get('/metrics', { schema: { tags: ['health'], summary: 'Prometheus metrics' } }, async (_req, reply) =>
    reply.header('content-type', register.contentType).send(await register.metrics()),
  );
  return register;
}
