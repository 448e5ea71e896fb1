/**
 * Task-style assignment on a real broker: two runtimes of one application, subscribed to three
 * co-partitioned topics of 4 partitions, each end up with half of every topic and the same partition
 * numbers in each (what Kafka Streams calls a task: one partition number across the topics), so a
 * pipeline stage is never owned by one worker alone. With the classic protocol's cooperative-sticky
 * assignor the partition count was balanced over all topics together (kafka-config.ts says why the
 * KIP-848 protocol with the broker's range assignor is the default).
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { KafkaRuntime, Topology, stringSerde } from '../../src/engine/index.ts';
import { BROKERS, createTopic, uniqueName } from './engine-helpers.ts';

const PARTITIONS = 4;

function topology(topics: string[]): Topology {
  const t = new Topology();
  for (const topic of topics) t.addSource(`src-${topic}`, { topics: [topic], keySerde: stringSerde, valueSerde: stringSerde });
  t.addProcessor('noop', { parents: topics.map((topic) => `src-${topic}`), supplier: () => ({ process() {} }) });
  return t;
}

/** topic → partition numbers this runtime owns. */
function owned(runtime: KafkaRuntime): Map<string, number[]> {
  const byTopic = new Map<string, number[]>();
  for (const p of runtime.metrics().partitions) byTopic.set(p.topic, [...(byTopic.get(p.topic) ?? []), p.partition].sort());
  return byTopic;
}

it('two runtimes each own the same half of every co-partitioned topic', { timeout: 180_000 }, async () => {
  const app = uniqueName('assign');
  const topics = ['a', 'b', 'c'].map((t) => `${app}.${t}`);
  for (const topic of topics) await createTopic(topic, PARTITIONS);
  const runtimes = ['w1', 'w2'].map(
    (instanceId) => new KafkaRuntime({ topology: topology(topics), applicationId: app, brokers: BROKERS, instanceId, defaultPartitions: PARTITIONS }),
  );
  try {
    await Promise.all(runtimes.map((r) => r.start()));
    // Wait for the outcome (each owns 6 partitions), however long the group takes on a loaded machine.
    const deadline = Date.now() + 150_000;
    let views = runtimes.map(owned);
    while (!views.every((v) => [...v.values()].flat().length === (topics.length * PARTITIONS) / 2)) {
      assert.ok(Date.now() < deadline, `no balanced assignment within 150 s: ${JSON.stringify(views.map((v) => [...v]))}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
      views = runtimes.map(owned);
    }
    const numbers = views.map((v) => {
      assert.deepEqual([...v.keys()].sort(), [...topics].sort(), 'each runtime owns partitions of every topic');
      const sets = [...v.values()].map((ps) => ps.join(','));
      assert.equal(new Set(sets).size, 1, `the same partition numbers in every topic: ${JSON.stringify([...v])}`);
      return [...v.values()][0];
    });
    assert.deepEqual([...numbers[0], ...numbers[1]].sort(), [0, 1, 2, 3], 'together they own every partition number once');
  } finally {
    await Promise.all(runtimes.map((r) => r.stop()));
  }
});
