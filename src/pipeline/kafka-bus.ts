/**
 * Sends task commands to the pipeline's tasks topic on Kafka (used by the CLI and the API; workers
 * consume them). One idempotent producer per process.
 */
import { KafkaJS } from '@confluentinc/kafka-javascript';
import type { CommandBus } from './service.ts';
import type { TaskCommand } from '../model/index.ts';

export interface KafkaBus extends CommandBus {
  close(): Promise<void>;
}

export async function connectKafkaBus(brokers: string, tasksTopic: string): Promise<KafkaBus> {
  const kafka = new KafkaJS.Kafka({ kafkaJS: { brokers: brokers.split(','), logLevel: KafkaJS.logLevel.ERROR } });
  const producer = kafka.producer({ kafkaJS: { idempotent: true } });
  await producer.connect();
  let closed: Promise<void> | undefined;
  return {
    async send(command: TaskCommand) {
      await producer.send({ topic: tasksTopic, messages: [{ key: command.taskId, value: JSON.stringify(command) }] });
    },
    close() {
      closed ??= producer.disconnect();
      return closed;
    },
  };
}
