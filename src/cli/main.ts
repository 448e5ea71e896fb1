/**
 * The `metis-streams` command.
 *
 *   run       process a dataset end to end in this process (embedded: LocalRuntime + PGlite)
 *   worker    join the Kafka consumer group as a pipeline worker (PostgreSQL server)
 *   submit    submit a task to the Kafka pipeline
 *   status    show a task's progress, errors and tiers
 *   cancel    cancel a task
 *   intake    register the Debezium connector for the seed's record_execution table
 *
 * Environment (read only here, at the edge): METIS_PG_URL, KAFKA_BROKERS, KAFKA_CONNECT_URL,
 * METIS_SCHEMAS, LOG_LEVEL; the worker also METIS_APP_ID, METIS_TOPIC_PREFIX, METIS_SEED_TOPIC, METIS_HOST_LIMITS.
 */
import { parseArgs } from 'node:util';
import { runCommand } from './run-command.ts';

// Kafka-mode commands load the Kafka client only when used: the embedded default runs without it.
const kafka = () => import('./kafka-commands.ts');

const USAGE = `usage: metis-streams <command> [options]

commands:
  run --demo [--records N]                 harvest a bundled demo OAI-PMH endpoint and run every step (embedded)
  run --oai URL [--set S] [--prefix P]     harvest an OAI-PMH endpoint and run every step (embedded)
  run --archive URL|PATH                   harvest a zip/tar/tgz archive and run every step (embedded)
      [--dataset-id ID] [--dataset-name NAME] [--country C] [--language L] [--steps a,b,c] [--limit N]
      [--db DIR] [--schemas DIR|ZIP-URL] [--entities FILE] [--thumbnails DIR]
  worker [--partitions N] [--id ID]        run a pipeline worker on Kafka (KAFKA_BROKERS, METIS_PG_URL)
  submit (--oai URL [--set S] | --archive URL) [dataset options]   submit a task to the Kafka pipeline
  status TASK_ID                           progress, errors and tiers of a task
  cancel TASK_ID                           cancel a task
  intake                                   register the Debezium connector for record_execution
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      demo: { type: 'boolean' },
      records: { type: 'string' },
      oai: { type: 'string' },
      set: { type: 'string' },
      prefix: { type: 'string' },
      archive: { type: 'string' },
      'dataset-id': { type: 'string' },
      'dataset-name': { type: 'string' },
      country: { type: 'string' },
      language: { type: 'string' },
      steps: { type: 'string' },
      limit: { type: 'string' },
      db: { type: 'string' },
      schemas: { type: 'string' },
      entities: { type: 'string' },
      thumbnails: { type: 'string' },
      partitions: { type: 'string' },
      id: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (!command || values.help || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 1;
  }
  switch (command) {
    case 'run':
      return runCommand(values);
    case 'worker':
      return (await kafka()).workerCommand(values);
    case 'submit':
      return (await kafka()).submitCommand(values);
    case 'status':
      return (await kafka()).statusCommand(positionals[0]);
    case 'cancel':
      return (await kafka()).cancelCommand(positionals[0]);
    case 'intake':
      return (await kafka()).intakeCommand();
    default:
      process.stderr.write(`unknown command: ${command}\n${USAGE}`);
      return 1;
  }
}

export type CliValues = Record<string, string | boolean | undefined>;

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`metis-streams: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
