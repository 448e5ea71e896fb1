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
  /** Names of the positional arguments it may take after those (e.g. `record ID --diff A B`'s B). */
  optionalPositionals?: readonly string[];
  load(): Promise<{ default: Command }>;
}

export const COMMANDS: Record<CommandName, CommandSpec> = {
  run: {
    summary: 'process a dataset end to end in this process (embedded: no Kafka, no server; PGlite in --data-dir)',
    usage: 'run (--demo [--records N] | --oai URL [--set S] [--prefix P] | --archive PATH|URL | --resume) [options]',
    positionals: [],
    load: () => import('./commands/run.ts'),
  },
  serve: {
    summary:
      'the operator HTTP API and dashboard (embedded: tasks run in this process on --data-dir; --mode kafka: PostgreSQL and the Kafka workers)',
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
      "a task's progress, errors and tiers, read from PostgreSQL (or, with --data-dir, from run's embedded database); --watch: live bars until it ends",
    usage: 'status TASK_ID [--watch] [options]',
    positionals: ['TASK_ID'],
    load: () => import('./commands/status.ts'),
  },
  tasks: {
    summary: 'list tasks, newest first: state, dataset, records, duration',
    usage: 'tasks [--state S] [--dataset ID] [--rows N] [--json] [options]',
    positionals: [],
    load: () => import('./commands/tasks.ts'),
  },
  records: {
    summary: "list a task's records with their outcome per step and tiers; filter by status, step and message",
    usage: 'records TASK_ID [--status S] [--step S] [--error TEXT] [--rows N] [--json] [options]',
    positionals: ['TASK_ID'],
    load: () => import('./commands/records.ts'),
  },
  record: {
    summary: "one record's journey: outcome and messages per step, its content after a step, a diff between two steps",
    usage: 'record RECORD_ID [--task TASK_ID] [--step S | --diff A,B] [--json] [options]',
    positionals: ['RECORD_ID'],
    optionalPositionals: ['B'],
    load: () => import('./commands/record.ts'),
  },
  report: {
    summary:
      "a task's full error report (every group, with sample ids), tiers and problem patterns; --csv for a spreadsheet",
    usage: 'report TASK_ID [--step S] [--csv | --json] [options]',
    positionals: ['TASK_ID'],
    load: () => import('./commands/report.ts'),
  },
  cancel: {
    summary: 'cancel a task running on the Kafka pipeline',
    usage: 'cancel TASK_ID [options]',
    positionals: ['TASK_ID'],
    load: () => import('./commands/cancel.ts'),
  },
  rerun: {
    summary:
      "a new task re-running an earlier task's records from a step, on its stored outputs (Kafka; with --data-dir: in this process)",
    usage: 'rerun TASK_ID --from-step STEP [--steps A,B,…] [--data-dir DIR] [options]',
    positionals: ['TASK_ID'],
    load: () => import('./commands/rerun.ts'),
  },
  depublish: {
    summary: "depublish a dataset or some of its records with Metis's reason (Kafka; with --data-dir: in this process)",
    usage: 'depublish --dataset-id ID --reason REASON [--record-ids ID,…] [--data-dir DIR] [options]',
    positionals: [],
    load: () => import('./commands/depublish.ts'),
  },
  intake: {
    summary: "register the Debezium connector for the seed's record_execution table",
    usage: 'intake [options]',
    positionals: [],
    load: () => import('./commands/intake.ts'),
  },
  infra: {
    summary:
      'start (up), stop (down) or show (status) the local Kafka, Connect and PostgreSQL services (scripts/infra-*.sh)',
    usage: 'infra up|down|status',
    positionals: ['ACTION'],
    load: () => import('./commands/infra.ts'),
  },
};
