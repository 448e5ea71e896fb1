/** `metis-streams intake`: registers the Debezium connector for the seed's record_execution table. */
import { registerSeedConnector } from '../../pipeline/seed-intake.ts';
import type { CommandContext } from '../command-context.ts';

export default async function intake({ config: c, stdout }: CommandContext): Promise<number> {
  const name = await registerSeedConnector({ connectUrl: c.kafkaConnectUrl, pgUrl: c.pgUrl });
  stdout.write(`Debezium connector ${name} registered\n`);
  return 0;
}
