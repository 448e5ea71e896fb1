/** `metis-streams cancel TASK_ID`: marks a task cancelled and tells the Kafka pipeline's workers. */
import type { CommandContext } from '../command-context.ts';
import { withKafkaService } from '../kafka-service.ts';

export default async function cancel({ config: c, positionals, stdout }: CommandContext): Promise<number> {
  const taskId = positionals[0];
  const moved = await withKafkaService(c, (service) => service.cancel(taskId));
  stdout.write(moved ? `cancelled ${taskId}\n` : `task ${taskId} is not running (nothing to cancel)\n`);
  return moved ? 0 : 1;
}
