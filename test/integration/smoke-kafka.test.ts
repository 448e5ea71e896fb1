/**
 * Smoke test of the real broker started by scripts/infra-up.sh and of the Kafka client the engine uses:
 * transactions commit and abort, and a read_committed consumer sees the committed records only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KafkaJS } from '@confluentinc/kafka-javascript';
import { requireKafka, uniqueName } from '../support/services.ts';

const { Kafka, logLevel } = KafkaJS;
type KafkaClient = InstanceType<typeof Kafka>;

const PARTITIONS = [0, 1];

/**
 * Reads `topic` from the beginning with the given isolation level until the record valued `end-<p>`
 * has arrived from every partition (the last committed record there), and returns the values seen.
 */
async function readUntilEndMarkers(
  kafka: KafkaClient,
  topic: string,
  isolation: 'read_committed' | 'read_uncommitted',
) {
  const consumer = kafka.consumer({
    kafkaJS: { groupId: uniqueName('smoke_txn_group'), fromBeginning: true, autoCommit: false },
    'isolation.level': isolation,
  });
  const seen: string[] = [];
  const pending = new Set(PARTITIONS.map((p) => `end-${p}`));
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic] });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new Error(
              `${isolation}: end markers ${[...pending].join(', ')} not seen within 30 s; seen: ${seen.join(', ')}`,
            ),
          ),
        30_000,
      );
      consumer
        .run({
          eachMessage: async ({ message }) => {
            const v = message.value?.toString() ?? '';
            seen.push(v);
            pending.delete(v);
            if (pending.size === 0) {
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
  return seen.sort();
}

test('a read_committed consumer sees committed transactions and never aborted ones', async () => {
  const brokers = await requireKafka();
  const kafka = new Kafka({ kafkaJS: { brokers, logLevel: logLevel.ERROR } });
  const topic = uniqueName('smoke_txn');
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS.length }] });
    const producer = kafka.producer({ kafkaJS: { transactionalId: uniqueName('smoke_txn_producer') } });
    await producer.connect();
    try {
      const committed = await producer.transaction();
      await committed.send({ topic, messages: PARTITIONS.map((p) => ({ partition: p, value: `committed-${p}` })) });
      await committed.commit();

      const aborted = await producer.transaction();
      await aborted.send({ topic, messages: PARTITIONS.map((p) => ({ partition: p, value: `aborted-${p}` })) });
      await aborted.abort();

      const last = await producer.transaction();
      await last.send({ topic, messages: PARTITIONS.map((p) => ({ partition: p, value: `end-${p}` })) });
      await last.commit();
    } finally {
      await producer.disconnect();
    }

    assert.deepEqual(await readUntilEndMarkers(kafka, topic, 'read_committed'), [
      'committed-0',
      'committed-1',
      'end-0',
      'end-1',
    ]);
    // The aborted records are in the log: only the isolation level hides them.
    assert.deepEqual(await readUntilEndMarkers(kafka, topic, 'read_uncommitted'), [
      'aborted-0',
      'aborted-1',
      'committed-0',
      'committed-1',
      'end-0',
      'end-1',
    ]);
  } finally {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await admin.disconnect();
  }
});
