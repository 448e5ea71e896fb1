/**
 * External transactional sinks on Kafka: `Processor.commit` receives the offsets being committed
 * after the rows up to them were processed, and `offsetStore` decides where a task resumes.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { KafkaRuntime, Topology, stringSerde, type Processor, type StreamRecord, type TopicPartitionOffset } from '../../src/engine/index.ts';
import { BROKERS, createTopic, produceAll, uniqueName } from './engine-helpers.ts';

/** A pretend database: rows and offsets written together by `commit`. */
class Database {
  rows: string[] = [];
  offsets = new Map<string, number>();
  write(rows: string[], offsets: TopicPartitionOffset[]): void {
    this.rows.push(...rows);
    for (const o of offsets) this.offsets.set(`${o.topic}/${o.partition}`, o.offset);
  }
}

function topology(input: string, db: Database) {
  class RowSink implements Processor<string, string> {
    private buffer: string[] = [];
    process(record: StreamRecord<string, string>): void {
      this.buffer.push(record.value);
    }
    async commit(offsets: TopicPartitionOffset[]): Promise<void> {
      db.write(this.buffer, offsets);
      this.buffer = [];
    }
  }
  return new Topology().addSource('in', { topics: input, keySerde: stringSerde, valueSerde: stringSerde }).addProcessor('rows', { parents: ['in'], supplier: () => new RowSink() });
}

async function until(check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

it('commit participants get offsets with their rows, and the offset store decides where tasks resume', async () => {
  const input = uniqueName('os-in');
  await createTopic(input, 2);
  const db = new Database();
  await produceAll(input, Array.from({ length: 200 }, (_, i) => ({ key: `k${i % 10}`, value: `a${i}` })));
  const first = new KafkaRuntime({ topology: topology(input, db), brokers: BROKERS, applicationId: uniqueName('os-app') });
  await first.start();
  await until(() => db.rows.length >= 200);
  await first.stop();
  assert.equal(db.rows.length, 200);
  const total = [...db.offsets.values()].reduce((a, b) => a + b, 0);
  assert.equal(total, 200, 'committed offsets cover exactly the rows written');

  // A new group has no Kafka offsets; the offset store (the "database") says where to resume.
  const second = new KafkaRuntime({
    topology: topology(input, db),
    brokers: BROKERS,
    applicationId: uniqueName('os-app2'),
    offsetStore: { load: async (_app, topic, partition) => db.offsets.get(`${topic}/${partition}`) },
  });
  await second.start();
  await produceAll(input, Array.from({ length: 20 }, (_, i) => ({ key: `k${i % 10}`, value: `b${i}` })));
  await until(() => db.rows.length >= 220);
  await second.stop();
  assert.deepEqual(db.rows.slice(200).sort(), Array.from({ length: 20 }, (_, i) => `b${i}`).sort());
  assert.equal(db.rows.length, 220);
});
