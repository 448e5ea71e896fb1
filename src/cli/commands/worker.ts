/**
 * `metis-streams worker`: one member of the pipeline's consumer group on Kafka, writing results to
 * the PostgreSQL server, until SIGTERM or Ctrl-C. A runtime that fails (fenced by a newer instance, a
 * fatal client error) is a dead worker: it exits 70 so that a supervisor restarts it.
 */
import { connectPg } from '../../store/db.ts';
import { startWorker } from '../../pipeline/kafka-worker.ts';
import { createMetisPorts } from '../../pipeline/ports/create-metis-ports.ts';
import type { CommandContext } from '../command-context.ts';
import { checkEntities } from '../preflight.ts';
import { loggerFrom, metisConfigFrom } from '../processing.ts';

export default async function worker({ config: c, sources, stderr }: CommandContext): Promise<number> {
  await checkEntities(c, sources);
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
        logger: loggerFrom(c),
      });
      stderr.write(`metis-streams worker running (brokers ${c.kafkaBrokers}); SIGTERM or Ctrl-C stops it\n`);
      const failed = await new Promise<Error | undefined>((done) => {
        process.once('SIGTERM', () => done(undefined));
        process.once('SIGINT', () => done(undefined));
        running.runtime.done.then(
          () => done(undefined),
          (err: unknown) => done(err instanceof Error ? err : new Error(String(err))),
        );
      });
      await running.stop();
      if (failed) stderr.write(`metis-streams worker stopped: ${failed.message}\n`);
      return failed ? 70 : 0;
    } finally {
      await ports.close();
    }
  } finally {
    await db.close();
  }
}
