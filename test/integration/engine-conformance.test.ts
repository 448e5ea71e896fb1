/**
 * Conformance: the same topologies on the LocalRuntime and on Kafka (exactly-once) give the same
 * committed output, per topic, partition and key.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KafkaRuntime, LocalRuntime } from '../../src/engine/index.ts';
import { conformanceCases, keyedViewOf, type ConformanceCase } from '../engine/conformance-topologies.ts';
import { BROKERS, createTopic, produceAll, readCommitted, uniqueName } from './engine-helpers.ts';

const PARTITIONS = 3;

async function runLocal(c: ConformanceCase) {
  const runtime = new LocalRuntime({ topology: c.topology(''), partitions: PARTITIONS, concurrency: c.concurrency, applicationId: 'conf', dlqTopic: 'dlq', wallClock: 'manual' });
  await runtime.start();
  for (const input of c.inputs) runtime.produce(c.inputTopic, input.key, input.value, {}, input.timestamp);
  await runtime.drain();
  await runtime.stop();
  return keyedViewOf(c.outputTopics.flatMap((t) => runtime.read(t)), '');
}

async function runKafka(c: ConformanceCase, local: Record<string, string[]>) {
  const prefix = `${uniqueName('conf')}-`;
  const topics = Object.fromEntries([...c.outputTopics, c.inputTopic].map((t) => [`${prefix}${t}`, PARTITIONS]));
  await createTopic(`${prefix}${c.inputTopic}`, PARTITIONS);
  const runtime = new KafkaRuntime({ topology: c.topology(prefix), brokers: BROKERS, applicationId: `${prefix}app`, concurrency: c.concurrency, dlqTopic: `${prefix}dlq`, topics });
  await runtime.start();
  try {
    await produceAll(`${prefix}${c.inputTopic}`, c.inputs);
    const expectedCount = (t: string) => Object.entries(local).filter(([k]) => k.startsWith(`${t}/`)).reduce((n, [, v]) => n + v.length, 0);
    const records = [];
    for (const t of c.outputTopics) records.push(...(await readCommitted(`${prefix}${t}`, (rs) => rs.length >= expectedCount(t))));
    return keyedViewOf(records, prefix);
  } finally {
    await runtime.stop();
  }
}

describe('conformance: LocalRuntime and KafkaRuntime give the same output', () => {
  for (const c of conformanceCases) {
    it(c.name, async () => {
      const local = await runLocal(c);
      assert.ok(Object.keys(local).length > 0);
      const kafka = await runKafka(c, local);
      assert.deepEqual(kafka, local);
    });
  }
});
