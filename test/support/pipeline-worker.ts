/**
 * A pipeline worker process for the Kafka integration tests and the pipeline benchmark: `startWorker`
 * with the real Metis ports, configured from the environment (so a test can spawn, SIGKILL and
 * restart it). Prints `READY <pid>` on stdout once the runtime has started; SIGTERM stops it cleanly.
 *
 *   METIS_PG_URL, KAFKA_BROKERS, METIS_APP_ID, METIS_TOPIC_PREFIX, METIS_INSTANCE_ID,
 *   METIS_PARTITIONS (default 4), METIS_WORK_DIR (cache + thumbnails), METIS_SEED_TOPIC,
 *   METIS_HOST_LIMITS (JSON HostLimits), METIS_PIPELINE_OPTIONS (JSON Partial<PipelineOptions>),
 *   METIS_COMMIT_INTERVAL_MS, METIS_SCHEMAS, LOG_LEVEL (the CLI's variables; the pipeline itself reads none),
 *   METIS_COUNTS_FILE (on a clean stop, the runtime's per-processor record counts are written there as
 *   JSON: how much of each stage this worker did, for the benchmark's scale-out check; `{instance}` in
 *   the path becomes METIS_INSTANCE_ID, so one variable serves several workers)
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pino } from 'pino';
import { connectPg } from '../../src/store/db.ts';
import { startWorker } from '../../src/pipeline/kafka-worker.ts';
import { createMetisPorts, defaultMetisConfig } from '../../src/pipeline/ports/create-metis-ports.ts';

const env = (k: string): string | undefined => (process.env[k] && process.env[k] !== '' ? process.env[k] : undefined);
const json = <T>(k: string): T | undefined => (env(k) ? (JSON.parse(env(k)!) as T) : undefined);

const pgUrl = env('METIS_PG_URL');
const workDir = env('METIS_WORK_DIR');
if (!pgUrl || !workDir) throw new Error('pipeline-worker needs METIS_PG_URL and METIS_WORK_DIR');

const db = connectPg(pgUrl, { max: 8 });
const ports = await createMetisPorts(
  defaultMetisConfig({ db, cacheDir: join(workDir, 'cache'), thumbnailDir: join(workDir, 'thumbs'), allowLoopback: true, schemaLocation: env('METIS_SCHEMAS') }),
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
// A worker that cannot go on (its runtime failed and no new one started within the budget) is dead:
// exit so the supervisor (the test) sees it. A runtime that failed once is replaced by the worker itself.
worker.done.catch((err: unknown) => {
  process.stderr.write(`worker runtime failed: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(70);
});
// The parent (test or benchmark) holds our stdin: when it goes away, so do we.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await worker.stop();
  const countsFile = env('METIS_COUNTS_FILE');
  if (countsFile) writeFileSync(countsFile.replaceAll('{instance}', env('METIS_INSTANCE_ID') ?? String(process.pid)), JSON.stringify({ restarts: worker.restarts, processors: worker.runtime.metrics().processors }));
  await ports.close();
  await db.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => void stop());
