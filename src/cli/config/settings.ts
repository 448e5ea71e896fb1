/**
 * Every setting of the `metis-streams` command, declared once: its kind (type and validation), default,
 * description, the commands that use it, its flag and its environment variable. The loader
 * (`load.ts`), `metis-streams help` and the README's settings table are all made from this list.
 * Precedence: flag > environment variable > config file (`--config FILE`, JSON keyed by the names
 * below) > default. Units are in the names (`commitIntervalMs`). Imports only zod, node and the
 * model's step names. One file on purpose, though long: it is the one list to read and to change.
 */
import { z } from 'zod';
import {
  brokerList,
  idList,
  oaiDate,
  httpUrl,
  jsonObject,
  nameList,
  oneOf,
  onOff,
  pathOrUrl,
  positiveInteger,
  postgresUrl,
  text,
  wholeNumber,
  type Kind,
} from './kinds.ts';
import { STEP_NAMES } from '../../model/steps.ts';
import { TASK_STATES } from '../../model/task-states.ts';
import { DEPUBLICATION_REASONS } from '../../steps/depublish/reasons.ts';

export const COMMAND_NAMES = [
  'run',
  'serve',
  'worker',
  'submit',
  'status',
  'tasks',
  'records',
  'record',
  'report',
  'cancel',
  'rerun',
  'depublish',
  'intake',
  'infra',
] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export interface Setting<T> {
  kind: Kind<T>;
  description: string;
  /** The commands that read it; a flag given to another command is a usage error. */
  commands: readonly CommandName[];
  /** Long flag without the dashes. */
  flag?: string;
  env?: string;
  default?: T;
  /** The default in words, when it is computed at run time (help and README). */
  defaultText?: string;
}

const TASK: readonly CommandName[] = ['run', 'submit'];
/** Commands that make a task: run and submit from a source, rerun from an earlier task, depublish. */
const NEW_TASK: readonly CommandName[] = ['run', 'submit', 'rerun', 'depublish'];
/** Commands that run the pipeline in this process (rerun and depublish do when given --data-dir). */
const PROCESSING: readonly CommandName[] = ['run', 'serve', 'worker', 'rerun', 'depublish'];
/** Commands that send commands to the Kafka pipeline (rerun and depublish do without --data-dir). */
const KAFKA: readonly CommandName[] = ['worker', 'serve', 'submit', 'cancel', 'rerun', 'depublish'];
/** Commands that read tasks from the store: run's embedded database (--data-dir) or PostgreSQL. */
const READ: readonly CommandName[] = ['status', 'tasks', 'records', 'record', 'report'];

/** The default PostgreSQL server (also `DEFAULT_PG_URL` in src/store/db.ts; a test keeps them equal). */
export const DEFAULT_PG_URL = 'postgres://postgres@127.0.0.1:5432/metis_streams';

const hostLimitsSchema = z
  .object({ maxConcurrent: z.number().int().positive(), ratePerSecond: z.number().positive() })
  .strict();

