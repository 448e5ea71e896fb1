/**
 * Bounded state on Kafka (issue #11 item 4): a store whose keys are deleted when their task ends
 * writes tombstones to its changelog; compaction then drops the ended tasks' keys, so a restore reads
 * about the live keys, however many tasks ran before. Five tasks of 300 keys end, one of 50 runs on;
 * the changelog (created here with a fast compaction: segment.ms, delete.retention.ms and the dirty
 * ratio lowered through `changelogTopicConfig`) shrinks to the live keys, and a new runtime restores
 * 51 keys from at most 60 changelog records instead of 1,550 puts and 1,500 deletes.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { KafkaRuntime, Topology, stringSerde, changelogTopic, type Processor, type ProcessorContext, type KeyValueStore, type StreamRecord } from '../../src/engine/index.ts';
import { BROKERS, createTopic, produceAll, uniqueName } from './engine-helpers.ts';
import { readCommitted } from '../support/outcome-duplicates.ts';

class Admissions implements Processor<string, string> {
  private seen!: KeyValueStore<string, string>;
  init(ctx: ProcessorContext): void {
    this.seen = ctx.getStateStore('seen');
  }
  process(record: StreamRecord<string, string>): void {
    const [op, task, id] = record.value.split(':');
    if (op === 'put') this.seen.put(`${task}|${id}`, id);
    else if (op === 'end') for (const [key] of this.seen.entries()) if (key.startsWith(`${task}|`)) this.seen.delete(key);
  }
}

const FAST_COMPACTION = { 'segment.ms': '100', 'min.cleanable.dirty.ratio': '0.01', 'delete.retention.ms': '100', 'min.compaction.lag.ms': '0' };

it('tombstones of ended tasks are compacted away: the restore reads the live keys only', { timeout: 400_000 }, async () => {
  const input = uniqueName('prune-in');
  const app = uniqueName('prune-app');
  await createTopic(input, 1);
  const topology = () =>
    new Topology()
      .addSource('in', { topics: input, keySerde: stringSerde, valueSerde: stringSerde })
      .addProcessor('admit', { parents: ['in'], supplier: () => new Admissions() })
      .addStateStore({ name: 'seen', keySerde: stringSerde, valueSerde: stringSerde }, ['admit']);
  const records: Array<{ key: string; value: string }> = [];
  for (let t = 1; t <= 5; t++) {
    for (let i = 0; i < 300; i++) records.push({ key: 'k', value: `put:t${t}:${i}` });
    records.push({ key: 'k', value: `end:t${t}` });
  }
  for (let i = 0; i < 50; i++) records.push({ key: 'k', value: `put:live:${i}` });
  await produceAll(input, records);

  let first: KafkaRuntime | undefined = new KafkaRuntime({ topology: topology(), brokers: BROKERS, applicationId: app, changelogTopicConfig: FAST_COMPACTION });
  await first.start();
  const changelog = changelogTopic(app, 'seen');
  const count = async () => {
    let n = 0;
    await readCommitted(BROKERS, changelog, () => n++);
    return n;
  };
  // Until compaction ran: keep writing (a segment rolls only when a record arrives after segment.ms).
  const deadline = Date.now() + 300_000;
  let n = 0;
  for (let beat = 0; ; beat++) {
    n = await count();
    if (n <= 60 && beat > 0) break;
    if (Date.now() > deadline) assert.fail(`the changelog still holds ${n} records after 300 s`);
    await produceAll(input, [{ key: 'k', value: 'put:live:hb' }]);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
  await first.stop();
  first = undefined;

  const restored: number[] = [];
  let size = -1;
  class Probe extends Admissions {
    override init(ctx: ProcessorContext): void {
      super.init(ctx);
      size = ctx.getStateStore('seen').size;
    }
  }
  const second = new KafkaRuntime({
    topology: new Topology()
      .addSource('in', { topics: input, keySerde: stringSerde, valueSerde: stringSerde })
      .addProcessor('admit', { parents: ['in'], supplier: () => new Probe() })
      .addStateStore({ name: 'seen', keySerde: stringSerde, valueSerde: stringSerde }, ['admit']),
    brokers: BROKERS,
    applicationId: app,
    hooks: { restored: (r) => restored.push(r.records) },
  });
  await second.start();
  const wait = Date.now() + 60_000;
  while (size < 0 && Date.now() < wait) await new Promise((resolve) => setTimeout(resolve, 100));
  await second.stop();
  assert.equal(size, 51, 'the live task’s 50 keys and the heartbeat key');
  assert.equal(restored.length, 1);
  assert.ok(restored[0] <= 60, `restore read ${restored[0]} changelog records (of ${1550 + 1500} written)`);
});
