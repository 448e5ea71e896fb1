/** Kafka topic housekeeping shared by the benchmarks that start pipeline workers. */
import { KafkaJS } from '@confluentinc/kafka-javascript';

/** Deletes a run's topics: every topic whose name starts with `name` (its prefix and application id). */
export async function deleteRunTopics(brokers: string, name: string): Promise<void> {
  const admin = new KafkaJS.Kafka({ kafkaJS: { brokers: brokers.split(','), logLevel: KafkaJS.logLevel.NOTHING } }).admin();
  await admin.connect();
  try {
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(name));
    if (topics.length) await admin.deleteTopics({ topics, timeout: 60_000 });
  } finally {
    await admin.disconnect();
  }
}
