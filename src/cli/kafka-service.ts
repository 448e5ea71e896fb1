/**
 * The pipeline service of `submit` and `cancel`: the store on the PostgreSQL server, commands to the
 * workers through Kafka. Only these commands (and `worker`) load the Kafka client.
 */
import { connectPg } from '../store/db.ts';
import { PipelineStore } from '../store/pipeline-store.ts';
import { PipelineService } from '../pipeline/service.ts';
import { connectKafkaBus } from '../pipeline/kafka-bus.ts';
import { pipelineTopics } from '../pipeline/topics.ts';
import type { Config } from './config/settings.ts';

export async function withKafkaService<T>(c: Config, fn: (service: PipelineService) => Promise<T>): Promise<T> {
  const db = connectPg(c.pgUrl, { max: 2 });
  try {
    const store = new PipelineStore(db);
    await store.migrate();
    const bus = await connectKafkaBus(c.kafkaBrokers, pipelineTopics(c.topicPrefix).tasks);
    try {
      return await fn(new PipelineService(store, bus));
    } finally {
      await bus.close();
    }
  } finally {
    await db.close();
  }
}
