import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { KafkaConsumer, Producer } from '@confluentinc/kafka-javascript';
import { readAllToEnd, tryProduce } from '../../src/engine/kafka-client.ts';

// The binding keeps any opaque but undefined (null too) in a persistent handle that only a delivery
// report frees; the exactly-once producer has no delivery reports, so each such produce leaked ~70
// bytes of native memory (the worker's malloc arena grew ~18 MB per 10,000 records).
function recordingProducer(): { producer: Producer; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const producer = {
    produce: (...args: unknown[]) => void calls.push(args),
    poll: () => undefined,
  } as unknown as Producer;
  return { producer, calls };
}

const record = {
  topic: 't',
  partition: 1,
  key: Buffer.from('k'),
  value: Buffer.from('v'),
  timestamp: 5,
  headers: { h: 'x' },
};

it('a produce without an opaque hands the client undefined, not null', () => {
  const { producer, calls } = recordingProducer();
  assert.equal(tryProduce(producer, record), true);
  assert.equal(calls.length, 1);
  assert.equal(calls[0]!.length, 7);
  assert.equal(calls[0]![5], undefined);
  assert.deepEqual(calls[0]![6], [{ h: 'x' }]);
});

it('an opaque given is passed through (for producers with delivery reports)', () => {
  const { producer, calls } = recordingProducer();
  tryProduce(producer, record, 42);
  assert.equal(calls[0]![5], 42);
});

// A changelog created a moment ago: the client's metadata may not list it yet, and its ListOffsets
// request fails locally (UNKNOWN_PARTITION) before the broker's own not-ready errors would come.
for (const code of [-190, -188, 3, 5]) {
  it(`restore start retries end offsets while the partition is unknown (code ${code})`, async () => {
    let asked = 0;
    const consumer = {
      offsetsForTimes(
        partitions: Array<{ topic: string; partition: number }>,
        _timeout: number,
        cb: (err: unknown, r?: unknown) => void,
      ) {
        asked++;
        if (asked < 3) cb(Object.assign(new Error('not ready'), { code }));
        else
          cb(
            null,
            partitions.map((p) => ({ ...p, offset: 0 })),
          );
      },
    } as unknown as KafkaConsumer;
    const counts = await readAllToEnd(consumer, [{ topic: 'c-changelog', partition: 0 }], () =>
      assert.fail('nothing to read'),
    );
    assert.deepEqual(counts, [0]);
    assert.equal(asked, 3);
  });
}

it('restore start does not retry other errors', async () => {
  const consumer = {
    offsetsForTimes: (_p: unknown, _t: number, cb: (err: unknown) => void) =>
      cb(Object.assign(new Error('Local: Broker transport failure'), { code: -195 })),
  } as unknown as KafkaConsumer;
  await assert.rejects(
    readAllToEnd(consumer, [{ topic: 'c', partition: 0 }], () => undefined),
    /end offsets of changelogs: Local: Broker transport failure/,
  );
});
