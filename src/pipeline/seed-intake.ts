/**
 * The seed's intake path (metis-kafka-streams-poc): a row inserted into `record_execution` reaches
 * Kafka through Debezium, and this processor routes it by `execution_name`, as the seed's
 * DatabaseTransferTopology did, into our pipeline:
 *   - `oai_topology` / `http_topology`: the row is a harvest task (OAI endpoint from
 *     `execution_parameters`, or an archive URL in `record_data` / `fileUrl`);
 *   - `validation_topology`, `transformation_topology`, `normalization_topology`,
 *     `enrichment_topology`, `media_topology`, `indexing_topology`: the row is one record for that
 *     step; rows of one (dataset, execution, step) form one task.
 * Results land in the seed's `record_execution_result` / `record_execution_exception` (see the
 * store). `DROPPED` or `FAILED` in `execution_status` cancels the execution's tasks, and every record
 * skipped for it (a row arriving after it, a record of a harvest still in flight, a step's record)
 * gets the seed's exception row `TaskDroppedException` / "Task was dropped by user". A per-record
 * task completes when every row of its execution inserted so far has its result.
 */
import type { Processor, RecordContext, StreamRecord } from '../engine/index.ts';
import { decodeRecordExecutionEvent, DebeziumEventError, type RecordExecution, type RecordExecutionKey } from './debezium-event.ts';
import type { PipelineContext } from './context.ts';
import { ROUTE, emit } from './routes.ts';
import { intakeMetrics } from './harvest-processors.ts';
import type { Envelope, StepName, TaskCommand, TaskSpecInput } from '../model/index.ts';

/** The seed's `TopologyNames` and what they run here. */
export const SEED_EXECUTION_NAMES = [
  'oai_topology',
  'http_topology',
  'validation_topology',
  'transformation_topology',
  'normalization_topology',
  'enrichment_topology',
  'media_topology',
  'indexing_topology',
] as const;

function stepFor(name: string, params: Record<string, unknown>): StepName | undefined {
  switch (name) {
    case 'validation_topology':
      return String(params.validationType ?? 'external').toLowerCase() === 'internal' ? 'validate-internal' : 'validate-external';
    case 'transformation_topology':
      return 'transform';
    case 'normalization_topology':
      return 'normalize';
    case 'enrichment_topology':
      return 'enrich';
    case 'media_topology':
      return 'media';
    case 'indexing_topology':
      return String(params.targetIndexingDatabase ?? 'PREVIEW').toUpperCase() === 'PUBLISH' ? 'publish' : 'preview';
    default:
      return undefined;
  }
}

const str = (v: unknown, fallback: string) => (typeof v === 'string' && v.trim() !== '' ? v : fallback);

/** The task a seed row belongs to (one per dataset, execution and step). */
export function seedTaskSpec(key: RecordExecutionKey, row: RecordExecution): { taskId: string; spec: TaskSpecInput; step?: StepName } | { error: string } {
  const p = row.execution_parameters ?? {};
  const datasetId = key.dataset_id.replace(/[^A-Za-z0-9_-]/g, '_');
  const dataset = {
    id: datasetId,
    name: str(p.datasetName ?? p.metisDatasetName, datasetId),
    country: str(p.datasetCountry ?? p.metisDatasetCountry, 'Europe'),
    language: str(p.datasetLanguage ?? p.metisDatasetLanguage, 'mul'),
  };
  const taskId = `seed-${datasetId}-${key.execution_id}-${row.execution_name}`;
  if (row.execution_name === 'oai_topology') {
    const url = str(p.oaiEndpoint ?? p.oaiRepositoryUrl, row.record_data);
    if (!/^https?:/.test(url)) return { error: `oai_topology needs execution_parameters.oaiEndpoint (got ${JSON.stringify(url)})` };
    return {
      taskId,
      spec: { dataset, source: { type: 'oai', url, metadataPrefix: str(p.oaiMetadataPrefix ?? p.metadataPrefix, 'edm'), set: typeof p.oaiSet === 'string' ? p.oaiSet : undefined }, steps: ['harvest'] },
    };
  }
  if (row.execution_name === 'http_topology') {
    const url = str(p.fileUrl, row.record_data);
    if (!url) return { error: 'http_topology needs the archive URL in record_data or execution_parameters.fileUrl' };
    return { taskId, spec: { dataset, source: { type: 'archive', url }, steps: ['harvest'] } };
  }
  const step = stepFor(row.execution_name, p);
  if (!step) return { error: `Unknown execution_name ${row.execution_name} (expected one of ${SEED_EXECUTION_NAMES.join(', ')})` };
  return { taskId, step, spec: { dataset, source: { type: 'seed', executionName: row.execution_name }, steps: [step] } };
}

export class SeedIntakeProcessor implements Processor<Buffer | null, Buffer | null, string, unknown> {
  constructor(private readonly p: PipelineContext) {}

