/**
 * Smoke test of the change-data-capture path the seed uses for task intake: a row written to
 * `record_execution` in PostgreSQL reaches Kafka through Kafka Connect + Debezium (pgoutput), and
 * `decodeRecordExecutionEvent` turns each event into the seed's key/value shape.
 * Isolated per run: its own schema, publication, replication slot, topic prefix and connector.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { decodeRecordExecutionEvent, type RecordExecutionChange } from '../../src/pipeline/debezium-event.ts';
import { seedConnectorConfig } from '../../src/pipeline/seed-intake.ts';
import { requireConnect, requireKafka, requirePostgres, uniqueName, KAFKA_CONNECT_URL } from '../support/services.ts';

const { Kafka, logLevel } = KafkaJS;
const SLOT_PREFIX = 'smoke_dbz';

async function connectApi(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await fetch(`${KAFKA_CONNECT_URL}${path}`, {
    method,
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Polls `probe` every 200 ms until it returns a truthy value; fails with `what` (and the last value) after `ms`. */
async function waitFor<T>(what: string, ms: number, probe: () => Promise<T>): Promise<NonNullable<T>> {
  const end = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await probe();
    if (last) return last as NonNullable<T>;
    if (Date.now() > end) throw new Error(`${what}: not reached within ${ms} ms (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('an insert, update and delete in record_execution arrive through Debezium and decode to the seed shape', async () => {
  const pgUrl = await requirePostgres({ logical: true });
  await requireConnect();
  const brokers = await requireKafka();

  const name = uniqueName(SLOT_PREFIX); // schema, slot, publication, topic prefix and connector name
  const topic = `${name}.${name}.record_execution`;
  const sql = new pg.Client({ connectionString: pgUrl });
  await sql.connect();
  const kafka = new Kafka({ kafkaJS: { brokers, logLevel: logLevel.ERROR } });
  const admin = kafka.admin();
  await admin.connect();
  try {
    // Slots of earlier runs that died before their cleanup would keep WAL forever: drop the idle ones.
    await sql.query(
      `SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name LIKE $1 AND NOT active`,
      [`${SLOT_PREFIX}_%`],
    );
    // The seed's table (spec/seed-pocs.md §1.3), in a schema of this run's own.
    await sql.query(`CREATE SCHEMA ${name}`);
    await sql.query(`CREATE TABLE ${name}.record_execution (
      dataset_id VARCHAR(255) NOT NULL, execution_id VARCHAR(255) NOT NULL, execution_name VARCHAR(255) NOT NULL,
      record_id VARCHAR(255) NOT NULL, record_data TEXT NOT NULL, execution_parameters JSON,
      PRIMARY KEY (dataset_id, execution_id, record_id))`);
    const insert = `INSERT INTO ${name}.record_execution
      (dataset_id, execution_id, record_id, record_data, execution_name, execution_parameters) VALUES ($1, $2, $3, $4, $5, $6)`;
    // Before the connector exists: arrives through the initial snapshot (op r).
    await sql.query(insert, [
      '1',
      '1',
      '1',
      '',
      'oai_topology',
      '{"oaiEndpoint":"http://127.0.0.1:1/oai","oaiMetadataPrefix":"edm","oaiSet":"set é"}',
    ]);
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });

    // The seed's connector (spec/seed-pocs.md §1.4), with Debezium 3's name for its delete handling:
    // unwrap to flat rows, a delete becomes the row with __deleted=true followed by a tombstone.
    // The product's own connector configuration (seed-intake.ts), in this run's schema and names.
    const created = await connectApi('PUT', `/connectors/${name}/config`, {
      ...seedConnectorConfig({ connectUrl: KAFKA_CONNECT_URL, pgUrl, name, topicPrefix: name, schema: name }),
      'slot.drop.on.stop': 'true',
    });
    assert.equal(created.status, 201, `creating the connector: HTTP ${created.status} ${JSON.stringify(created.json)}`);

    // Changes after the slot exists are streamed from the WAL (ops c, u, d), whatever the snapshot's progress.
    await waitFor('replication slot created by Debezium', 60_000, async () => {
      const s = await connectApi('GET', `/connectors/${name}/status`);
      const failed = [s.json?.connector, ...(s.json?.tasks ?? [])].find((x) => x?.state === 'FAILED');
      if (failed) throw new Error(`connector failed: ${failed.trace ?? JSON.stringify(failed)}`);
      const r = await sql.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1', [name]);
      return r.rowCount === 1;
    });
    await sql.query(insert, ['1', '1', '2', '<rdf:RDF/>', 'validation_topology', null]);
    await sql.query(`UPDATE ${name}.record_execution SET record_data = 'updated' WHERE record_id = '1'`);
    await sql.query(`DELETE FROM ${name}.record_execution WHERE record_id = '2'`);

    const consumer = kafka.consumer({
      kafkaJS: { groupId: `${name}_reader`, fromBeginning: true, autoCommit: false },
      'isolation.level': 'read_committed',
    });
    const changes: RecordExecutionChange[] = [];
    const EXPECTED = 5; // snapshot r, insert c, update u, delete (rewritten row) and its tombstone
    await consumer.connect();
    try {
      await consumer.subscribe({ topics: [topic] });
      // 180 s: on a loaded 2-core machine (a CI run beside a crash proof and a soak) Connect's JVM
      // took over 60 s from the snapshot to the streamed changes. Only a failure waits that long.
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => {
          reject(
            new Error(
              `only ${changes.length} of ${EXPECTED} change events on ${topic} within 180 s: ${JSON.stringify(changes)}`,
            ),
          );
        }, 180_000);
        consumer
          .run({
            eachMessage: async ({ message }) => {
              changes.push(decodeRecordExecutionEvent(message.key, message.value));
              if (changes.length === EXPECTED) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .catch(reject);
      });
    } finally {
      await consumer.disconnect();
    }

    const key = (record_id: string) => ({ dataset_id: '1', execution_id: '1', record_id });
    const harvest = { oaiEndpoint: 'http://127.0.0.1:1/oai', oaiMetadataPrefix: 'edm', oaiSet: 'set é' };
    assert.deepEqual(changes, [
      {
        kind: 'upsert',
        key: key('1'),
        value: { record_data: '', execution_name: 'oai_topology', execution_parameters: harvest },
      },
      {
        kind: 'upsert',
        key: key('2'),
        value: { record_data: '<rdf:RDF/>', execution_name: 'validation_topology', execution_parameters: null },
      },
      {
        kind: 'upsert',
        key: key('1'),
        value: { record_data: 'updated', execution_name: 'oai_topology', execution_parameters: harvest },
      },
      { kind: 'delete', key: key('2') },
      { kind: 'delete', key: key('2') },
    ]);
  } finally {
    await connectApi('DELETE', `/connectors/${name}`).catch(() => {});
    // slot.drop.on.stop drops the slot when the task stops; wait for that, and drop it ourselves if not.
    await waitFor('replication slot released', 30_000, async () => {
      const r = await sql.query('SELECT active FROM pg_replication_slots WHERE slot_name = $1', [name]);
      return r.rowCount === 0 || !r.rows[0].active;
    }).catch(() => {});
    await sql.query(
      'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active',
      [name],
    );
    await sql.query(`DROP PUBLICATION IF EXISTS ${name}`);
    await sql.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
    await sql.end();
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
});
