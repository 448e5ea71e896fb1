import assert from 'node:assert/strict';
import { it } from 'node:test';
import { murmur2, partitionForKey } from '../../src/engine/index.ts';

it('murmur2 matches the Java client (reference values from librdkafka unittest_murmur2)', () => {
  const cases: Array<[string, number]> = [
    ['kafka', 0xd067cf64],
    ['giberish123456789', 0x8f552b0c],
    ['1234', 0x9fc97b14],
    ['234', 0xe7c009ca],
    ['34', 0x873930da],
    ['4', 0x5a4b5ca1],
    ['', 0x106e08d9],
  ];
  for (const [key, expected] of cases) assert.equal(murmur2(Buffer.from(key)) >>> 0, expected, key);
  assert.equal(partitionForKey(Buffer.from('kafka'), 10), (0xd067cf64 & 0x7fffffff) % 10);
});