  async process(record: StreamRecord<Buffer | null, Buffer | null>, ctx: RecordContext<string, unknown>): Promise<void> {
    let change;
    try {
      change = decodeRecordExecutionEvent(record.key, record.value);
    } catch (err) {
      if (err instanceof DebeziumEventError && err.code === 'DEBEZIUM_EVENT_UNSUPPORTED') return;
      throw err; // malformed: to the dead-letter topic with the reason
    }
    if (change.kind !== 'upsert' || change.op === 'u') return; // the seed reacts to new rows only
    const { key, value } = change;
    const plan = seedTaskSpec(key, value);
    if ('error' in plan) {
      this.p.logger.warn({ key, error: plan.error }, 'seed row ignored');
      return;
    }
    const origin = { kind: 'seed' as const, datasetId: key.dataset_id, executionId: key.execution_id, executionName: value.execution_name };
    const task = await this.p.store.createTask(plan.spec, { taskId: plan.taskId, origin });
    // As the seed does before each record: an execution DROPPED (or FAILED) in execution_status
    // skips the row with the seed's exception row ("Task was dropped by user"), and its tasks end.
    if (await this.p.store.seedExecutionDropped(key.execution_id)) {
      await this.p.store.cancelDroppedSeedTasks();
      this.p.tasks.noteState(task.taskId, 'cancelled');
      const skipped = { status: 'cancelled' as const, recordId: key.record_id, messages: [], content: null };
      emit(ctx, ROUTE.outcomes, key.record_id, { kind: 'record', taskId: task.taskId, step: plan.step ?? 'harvest', terminal: true, ...skipped });
      return;
    }
    if (!plan.step) {
      emit(ctx, ROUTE.tasks, task.taskId, { type: 'start', taskId: task.taskId } satisfies TaskCommand);
      return;
    }
    // Debezium is at-least-once: a Connect restart sends again what it sent since its last flushed
    // offset (or the whole table when none was flushed). A row whose record already has its result is
    // dropped here, one still in flight at admission (AdmitProcessor); both are counted and logged.
    if (await this.p.store.recordResult(task.taskId, plan.step, key.record_id)) {
      intakeMetrics.redeliveriesDropped++;
      this.p.logger.warn({ taskId: task.taskId, recordId: key.record_id, total: intakeMetrics.redeliveriesDropped }, 'seed intake dropped a redelivered change event');
      return;
    }
    if (task.state === 'queued') await this.p.store.transition(task.taskId, 'processing');
    // A per-record task has no listing: it expects the rows inserted so far and completes when each
    // has its result (before the record goes on, so its outcome is counted against this total).
    await this.p.store.expectSeedRows(task.taskId, origin);
    const envelope: Envelope = { taskId: task.taskId, datasetId: task.datasetId, recordId: key.record_id, plan: task.plan, stepIndex: 0, content: value.record_data, sourceId: key.record_id };
    emit(ctx, ROUTE.admit, key.record_id, envelope);
  }
}

export interface SeedConnectorOptions {
  connectUrl: string;
  pgUrl: string;
  /** Connector name, also the replication slot and publication name. Default `metis_record_execution`. */
  name?: string;
  /** Debezium topic prefix; events land on `<prefix>.<schema>.record_execution`. Default `connect` (the seed's). */
  topicPrefix?: string;
  schema?: string;
}

/** The seed's connector (seed-pocs.md §1.4), with pgoutput and the unwrap SMT. */
export function seedConnectorConfig(o: SeedConnectorOptions): Record<string, string> {
  const url = new URL(o.pgUrl);
  const name = o.name ?? 'metis_record_execution';
  const schema = o.schema ?? 'public';
  return {
    'connector.class': 'io.debezium.connector.postgresql.PostgresConnector',
    'plugin.name': 'pgoutput',
    'tasks.max': '1',
    'database.hostname': url.hostname,
    'database.port': url.port || '5432',
    'database.user': decodeURIComponent(url.username) || 'postgres',
    'database.password': decodeURIComponent(url.password),
    'database.dbname': url.pathname.slice(1),
    'topic.prefix': o.topicPrefix ?? 'connect',
    'schema.include.list': schema,
    'table.include.list': `${schema}.record_execution`,
    'slot.name': name,
    'publication.name': name,
    'publication.autocreate.mode': 'filtered',
    'snapshot.mode': 'initial',
    'key.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'key.converter.schemas.enable': 'false',
    'value.converter': 'org.apache.kafka.connect.json.JsonConverter',
    'value.converter.schemas.enable': 'false',
    transforms: 'unwrap',
    'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
    'transforms.unwrap.delete.tombstone.handling.mode': 'rewrite-with-tombstone',
  };
}

/** Creates or updates the connector through Kafka Connect's REST API; returns its name. */
export async function registerSeedConnector(o: SeedConnectorOptions): Promise<string> {
  const name = o.name ?? 'metis_record_execution';
  let res: Response;
  try {
    res = await fetch(`${o.connectUrl}/connectors/${name}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(seedConnectorConfig(o)),
      signal: AbortSignal.timeout(30_000),
    });
  } catch (err) {
    throw new Error(`Kafka Connect is not reachable at ${o.connectUrl}: ${(err as Error).message}`);
  }
  if (res.status !== 200 && res.status !== 201) throw new Error(`Kafka Connect refused connector ${name}: HTTP ${res.status} ${await res.text()}`);
  return name;
}

/** The topic Debezium writes `record_execution` changes to. */
export function seedTopic(topicPrefix = 'connect', schema = 'public'): string {
  return `${topicPrefix}.${schema}.record_execution`;
}
