/**
 * Commit participants (external transactional sinks) on Kafka run in a round of their own: the other
 * tasks' outputs are committed while a participant's transaction is still running, and the
 * participant's offsets are committed only after it succeeded.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { KafkaRuntime, Topology, stringSerde, type Processor, type StreamRecord, type TopicPartitionOffset } from '../../src/engine/index.ts';
import { BROKERS, createTopic, produceAll, readCommitted, uniqueName } from './engine-helpers.ts';

it("commits other tasks' outputs while a commit participant's transaction is still running", async () => {
  const input = uniqueName('pr-in');
  const output = uniqueName('pr-out');
  const rowsTopic = uniqueName('pr-rows');
  await createTopic(input, 1);
  await createTopic(output, 1);
  await createTopic(rowsTopic, 1);
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let commitsStarted = 0;
  const rows: string[] = [];
  const dbOffsets = new Map<string, number>();
  class SlowSink implements Processor<string, string> {
    private buffer: string[] = [];
    process(record: StreamRecord<string, string>): void {
      this.buffer.push(record.value);
    }
    async commit(offsets: TopicPartitionOffset[]): Promise<void> {
      commitsStarted++;
      await held;
      rows.push(...this.buffer);
      this.buffer = [];
      for (const o of offsets) dbOffsets.set(`${o.topic}/${o.partition}`, o.offset);
    }
  }
  const topology = new Topology()
    .addSource('in', { topics: input, keySerde: stringSerde, valueSerde: stringSerde })
    .addProcessor('map', {
      parents: ['in'],
      supplier: (): Processor<string, string, string, string> => ({
        process: (record, ctx) => ctx.forward(record.withValue(record.value.toUpperCase())),
      }),
    })
    .addSink('out', { topic: output, parents: ['map'], keySerde: stringSerde, valueSerde: stringSerde })
    .addSource('rows-in', { topics: rowsTopic, keySerde: stringSerde, valueSerde: stringSerde })
    .addProcessor('rows', { parents: ['rows-in'], supplier: () => new SlowSink() });
  const applicationId = uniqueName('pr-app');
  const runtime = new KafkaRuntime({
    topology,
    brokers: BROKERS,
    applicationId,
    offsetStore: { load: async (_app, topic, partition) => dbOffsets.get(`${topic}/${partition}`) },
  });
  await runtime.start();
  try {
    await produceAll(rowsTopic, [{ key: 'k', value: 'r1' }]);
    const deadline = Date.now() + 60_000;
    while (commitsStarted === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.equal(commitsStarted, 1, "the sink's commit started");
    await produceAll(input, [{ key: 'k', value: 'a' }]);
    const out = await readCommitted(output, (records) => records.length >= 1);
    assert.deepEqual(out.map((r) => r.value?.toString()), ['A']);
    assert.deepEqual(rows, [], 'the sink has not committed yet');
    const rowsProgress = () => runtime.metrics().partitions.find((p) => p.topic === rowsTopic);
    assert.equal(rowsProgress()?.committed, -1, "the sink's offset waits for its transaction");
    release();
    while (rowsProgress()?.committed !== 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(rows, ['r1']);
    assert.equal(rowsProgress()?.committed, 1);
  } finally {
    release();
    await runtime.stop();
  }
});
