/**
 * `metis-streams infra up|down|status`: the local services of Kafka mode (Kafka KRaft, Kafka Connect
 * with Debezium, PostgreSQL), started, stopped or listed by the project's scripts (`scripts/infra-up.sh`,
 * `infra-down.sh`, `infra-status.sh`: what each does is in the README's Infrastructure section). The
 * scripts need a checkout (they use `.infra/` beside it): a production install has no `scripts/`.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CommandContext } from '../command-context.ts';
import { UsageError } from '../config/usage-error.ts';

/** The script of each action, relative to the package's root (this file is src/cli/commands or dist/cli/commands). */
export const INFRA_SCRIPTS = {
  up: 'scripts/infra-up.sh',
  down: 'scripts/infra-down.sh',
  status: 'scripts/infra-status.sh',
} as const;

export default async function infra({ positionals, stdout, stderr }: CommandContext): Promise<number> {
  const action = positionals[0];
  if (!Object.hasOwn(INFRA_SCRIPTS, action))
    throw new UsageError(
      `expected up, down or status, got ${JSON.stringify(action)} (usage: metis-streams infra up|down|status)`,
    );
  const script = fileURLToPath(
    new URL(`../../../${INFRA_SCRIPTS[action as keyof typeof INFRA_SCRIPTS]}`, import.meta.url),
  );
  if (!existsSync(script)) {
    stderr.write(`metis-streams infra: ${script} is missing (the infra scripts come with a checkout of the project)\n`);
    return 1;
  }
  return new Promise<number>((resolve, reject) => {
    const child = spawn('bash', [script], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(stdout, { end: false });
    child.stderr.pipe(stderr, { end: false });
    child.once('error', reject);
    child.once('close', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}
