import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { Producer } from '@confluentinc/kafka-javascript';
import { tryProduce } from '../../src/engine/kafka-client.ts';

// The binding keeps any opaque but undefined (null too) in a persistent handle that only a delivery
// report frees; the exactly-once producer has no delivery reports, so each such produce leaked ~70
// bytes of native memory (the worker's malloc arena grew ~18 MB per 10,000 records).
function recordingProducer(): { producer: Producer; calls: unknown[][] } {
  const calls: unknown[][] = [];
  const producer = { produce: (...args: unknown[]) => void calls.push(args), poll: () => undefined } as unknown as Producer;
  return { producer, calls };
}

const record = { topic: 't', partition: 1, key: Buffer.from('k'), value: Buffer.from('v'), timestamp: 5, headers: { h: 'x' } };

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
