// The compiled pipeline worker for `npm run bench memory-worker -- --compiled=…` and `npm run bench soak
// -- --compiled=…`: the same as test/support/pipeline-worker.ts (environment, READY line, SIGTERM) on a
// `tsc -p tsconfig.build.json` build (METIS_DIST: its dist folder), with no TypeScript loader, as
// `metis-streams worker` runs. METIS_THREADS sets the step pool's size (the CLI's --threads). Like the
// worker command, it applies the worker's heap sizing (dist/cli/worker-heap.js, when the build has it)
// unless METIS_BENCH_V8_DEFAULTS=1; the image's environment (Dockerfile: MALLOC_ARENA_MAX,
// NODE_OPTIONS) is the benchmark's --env / --node-args.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';

const dist = process.env.METIS_DIST;
if (process.env.METIS_BENCH_V8_DEFAULTS !== '1' && existsSync(join(dist, 'cli/worker-heap.js')))
  (await import(join(dist, 'cli/worker-heap.js'))).tuneWorkerHeap();
const env = (k) => (process.env[k] ? process.env[k] : undefined);
const json = (k) => (env(k) ? JSON.parse(env(k)) : undefined);
const { connectPg } = await import(join(dist, 'store/db.js'));
const { startWorker } = await import(join(dist, 'pipeline/kafka-worker.js'));
const { createMetisPorts, defaultMetisConfig } = await import(join(dist, 'pipeline/ports/create-metis-ports.js'));
const workDir = env('METIS_WORK_DIR');
const db = connectPg(env('METIS_PG_URL'), { max: 8 });
const ports = await createMetisPorts(
  defaultMetisConfig({
    db,
    cacheDir: join(workDir, 'cache'),
    thumbnailDir: join(workDir, 'thumbs'),
    allowLoopback: true,
    schemaLocation: env('METIS_SCHEMAS'),
    ...(env('METIS_THREADS') !== undefined && { threads: Number(env('METIS_THREADS')) }),
  }),
);
const worker = await startWorker({
  db,
  ports: ports.ports,
  brokers: env('KAFKA_BROKERS') ?? '127.0.0.1:9092',
  applicationId: env('METIS_APP_ID'),
  topicPrefix: env('METIS_TOPIC_PREFIX'),
  partitions: Number(env('METIS_PARTITIONS') ?? 4),
  instanceId: env('METIS_INSTANCE_ID'),
  seedTopic: env('METIS_SEED_TOPIC'),
  hostLimits: json('METIS_HOST_LIMITS'),
  options: json('METIS_PIPELINE_OPTIONS'),
  commitIntervalMs: env('METIS_COMMIT_INTERVAL_MS') ? Number(env('METIS_COMMIT_INTERVAL_MS')) : undefined,
  logger: pino({ level: env('LOG_LEVEL') ?? 'warn' }),
});
process.stdout.write(`READY ${process.pid}\n`);
worker.done.catch((err) => {
  process.stderr.write(`worker runtime failed: ${err?.stack ?? String(err)}\n`);
  process.exit(70);
});
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await worker.stop();
  await ports.close();
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
