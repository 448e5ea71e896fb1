/**
 * The command table of `metis-streams`: what `help` says about each, the arguments it takes, and its
 * module, loaded only when the command runs (so `help` and a usage error load almost nothing, and
 * only the Kafka commands load the Kafka client).
 */
import type { Command } from './command-context.ts';
import type { CommandName } from './config/settings.ts';

export interface CommandSpec {
  summary: string;
  /** The command line, without the settings list. */
  usage: string;
  /** Names of the positional arguments it requires. */
  positionals: readonly string[];
  load(): Promise<{ default: Command }>;
}

export const COMMANDS: Record<CommandName, CommandSpec> = {
  run: {
    summary: 'process a dataset end to end in this process (embedded: no Kafka, no server; PGlite in --data-dir)',
    usage: 'run (--demo [--records N] | --oai URL [--set S] [--prefix P] | --archive PATH|URL) [options]',
    positionals: [],
    load: () => import('./commands/run.ts'),
  },
  serve: {
    summary: 'the operator HTTP API and dashboard (embedded: tasks run in this process on --data-dir; --mode kafka: PostgreSQL and the Kafka workers)',
    usage: 'serve [--mode embedded|kafka] [--host H] [--port N] [--api-tokens ROLE:TOKEN,...] [options]',
    positionals: [],
    load: () => import('./commands/serve.ts'),
  },
  worker: {
    summary: 'join the Kafka consumer group as a pipeline worker (PostgreSQL server at --pg-url)',
    usage: 'worker [options]',
    positionals: [],
    load: () => import('./commands/worker.ts'),
  },
  submit: {
    summary: 'submit a task to the Kafka pipeline; prints its id',
    usage: 'submit (--oai URL [--set S] [--prefix P] | --archive PATH|URL) [options]',
    positionals: [],
    load: () => import('./commands/submit.ts'),
  },
  status: {
    summary:
      "a task's progress, errors and tiers, read from PostgreSQL (or, with --data-dir, from run's embedded database)",
    usage: 'status TASK_ID [options]',
    positionals: ['TASK_ID'],
    load: () => import('./commands/status.ts'),
  },
  cancel: {
    summary: 'cancel a task running on the Kafka pipeline',
    usage: 'cancel TASK_ID [options]',
    positionals: ['TASK_ID'],
    load: () => import('./commands/cancel.ts'),
  },
  intake: {
    summary: "register the Debezium connector for the seed's record_execution table",
    usage: 'intake [options]',
    positionals: [],
    load: () => import('./commands/intake.ts'),
  },
};
