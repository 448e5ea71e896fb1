/** `metis-streams submit`: stores a task and sends its start command to the Kafka pipeline; prints its id. */
import type { CommandContext } from '../command-context.ts';
import { withKafkaService } from '../kafka-service.ts';
import { taskSpecFromConfig } from '../task-spec.ts';

export default async function submit({ config: c, stdout }: CommandContext): Promise<number> {
  const spec = taskSpecFromConfig(c, 'submit');
  const task = await withKafkaService(c, (service) => service.submit(spec));
  stdout.write(`${task.taskId}\n`);
  return 0;
}
