/**
 * The Kafka-mode commands: a pipeline worker, task submission, status, cancellation, and the
 * registration of the seed's Debezium intake connector. They use the PostgreSQL server at
 * METIS_PG_URL and the broker at KAFKA_BROKERS.
 */
import { resolve } from 'node:path';
import { connectPg, DEFAULT_PG_URL } from '../store/db.ts';
import { PipelineStore } from '../store/pipeline-store.ts';
import { PipelineService } from '../pipeline/service.ts';
import { connectKafkaBus } from '../pipeline/kafka-bus.ts';
import { startWorker } from '../pipeline/kafka-worker.ts';
import { createMetisPorts, defaultMetisConfig } from '../pipeline/ports/create-metis-ports.ts';
import { pipelineTopics } from '../pipeline/topics.ts';
import { registerSeedConnector } from '../pipeline/seed-intake.ts';
import { stepNameSchema, type TaskSpecInput } from '../model/index.ts';
import { renderSummary } from './progress.ts';
import type { CliValues } from './main.ts';

const brokers = () => process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const pgUrl = () => process.env.METIS_PG_URL ?? DEFAULT_PG_URL;

export async function workerCommand(v: CliValues): Promise<number> {
  const db = connectPg(pgUrl());
  const ports = await createMetisPorts(
    defaultMetisConfig({
      db,
      cacheDir: resolve('.metis-data/cache'),
      schemaLocation: process.env.METIS_SCHEMAS,
      thumbnailDir: resolve(process.env.METIS_THUMBNAILS ?? '.metis-data/thumbnails'),
      allowLoopback: process.env.METIS_ALLOW_LOOPBACK === '1',
    }),
  );
  const worker = await startWorker({
    db,
    ports: ports.ports,
    brokers: brokers(),
    partitions: typeof v.partitions === 'string' ? Number(v.partitions) : undefined,
    instanceId: typeof v.id === 'string' ? v.id : undefined,
    applicationId: process.env.METIS_APP_ID,
    topicPrefix: process.env.METIS_TOPIC_PREFIX,
    seedTopic: process.env.METIS_SEED_TOPIC,
    // Per-host politeness budget shared by all workers, e.g. {"maxConcurrent":8,"ratePerSecond":20}.
    hostLimits: process.env.METIS_HOST_LIMITS ? JSON.parse(process.env.METIS_HOST_LIMITS) : undefined,
  });
  process.stderr.write(`metis-streams worker running (brokers ${brokers()}); SIGTERM or Ctrl-C stops it\n`);
  // A runtime that failed (fenced by a newer instance, a fatal client error) is a dead worker: exit
  // non-zero so a supervisor restarts it, rather than idling.
  const failed = await new Promise<Error | undefined>((done) => {
    process.once('SIGTERM', () => done(undefined));
    process.once('SIGINT', () => done(undefined));
    worker.runtime.done.then(() => done(undefined), (err: unknown) => done(err instanceof Error ? err : new Error(String(err))));
  });
  await worker.stop();
  await ports.close();
  await db.close();
  if (failed) process.stderr.write(`metis-streams worker stopped: ${failed.message}\n`);
  return failed ? 70 : 0;
}

async function withService<T>(fn: (service: PipelineService) => Promise<T>): Promise<T> {
  const db = connectPg(pgUrl());
  const store = new PipelineStore(db);
  await store.migrate();
  const bus = await connectKafkaBus(brokers(), pipelineTopics(process.env.METIS_TOPIC_PREFIX).tasks);
  try {
    return await fn(new PipelineService(store, bus));
  } finally {
    await bus.close();
    await db.close();
  }
}

export async function submitCommand(v: CliValues): Promise<number> {
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  const source: TaskSpecInput['source'] | undefined = str('oai')
    ? { type: 'oai', url: str('oai')!, metadataPrefix: str('prefix') ?? 'edm', set: str('set') }
    : str('archive')
      ? { type: 'archive', url: str('archive')! }
      : undefined;
  if (!source) {
    process.stderr.write('submit: give --oai URL or --archive URL\n');
    return 1;
  }
  return withService(async (service) => {
    const task = await service.submit({
      dataset: { id: str('dataset-id') ?? 'dataset', name: str('dataset-name') ?? 'Dataset', country: str('country') ?? 'Europe', language: str('language') ?? 'mul' },
      source,
      steps: str('steps') ? str('steps')!.split(',').map((s) => stepNameSchema.parse(s.trim())) : undefined,
      limits: str('limit') ? { recordLimit: Number(str('limit')) } : {},
    });
    process.stdout.write(`${task.taskId}\n`);
    return 0;
  });
}

export async function statusCommand(taskId: string | undefined): Promise<number> {
  if (!taskId) {
    process.stderr.write('status: give a task id\n');
    return 1;
  }
  const db = connectPg(pgUrl());
  try {
    const store = new PipelineStore(db);
    const service = new PipelineService(store, { send: async () => {} });
    const s = await service.status(taskId);
    if (!s) {
      process.stderr.write(`no task ${taskId}\n`);
      return 1;
    }
    process.stdout.write(renderSummary(s, `PostgreSQL ${pgUrl().replace(/\/\/[^@]*@/, '//')}`) + '\n');
    return 0;
  } finally {
    await db.close();
  }
}

export async function cancelCommand(taskId: string | undefined): Promise<number> {
  if (!taskId) {
    process.stderr.write('cancel: give a task id\n');
    return 1;
  }
  return withService(async (service) => {
    const moved = await service.cancel(taskId);
    process.stdout.write(moved ? `cancelled ${taskId}\n` : `task ${taskId} is not running (nothing to cancel)\n`);
    return moved ? 0 : 1;
  });
}

export async function intakeCommand(): Promise<number> {
  const name = await registerSeedConnector({ connectUrl: process.env.KAFKA_CONNECT_URL ?? 'http://127.0.0.1:8083', pgUrl: pgUrl() });
  process.stdout.write(`Debezium connector ${name} registered\n`);
  return 0;
}
