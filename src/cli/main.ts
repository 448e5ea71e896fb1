/**
 * The `metis-streams` command: reads and validates the settings of the command asked for (flags,
 * environment, config file: src/cli/config), then loads that command's module and runs it. It is
 * the only place that reads `process.env`. Start-up loads only this folder's table and config
 * modules (node and zod): each command's module, and what it needs (PGlite, the Kafka client, the
 * steps), loads when that command runs.
 *
 * Exit codes: 0 done; 1 the work failed (a failed task, an unknown task, a service that is down);
 * 2 a usage error (a bad flag, variable or config file value: named in a one-line message).
 */
import { COMMANDS } from './command-table.ts';
import type { CommandContext } from './command-context.ts';
import { renderCommandHelp, renderCommands, renderHelp } from './config/help.ts';
import { loadConfig } from './config/load.ts';
import { COMMAND_NAMES, type CommandName } from './config/settings.ts';
import { USAGE_EXIT_CODE, UsageError } from './config/usage-error.ts';

export interface MainIo {
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  stdout: CommandContext['stdout'];
  stderr: CommandContext['stderr'];
}

const isCommand = (name: string | undefined): name is CommandName =>
  (COMMAND_NAMES as readonly (string | undefined)[]).includes(name);

export async function main(argv: readonly string[], io: MainIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined) {
    io.stderr.write(`metis-streams: give a command\n\n${renderCommands()}`);
    return USAGE_EXIT_CODE;
  }
  if (first === 'help' || first === '--help' || first === '-h') {
    if (rest[0] === undefined) io.stdout.write(renderHelp());
    else if (isCommand(rest[0])) io.stdout.write(renderCommandHelp(rest[0]));
    else return usage(io, `help: unknown command "${rest[0]}" (commands: ${COMMAND_NAMES.join(', ')})`);
    return 0;
  }
  if (!isCommand(first))
    return usage(io, `unknown command "${first}" (commands: ${COMMAND_NAMES.join(', ')}; see metis-streams help)`);
  const command = COMMANDS[first];
  try {
    const loaded = loadConfig({ command: first, args: rest, env: io.env, cwd: io.cwd });
    if (loaded.help) {
      io.stdout.write(renderCommandHelp(first));
      return 0;
    }
    const missing = command.positionals.slice(loaded.positionals.length);
    if (missing.length > 0) throw new UsageError(`give ${missing.join(' ')} (usage: metis-streams ${command.usage})`);
    const extra = loaded.positionals.slice(command.positionals.length + (command.optionalPositionals?.length ?? 0));
    if (extra.length > 0)
      throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])} (usage: metis-streams ${command.usage})`);
    const { default: run } = await command.load();
    return await run({ ...loaded, stdout: io.stdout, stderr: io.stderr });
  } catch (err) {
    if (err instanceof UsageError) return usage(io, `${first}: ${err.message}`);
    io.stderr.write(`metis-streams ${first}: ${describe(err)}\n`);
    return 1;
  }
}

function usage(io: MainIo, message: string): number {
  io.stderr.write(`metis-streams ${message}\n`);
  return USAGE_EXIT_CODE;
}

/** An error's message and its causes' (no stack: these are for operators, not for debugging). */
function describe(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err; e !== undefined && parts.length < 4; e = e instanceof Error ? e.cause : undefined) {
    // A refused connection to a name with several addresses is an AggregateError without a message.
    const text =
      e instanceof AggregateError && !e.message
        ? e.errors.map((x) => (x instanceof Error ? x.message : String(x))).join('; ')
        : e instanceof Error
          ? e.message
          : String(e);
    if (text && !parts.some((p) => p.includes(text))) parts.push(text);
  }
  return parts.join(': ') || 'failed';
}

main(process.argv.slice(2), {
  env: process.env,
  cwd: process.cwd(),
  stdout: process.stdout,
  stderr: process.stderr,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`metis-streams: ${describe(err)}\n`);
    process.exitCode = 1;
  },
);
