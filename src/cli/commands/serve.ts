/**
 * `metis-streams serve`: the operator HTTP API and dashboard (src/api) until SIGTERM or Ctrl-C.
 * Embedded mode (default): PGlite in --data-dir, tasks run in this process as with `run` (tasks a
 * previous server left running are marked failed at start: the in-process log died with it).
 * Kafka mode (--mode kafka): the PostgreSQL server at --pg-url, commands to the workers over the
 * tasks topic, the engine page from the broker.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connectPg, openPglite, type Db } from '../../store/db.ts';
import { openPublishedStore } from '../../store/published-store.ts';
import { PipelineStore } from '../../store/pipeline-store.ts';
import { listTasks } from '../../store/operator-queries.ts';
import { startEmbedded } from '../../pipeline/embedded.ts';
import { connectKafkaBus } from '../../pipeline/kafka-bus.ts';
import { PipelineService } from '../../pipeline/service.ts';
import { pipelineTopics } from '../../pipeline/topics.ts';
import { createMetisPorts } from '../../pipeline/ports/create-metis-ports.ts';
import { describeKafka } from '../../engine/index.ts';
import { STEP_ORDER } from '../../model/index.ts';
import { buildApiServer } from '../../api/server.ts';
import { parseApiTokens, type TokenTable } from '../../api/auth.ts';
import type { ApiBackend } from '../../api/backend.ts';
import type { CommandContext } from '../command-context.ts';
import { UsageError } from '../config/usage-error.ts';
import type { Config } from '../config/settings.ts';
import { checkEntities } from '../preflight.ts';
import { loggerFrom, metisConfigFrom } from '../processing.ts';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

function version(): string {
  try {
    return JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version;
  } catch {
    return 'unknown';
  }
}

/** Closes what was opened, last first. */
type Closer = () => Promise<void>;

async function embeddedBackend(c: Config, closers: Closer[]): Promise<ApiBackend> {
  mkdirSync(c.dataDir, { recursive: true });
  const dir = resolve(c.dataDir, 'pglite');
  // PGlite serves one process: a second opener could corrupt the database.
  if (existsSync(join(dir, 'postmaster.pid')))
    throw new UsageError(
      `--data-dir ${c.dataDir}: the embedded database is open in another process (a run or serve still running?); ` +
        `if none is, one stopped without closing it: remove ${join(dir, 'postmaster.pid')}`,
    );
  const db = await openPglite(dir);
  closers.push(() => db.close());
  const metis = metisConfigFrom(c, db);
  const ports = await createMetisPorts(metis);
  closers.push(() => ports.close());
  const pipeline = await startEmbedded({ db, ports: ports.ports, hostLimits: c.hostLimits, logger: loggerFrom(c) });
  closers.push(() => pipeline.stop());
  await failOrphans(pipeline.store);
  const published = await openPublishedStore(db);
  const topics = pipelineTopics('metis');
  return {
    mode: 'embedded',
    db,
    service: pipeline.service,
    published,
    thumbnailDir: metis.thumbnailDir,
    uploadDir: resolve(c.dataDir, 'uploads'),
    async engine() {
      return {
        mode: 'embedded',
        topics: topics.all(STEP_ORDER).map((name) => ({ name, partitions: name === topics.outcomes ? 1 : 4 })),
        groups: [],
        workers: 1,
      };
    },
  };
}

/** Tasks an earlier embedded server left live cannot go on (their records were in its memory). */
async function failOrphans(store: PipelineStore): Promise<void> {
  const live = await listTasks(store.db, { states: ['queued', 'harvesting', 'processing'], limit: 500 });
  for (const t of live.items)
    await store.transition(t.taskId, 'failed', 'The embedded server stopped while the task ran; re-run it');
}

async function kafkaBackend(c: Config, closers: Closer[]): Promise<ApiBackend> {
  const db: Db = connectPg(c.pgUrl, { max: 5 });
  closers.push(() => db.close());
  const store = new PipelineStore(db);
  await store.migrate();
  const published = await openPublishedStore(db);
  const topics = pipelineTopics(c.topicPrefix);
  const bus = await connectKafkaBus(c.kafkaBrokers, topics.tasks);
  closers.push(() => bus.close());
  const describe = (groupIds: string[]) =>
    describeKafka(c.kafkaBrokers, { topicPrefixes: [`${c.topicPrefix}.`, `${c.applicationId}-`], groupIds });
  return {
    mode: 'kafka',
    db,
    service: new PipelineService(store, bus),
    published,
    thumbnailDir: c.thumbnailDir ?? resolve(c.dataDir, 'thumbnails'),
    uploadDir: resolve(c.dataDir, 'uploads'),
    async engine() {
      const k = await describe([c.applicationId]);
      return {
        mode: 'kafka',
        topics: k.topics,
        groups: k.groups,
        workers: k.groups.reduce((n, g) => n + g.members.length, 0),
      };
    },
    async checks() {
      await describe([]);
      return { kafka: 'ok' };
    },
  };
}

export default async function serve({ config: c, sources, stdout, stderr }: CommandContext): Promise<number> {
  let tokens: TokenTable;
  try {
    tokens = parseApiTokens(c.apiTokens);
  } catch (err) {
    throw new UsageError(`--api-tokens (METIS_API_TOKENS): ${(err as Error).message}`);
  }
  if (tokens.size === 0 && !LOOPBACK.test(c.host))
    throw new UsageError(
      `--host ${c.host}: without --api-tokens the API is open to anyone, so it listens on loopback only (give tokens, or --host 127.0.0.1)`,
    );
  if (c.serveMode === 'embedded') await checkEntities(c, sources);
  const closers: Closer[] = [];
  const closeAll = async () => {
    for (const close of closers.reverse()) await close().catch(() => {});
  };
  try {
    const backend = c.serveMode === 'kafka' ? await kafkaBackend(c, closers) : await embeddedBackend(c, closers);
    const app = await buildApiServer(backend, {
      tokens,
      publicReads: c.publicReads,
      uploadLimitBytes: c.uploadLimitBytes,
      version: version(),
      logger: loggerFrom(c),
    });
    closers.push(() => app.close());
    const address = await app.listen({ host: c.host, port: c.port });
    stdout.write(`metis-streams API (${backend.mode}) listening on ${address}: docs ${address}/docs, dashboard ${address}/ui/\n`);
    if (tokens.size === 0) stderr.write('no --api-tokens: every caller may do everything (loopback only)\n');
    await new Promise<void>((done) => {
      process.once('SIGTERM', done);
      process.once('SIGINT', done);
    });
    return 0;
  } finally {
    await closeAll();
  }
}
