/**
 * The conformance topologies on the LocalRuntime, checked against outputs computed here by hand;
 * the integration suite then checks that Kafka gives the same as the LocalRuntime.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LocalRuntime, partitionForKey } from '../../src/engine/index.ts';
import { asyncConcurrent, stateless, statefulCount, viewOf, type ConformanceCase } from './conformance-topologies.ts';

const PARTITIONS = 3;

async function runLocal(c: ConformanceCase) {
  const runtime = new LocalRuntime({
    topology: c.topology(''),
    partitions: PARTITIONS,
    concurrency: c.concurrency,
    applicationId: 'conf',
    dlqTopic: 'dlq',
    wallClock: 'manual',
  });
  await runtime.start();
  for (const input of c.inputs) runtime.produce(c.inputTopic, input.key, input.value, {}, input.timestamp);
  await runtime.drain();
  await runtime.stop();
  return runtime;
}

const partitionOf = (key: string) => partitionForKey(Buffer.from(key), PARTITIONS);

describe('LocalRuntime conformance', () => {
  it('stateless: maps, filters, branches, routes per record and dead-letters throwing records', async () => {
    const runtime = await runLocal(stateless);
    const out = viewOf(
      ['short', 'long', 'routed-a', 'routed-b', 'dlq'].flatMap((t) => runtime.read(t)),
      '',
    );
    const expected: Record<string, string[]> = {};
    // Inputs of one partition are processed in order, outputs go to the key's partition.
    const byPartition = [0, 1, 2].map((p) =>
      stateless.inputs.map((inp, i) => ({ ...inp, i })).filter((x) => partitionOf(x.key) === p),
    );
    for (const inputs of byPartition) {
      for (const { key, value, i } of inputs) {
        const p = partitionOf(key);
        if (value === 'boom') {
          (expected[`dlq/${p}`] ??= []).push(
            `${key}=boom ${JSON.stringify([
              ['x-error-message', 'boom value'],
              ['x-source-offset', String(inputs.findIndex((x) => x.i === i))],
            ])}`,
          );
          continue;
        }
        if (value === 'skip') continue;
        const v = value.toUpperCase();
        const line = `${key}=${v} ${JSON.stringify([['mapped', 'yes']])}`;
        (expected[`${v.length > 10 ? 'long' : 'short'}/${p}`] ??= []).push(line);
        (expected[`${key.length % 2 === 0 ? 'routed-a' : 'routed-b'}/${p}`] ??= []).push(line);
      }
    }
    assert.deepEqual(out, expected);
    const m = runtime.metrics();
    assert.equal(m.processors.map.errors, stateless.inputs.filter((x) => x.value === 'boom').length);
    assert.equal(m.deadLettered, m.processors.map.errors);
    assert.ok(m.partitions.every((p) => p.lag === 0 && p.committed === p.endOffset));
  });

  it('stateful count: exact counts, changelog holds the final counts, punctuation by stream time', async () => {
    const runtime = await runLocal(statefulCount);
    const counts = runtime.read('counts');
    const expectedCounts = new Map<string, number>();
    for (const { key } of statefulCount.inputs) expectedCounts.set(key, (expectedCounts.get(key) ?? 0) + 1);
    const last = new Map<string, number>();
    for (const r of counts) last.set(r.key!.toString(), Number(r.value!.toString()));
    assert.deepEqual(last, expectedCounts);
    assert.equal(counts.length, statefulCount.inputs.length);
    const changelog = runtime.read('conf-counts-changelog');
    const fromChangelog = new Map<string, number>();
    for (const r of changelog) fromChangelog.set(r.key!.toString(), Number(r.value!.toString()));
    assert.deepEqual(fromChangelog, expectedCounts);
    // Each partition's punctuator fires when stream time crosses a 50 ms boundary (3 ms per record).
    const summaries = runtime.read('summaries');
    assert.ok(summaries.length > 10, `got ${summaries.length} summaries`);
    for (const p of [0, 1, 2]) {
      const values = summaries
        .filter((s) => s.key!.toString() === `__keys-${p}`)
        .map((s) => Number(s.value!.toString()));
      assert.deepEqual(
        values,
        [...values].sort((a, b) => a - b),
        'key count only grows',
      );
    }
  });

  it('restores a store from its changelog when a new runtime takes over the log', async () => {
    const first = await runLocal(statefulCount);
    const second = new LocalRuntime({
      topology: statefulCount.topology(''),
      log: first.log,
      applicationId: 'conf',
      wallClock: 'manual',
    });
    await second.start();
    second.produce('in', 'k0', 'again', {}, 99_999);
    await second.drain();
    await second.stop();
    const counts = second.read('counts');
    const before = statefulCount.inputs.filter((x) => x.key === 'k0').length;
    assert.equal(
      counts
        .filter((r) => r.key?.toString() === 'k0')
        .map((r) => Number(r.value))
        .at(-1),
      before + 1,
    );
  });

  it('async: outputs stay in input order per partition with 8 in flight, failures dead-lettered', async () => {
    const runtime = await runLocal(asyncConcurrent);
    const out = runtime.read('out');
    for (const p of [0, 1, 2]) {
      const expected = asyncConcurrent.inputs
        .filter((x) => partitionOf(x.key) === p && Number(x.value) % 50 !== 3)
        .map((x) => `done-${x.value}`);
      // Outputs land on the key's partition; input partition p equals output partition p here.
      assert.deepEqual(
        out.filter((r) => r.partition === p).map((r) => r.value!.toString()),
        expected,
      );
    }
    const dlq = runtime.read('dlq');
    assert.deepEqual(dlq.map((r) => r.value!.toString()).sort(), ['103', '153', '3', '53']);
  });
});
