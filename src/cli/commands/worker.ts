/**
 * `metis-streams worker`: one member of the pipeline's consumer group on Kafka, writing results to
 * the PostgreSQL server, until SIGTERM or Ctrl-C. A runtime that fails (broker or database restart)
 * is replaced by the worker itself (`startWorker`); a worker that cannot go on (no runtime could be
 * started again within the retry budget) exits 70 at once, so that a supervisor restarts it.
 * SIGTERM stops it within STOP_DEADLINE_MS: the open transaction is committed, or, if the broker does
 * not answer in time, left for the broker to abort (the next worker with the same id fences it).
 */
import { connectPg } from '../../store/db.ts';
import { startWorker } from '../../pipeline/kafka-worker.ts';
import { createMetisPorts } from '../../pipeline/ports/create-metis-ports.ts';
import type { CommandContext } from '../command-context.ts';
import { checkEntities } from '../preflight.ts';
import { loggerFrom, metisConfigFrom } from '../processing.ts';
import { startHealthServer } from '../health-server.ts';
import { tuneWorkerHeap } from '../worker-heap.ts';

/** SIGTERM to exit within 10 s: 6 s to stop cleanly, then at most 2.5 s more until the forced exit. */
const STOP_DEADLINE_MS = 6_000;

export default async function worker({ config: c, sources, stderr }: CommandContext): Promise<number> {
  // Before the step threads start: they take the process-wide heap sizing too.
  tuneWorkerHeap();
  await checkEntities(c, sources);
  // Whatever happens below, the process ends soon after this command returns: an abandoned socket or
  // DNS lookup must not keep a stopped worker alive (a supervisor waits for the exit to restart it).
  // Until the worker stops cleanly, a forced exit is a failure (a throw below exits 1 like main's).
  let code = 1;
  const exitSoon = () => setTimeout(() => process.exit(code), 2_500).unref();
  const db = connectPg(c.pgUrl);
  try {
    const ports = await createMetisPorts(metisConfigFrom(c, db));
    try {
      const running = await startWorker({
        db,
        ports: ports.ports,
        brokers: c.kafkaBrokers,
        partitions: c.partitions,
        instanceId: c.instanceId,
        applicationId: c.applicationId,
        topicPrefix: c.topicPrefix,
        seedTopic: c.seedTopic,
        commitIntervalMs: c.commitIntervalMs,
        hostLimits: c.hostLimits,
        options: { retryBudgetMs: c.retryBudgetMs },
        logger: loggerFrom(c),
      });
      stderr.write(`metis-streams worker running (brokers ${c.kafkaBrokers}); SIGTERM or Ctrl-C stops it\n`);
      // Probes (deploy/k8s): /health while the process runs, /ready until it stops.
      const health = c.healthPort !== undefined ? await startHealthServer(c.healthPort) : undefined;
      running.done.then(
        () => health?.notReady('stopped'),
        () => health?.notReady('failed'),
      );
      process.once('SIGTERM', () => health?.notReady('stopping'));
      const failed = await new Promise<Error | undefined>((done) => {
        process.once('SIGTERM', () => done(undefined));
        process.once('SIGINT', () => done(undefined));
        running.done.then(
          () => done(undefined),
          (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
        );
      });
      if (failed) {
        stderr.write(`metis-streams worker stopped: ${failed.message}\n`);
        code = 70;
        exitSoon();
        void running.stop();
        return code;
      }
      const stopped = await Promise.race([
        running.stop().then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), STOP_DEADLINE_MS).unref()),
      ]);
      if (!stopped) {
        stderr.write(
          `metis-streams worker: not stopped cleanly within ${STOP_DEADLINE_MS} ms; exiting (the open transaction is aborted by the broker)\n`,
        );
        code = 70;
        exitSoon();
        return code;
      }
      code = 0;
      return code;
    } finally {
      exitSoon();
      await Promise.race([ports.close(), new Promise((r) => setTimeout(r, 1_000).unref())]);
    }
  } finally {
    await Promise.race([db.close(), new Promise((r) => setTimeout(r, 1_000).unref())]);
  }
}