export const SETTINGS = {
  configFile: {
    kind: pathOrUrl('FILE'),
    flag: 'config',
    env: 'METIS_CONFIG',
    commands: COMMAND_NAMES,
    description:
      'A JSON file of settings keyed by the names in this table (paths in it are relative to it); flags and variables override it.',
  },

  // What to process (run, submit).
  demo: {
    kind: onOff,
    flag: 'demo',
    commands: ['run'],
    default: false,
    description:
      'Harvest a bundled demo OAI-PMH endpoint (generated records, a few broken on purpose) served on 127.0.0.1.',
  },
  resume: {
    kind: onOff,
    flag: 'resume',
    commands: ['run'],
    default: false,
    description:
      'Go on with the task a Ctrl-C interrupted in --data-dir (the newest unfinished one): records with a final outcome are skipped, the others run (again). No source flags: the task keeps its own.',
  },
  records: {
    kind: positiveInteger(),
    flag: 'records',
    commands: ['run'],
    default: 200,
    description: 'Records the demo endpoint serves.',
  },
  oai: { kind: httpUrl, flag: 'oai', commands: TASK, description: 'Harvest this OAI-PMH endpoint.' },
  set: { kind: text('SET'), flag: 'set', commands: TASK, description: 'OAI-PMH set to harvest.' },
  prefix: {
    kind: text('PREFIX'),
    flag: 'prefix',
    commands: TASK,
    default: 'edm',
    description: 'OAI-PMH metadata prefix.',
  },
  archive: {
    kind: pathOrUrl('PATH|URL', { withUrls: true }),
    flag: 'archive',
    commands: TASK,
    description: 'Harvest a zip, tar or tgz archive of records (a local path or an http(s) URL).',
  },
  datasetId: {
    kind: text('ID'),
    flag: 'dataset-id',
    commands: [...TASK, 'depublish'],
    defaultText: '9200 with --demo, else dataset',
    description: 'Dataset id (letters, digits, _ and -).',
  },
  datasetName: {
    kind: text('NAME'),
    flag: 'dataset-name',
    commands: [...TASK, 'depublish'],
    defaultText: 'Demo with --demo, else Dataset',
    description: 'Dataset name.',
  },
  country: {
    kind: text('COUNTRY'),
    flag: 'country',
    commands: TASK,
    default: 'Europe',
    description: "Dataset's country.",
  },
  language: {
    kind: text('LANG'),
    flag: 'language',
    commands: TASK,
    default: 'mul',
    description: "Dataset's language code.",
  },
  steps: {
    kind: nameList(STEP_NAMES, 'step names'),
    flag: 'steps',
    commands: [...TASK, 'rerun'],
    defaultText: 'harvest to publish',
    description: "Steps to run, in Metis's order.",
  },
  limit: {
    kind: positiveInteger('records'),
    flag: 'limit',
    commands: TASK,
    description: 'Stop harvesting after this many records.',
  },
  from: {
    kind: oaiDate,
    flag: 'from',
    commands: TASK,
    description: 'OAI-PMH from: harvest only records changed on or after this date.',
  },
  until: {
    kind: oaiDate,
    flag: 'until',
    commands: TASK,
    description: 'OAI-PMH until: harvest only records changed on or before this date.',
  },
  incremental: {
    kind: onOff,
    flag: 'incremental',
    commands: TASK,
    default: false,
    description: "Incremental harvest: skip records whose content did not change since the dataset's last harvest.",
  },
  detectDeleted: {
    kind: onOff,
    flag: 'detect-deleted',
    commands: TASK,
    default: false,
    description: 'After a full harvest, remove from the index the records no longer at the source (deleted at source).',
  },
  externalXslt: {
    kind: pathOrUrl('FILE', { existing: true }),
    flag: 'xslt',
    commands: TASK,
    description: "Provider XSLT turning the provider's XML into EDM external (adds the transform-external step).",
  },
  transformXslt: {
    kind: pathOrUrl('FILE', { existing: true }),
    flag: 'transform-xslt',
    commands: TASK,
    defaultText: "Metis's default XSLT",
    description: 'Another XSLT for the EDM external → internal transformation.',
  },
  mediaMode: {
    kind: oneOf('MODE', ['full', 'reduced']),
    flag: 'media-mode',
    commands: TASK,
    default: 'full',
    description: 'Media processing: full, or reduced (no downloads for thumbnails of large files).',
  },
  maxInFlight: {
    kind: positiveInteger('records'),
    flag: 'max-in-flight',
    commands: NEW_TASK,
    description: 'Records of the task in flight at once, per partition.',
  },
  fromStep: {
    kind: oneOf('STEP', STEP_NAMES),
    flag: 'from-step',
    commands: ['rerun'],
    description:
      "First step to run again (required): the earlier task's stored output of the step before it is read, earlier steps are not run.",
  },
  reason: {
    kind: oneOf('REASON', Object.keys(DEPUBLICATION_REASONS) as [keyof typeof DEPUBLICATION_REASONS]),
    flag: 'reason',
    commands: ['depublish'],
    description: "Depublication reason (required; Metis's DepublicationReason).",
  },
  recordIds: {
    kind: idList,
    flag: 'record-ids',
    commands: ['depublish'],
    defaultText: 'the whole dataset',
    description: 'Depublish these records only (Europeana ids /dataset/local, or local ids of the dataset).',
  },

  // Where data lives.
  dataDir: {
    kind: pathOrUrl('DIR', { folder: true }),
    flag: 'data-dir',
    env: 'METIS_DATA_DIR',
    commands: ['run', 'serve', 'worker', ...READ, 'rerun', 'depublish'],
    default: '.metis-data',
    description:
      "Folder of the embedded database (run), caches and thumbnails. Given to a reading command (status, tasks, records, record, report), it reads run's embedded database instead of PostgreSQL; given to rerun or depublish, the task runs in this process on that database.",
  },
  pgUrl: {
    kind: postgresUrl,
    flag: 'pg-url',
    env: 'METIS_PG_URL',
    commands: ['worker', 'serve', 'submit', ...READ, 'cancel', 'rerun', 'depublish', 'intake'],
    default: DEFAULT_PG_URL,
    description: 'PostgreSQL server: the system of record in Kafka mode.',
  },
  kafkaBrokers: {
    kind: brokerList,
    flag: 'brokers',
    env: 'KAFKA_BROKERS',
    commands: KAFKA,
    default: '127.0.0.1:9092',
    description: 'Kafka bootstrap brokers.',
  },
  kafkaConnectUrl: {
    kind: httpUrl,
    flag: 'connect-url',
    env: 'KAFKA_CONNECT_URL',
    commands: ['intake'],
    default: 'http://127.0.0.1:8083',
    description: 'Kafka Connect REST address (Debezium intake).',
  },
  topicPrefix: {
    kind: text('PREFIX'),
    flag: 'topic-prefix',
    env: 'METIS_TOPIC_PREFIX',
    commands: KAFKA,
    default: 'metis',
    description: 'Prefix of the pipeline topics.',
  },

  // The HTTP API (serve).
  serveMode: {
    kind: oneOf('MODE', ['embedded', 'kafka']),
    flag: 'mode',
    env: 'METIS_SERVE_MODE',
    commands: ['serve'],
    default: 'embedded',
    description:
      'embedded: PGlite in --data-dir, tasks run in this process; kafka: PostgreSQL at --pg-url, tasks go to the workers over Kafka.',
  },
  host: {
    kind: text('HOST'),
    flag: 'host',
    env: 'METIS_API_HOST',
    commands: ['serve'],
    default: '127.0.0.1',
    description: 'Address the API listens on (without --api-tokens: loopback only).',
  },
  port: {
    kind: wholeNumber('port'),
    flag: 'port',
    env: 'METIS_API_PORT',
    commands: ['serve'],
    default: 8080,
    description: 'Port of the API (0: any free port; the address is printed at start).',
  },
  apiTokens: {
    kind: text('ROLE:TOKEN,...'),
    flag: 'api-tokens',
    env: 'METIS_API_TOKENS',
    commands: ['serve'],
    description:
      'API tokens and their roles (viewer, operator, admin), comma-separated, each token at least 16 characters. None: every caller is admin, on loopback only.',
  },
  publicReads: {
    kind: onOff,
    flag: 'public-reads',
    env: 'METIS_PUBLIC_READS',
    commands: ['serve'],
    default: false,
    description: 'Let reads (GET /api/..., /metrics) through without a token.',
  },
  uploadLimitBytes: {
    kind: positiveInteger('bytes'),
    flag: 'upload-limit-bytes',
    env: 'METIS_UPLOAD_LIMIT_BYTES',
    commands: ['serve'],
    default: 104_857_600,
    description: 'Largest API request body or uploaded file.',
  },

  // Reading tasks and records (status, tasks, records, record, report).
  watch: {
    kind: onOff,
    flag: 'watch',
    commands: ['status'],
    default: false,
    description: 'Redraw the progress bars until the task ends.',
  },
  taskState: {
    kind: oneOf('STATE', TASK_STATES),
    flag: 'state',
    commands: ['tasks'],
    description: 'Only tasks in this state.',
  },
  taskDataset: {
    kind: text('ID'),
    flag: 'dataset',
    commands: ['tasks'],
    description: 'Only tasks of this dataset id.',
  },
  recordStatus: {
    kind: oneOf('STATUS', ['success', 'warn', 'fail', 'cancelled']),
    flag: 'status',
    commands: ['records'],
    description: 'Only records with this outcome (at --step, else at any step).',
  },
  step: {
    kind: oneOf('STEP', STEP_NAMES),
    flag: 'step',
    commands: ['records', 'record', 'report'],
    defaultText: 'records: any; record: the last step it reached',
    description:
      "records: only outcomes of this step; record: the record's content after this step; report: this step's groups.",
  },
  errorText: {
    kind: text('TEXT'),
    flag: 'error',
    commands: ['records'],
    description: 'Only records with a message containing this text (case-insensitive).',
  },
  taskId: {
    kind: text('TASK_ID'),
    flag: 'task',
    commands: ['record'],
    defaultText: 'the latest task that processed the record',
    description: 'The task whose journey of the record to show.',
  },
  diff: {
    kind: nameList(STEP_NAMES, 'step names'),
    flag: 'diff',
    commands: ['record'],
    description: "Two steps A,B: a line diff of the record's content after A and after B.",
  },
  rows: {
    kind: positiveInteger('rows'),
    flag: 'rows',
    commands: ['tasks', 'records'],
    default: 50,
    description: 'Most rows to print.',
  },
  csv: {
    kind: onOff,
    flag: 'csv',
    commands: ['report'],
    default: false,
    description: 'The error report as CSV (step, level, count, message, sample ids), every group.',
  },
  json: {
    kind: onOff,
    flag: 'json',
    commands: ['tasks', 'records', 'record', 'report'],
    default: false,
    description: 'Print JSON instead of text.',
  },

  // The worker on Kafka.
  applicationId: {
    kind: text('ID'),
    flag: 'app-id',
    env: 'METIS_APP_ID',
    commands: ['worker', 'serve'],
    default: 'metis-pipeline',
    description: 'Consumer group shared by the workers of one deployment.',
  },
  instanceId: {
    kind: text('ID'),
    flag: 'id',
    env: 'METIS_INSTANCE_ID',
    commands: ['worker'],
    defaultText: 'a random id',
    description: 'Stable id of this worker (its transactional id): a restarted worker fences its predecessor.',
  },
  partitions: {
    kind: positiveInteger(),
    flag: 'partitions',
    env: 'METIS_PARTITIONS',
    commands: ['worker'],
    default: 6,
    description: 'Partitions of each pipeline topic (created when missing).',
  },
  commitIntervalMs: {
    kind: positiveInteger('milliseconds'),
    flag: 'commit-interval-ms',
    env: 'METIS_COMMIT_INTERVAL_MS',
    commands: ['worker'],
    defaultText: "the engine's (100)",
    description: 'Transaction commit interval; each topic hop waits for one commit.',
  },
  seedTopic: {
    kind: text('TOPIC'),
    flag: 'seed-topic',
    env: 'METIS_SEED_TOPIC',
    commands: ['worker'],
    // The topic `metis-streams intake`'s connector writes to (seed-intake.ts seedTopic()): the seed
    // intake works as the README shows it, `intake` + workers, with no variable to set.
    default: 'connect.public.record_execution',
    description: "Debezium topic of the seed's record_execution table (the one `intake`'s connector writes) that the seed intake reads.",
  },

  healthPort: {
    kind: positiveInteger('port'),
    flag: 'health-port',
    env: 'METIS_HEALTH_PORT',
    commands: ['worker'],
    defaultText: 'none (no health server)',
    description: "Port of the worker's GET /health (alive) and /ready (running, not stopping) endpoints, for probes.",
  },

  // Processing (run, worker).
  schemaLocation: {
    kind: pathOrUrl('DIR|ZIP|URL', { withUrls: true, existing: true }),
    flag: 'schemas',
    env: 'METIS_SCHEMAS',
    commands: PROCESSING,
    defaultText: 'the copy in ../shared/fixtures beside a checkout',
    description: 'EDM XSD schemas: a folder, a local zip or an http(s) zip URL.',
  },
  sorterXslt: {
    kind: pathOrUrl('FILE', { existing: true }),
    flag: 'sorter-xslt',
    env: 'METIS_SORTER_XSLT',
    commands: PROCESSING,
    defaultText: 'none: the built-in sorter',
    description: "Metis's edm_sorter.xsl; a version other than the one the built-in sorter implements runs as XSLT.",
  },
  defaultXslt: {
    kind: pathOrUrl('FILE', { existing: true }),
    flag: 'default-xslt',
    env: 'METIS_DEFAULT_XSLT',
    commands: PROCESSING,
    defaultText: 'none: the built-in conversion',
    description: "Metis's default_transformation.xslt; a version other than the one the built-in conversion implements runs as XSLT.",
  },
  xsltEngine: {
    kind: oneOf('ENGINE', ['saxonjs', 'saxon-he']),
    flag: 'xslt-engine',
    env: 'METIS_XSLT_ENGINE',
    commands: PROCESSING,
    default: 'saxonjs',
    description: 'Engine for XSLT that runs (custom XSLT, rules that are not the ported versions): saxonjs, or saxon-he (a JVM per thread; needs java and libsaxonhe-java).',
  },
  entitiesFile: {
    kind: pathOrUrl('FILE', { existing: true }),
    flag: 'entities',
    env: 'METIS_ENTITIES',
    commands: PROCESSING,
    description: 'Entities (RDF/XML or JSON-LD) loaded into the built-in entity store at start.',
  },
  entityApiUrl: {
    kind: httpUrl,
    flag: 'entity-api',
    env: 'METIS_ENTITY_API_URL',
    commands: PROCESSING,
    defaultText: 'the built-in entity store',
    description:
      'Europeana Entity API (its /enrich, /resolve and entity endpoints) used by enrichment instead of the built-in store.',
  },
  entityApiKey: {
    kind: text('KEY'),
    flag: 'entity-api-key',
    env: 'METIS_ENTITY_API_KEY',
    commands: PROCESSING,
    description: 'API key (wskey) for the Entity API.',
  },
  dereferenceUrl: {
    kind: httpUrl,
    flag: 'dereference-url',
    env: 'METIS_DEREFERENCE_URL',
    commands: PROCESSING,
    description: "A Metis dereference service for the records' rdf:resource links.",
  },
  thumbnailDir: {
    kind: pathOrUrl('DIR', { folder: true }),
    flag: 'thumbnails',
    env: 'METIS_THUMBNAILS',
    commands: PROCESSING,
    defaultText: 'DATA_DIR/thumbnails',
    description: 'Where thumbnails are written.',
  },
  threads: {
    kind: wholeNumber('threads'),
    flag: 'threads',
    env: 'METIS_THREADS',
    commands: PROCESSING,
    defaultText: 'cores − 1, at least 1',
    description: 'Worker threads for the CPU-bound steps (0: the main thread).',
  },
  hostLimits: {
    kind: jsonObject(
      'JSON',
      'a JSON object {"maxConcurrent": N, "ratePerSecond": N} of positive numbers',
      hostLimitsSchema,
    ),
    flag: 'host-limits',
    env: 'METIS_HOST_LIMITS',
    commands: PROCESSING,
    defaultText: '{"maxConcurrent":32,"ratePerSecond":1000}',
    description: "Per-host politeness budget towards providers' servers (OAI-PMH, archive downloads, media, link checks), shared by all workers (concurrency through slots in PostgreSQL).",
  },
  allowLoopback: {
    kind: onOff,
    flag: 'allow-loopback',
    env: 'METIS_ALLOW_LOOPBACK',
    commands: PROCESSING,
    default: false,
    description: 'Allow fetching media and checking links on loopback addresses only (tests; on with --demo).',
  },
  mediaTimeoutMs: {
    kind: positiveInteger('milliseconds'),
    flag: 'media-timeout-ms',
    env: 'METIS_MEDIA_TIMEOUT_MS',
    commands: PROCESSING,
    default: 60_000,
    description: 'Total deadline of one media download, redirects and whole body (a trickling server is cut).',
  },
  retryBudgetMs: {
    kind: positiveInteger('milliseconds'),
    flag: 'retry-budget-ms',
    env: 'METIS_RETRY_BUDGET_MS',
    commands: PROCESSING,
    default: 300_000,
    description:
      'How long a transient error (database refusing connections, an OAI-PMH server gone) is retried before the task fails with RETRY_BUDGET_SPENT.',
  },
  oaiMaxPages: {
    kind: positiveInteger('pages'),
    flag: 'oai-max-pages',
    env: 'METIS_OAI_MAX_PAGES',
    commands: PROCESSING,
    default: 100_000,
    description: 'An OAI-PMH listing longer than this many pages fails its task (a server handing out endless tokens).',
  },
  oaiMaxRecords: {
    kind: positiveInteger('records'),
    flag: 'oai-max-records',
    env: 'METIS_OAI_MAX_RECORDS',
    commands: PROCESSING,
    default: 1_000_000,
    description: 'An OAI-PMH listing of more headers than this (deleted ones included) fails its task.',
  },
  oaiRequestTimeoutMs: {
    kind: positiveInteger('milliseconds'),
    flag: 'oai-request-timeout-ms',
    env: 'METIS_OAI_REQUEST_TIMEOUT_MS',
    commands: PROCESSING,
    default: 600_000,
    description:
      'Total deadline of one OAI-PMH request, headers and whole body (a trickling server is cut, then retried).',
  },
  oaiMaxRetryAfterMs: {
    kind: wholeNumber('milliseconds'),
    flag: 'oai-max-retry-after-ms',
    env: 'METIS_OAI_MAX_RETRY_AFTER_MS',
    commands: PROCESSING,
    default: 60_000,
    description: "Longest wait an OAI-PMH server's Retry-After gets; each wait is logged (warn).",
  },
  logLevel: {
    kind: oneOf('LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    flag: 'log-level',
    env: 'LOG_LEVEL',
    commands: PROCESSING,
    default: 'warn',
    description: 'Log level (pino); logs go to stderr as JSON lines.',
  },
} as const satisfies Record<string, Setting<any>>;

export type SettingKey = keyof typeof SETTINGS;
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

type ValueOf<S> = S extends { kind: Kind<infer T>; default: unknown }
  ? T
  : S extends { kind: Kind<infer T> }
    ? T | undefined
    : never;

/** The validated settings a command runs with. */
export type Config = { [K in SettingKey]: ValueOf<(typeof SETTINGS)[K]> };

/** Where a setting's value came from. */
export type SettingSource = 'flag' | 'env' | 'file' | 'default';

/** The settings a command reads. */
export function settingsOf(command: CommandName): SettingKey[] {
  return SETTING_KEYS.filter((k) => (SETTINGS[k].commands as readonly CommandName[]).includes(command));
}

export const setting = (key: SettingKey): Setting<unknown> => SETTINGS[key] as Setting<unknown>;

/** The flag a setting is given with, as typed (`--records`). */
export const flagOf = (key: SettingKey): string | undefined =>
  setting(key).flag ? `--${setting(key).flag}` : undefined;
