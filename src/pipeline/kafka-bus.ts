/**
 * Sends task commands to the pipeline's tasks topic on Kafka (used by the CLI and the API; workers
 * consume them). One idempotent producer per process, from the engine (the only place that talks to
 * Kafka); the native Kafka client is loaded when the bus connects, not when this module is imported.
 */
import { connectTopicProducer } from '../engine/index.ts';
import type { CommandBus } from './service.ts';
import type { TaskCommand } from '../model/index.ts';

export interface KafkaBus extends CommandBus {
  close(): Promise<void>;
}

export async function connectKafkaBus(brokers: string, tasksTopic: string): Promise<KafkaBus> {
  const producer = await connectTopicProducer({ brokers, clientId: 'metis-streams-commands' });
  return {
    async send(command: TaskCommand) {
      await producer.send([{ topic: tasksTopic, key: command.taskId, value: JSON.stringify(command) }]);
    },
    close: () => producer.close(),
  };
}
