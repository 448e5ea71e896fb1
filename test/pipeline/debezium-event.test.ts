import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { decodeRecordExecutionEvent, DebeziumEventError } from '../../src/pipeline/debezium-event.ts';

// Events captured from Debezium 3.7.0 (PostgreSQL 15, pgoutput, JsonConverter) for the seed's table:
// an insert, an update, a delete and its tombstone, without and with JsonConverter schemas.
const captured = readFileSync(new URL('./fixtures/debezium-record-execution.jsonl', import.meta.url), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { form: string; event: string; key: string | null; value: string | null });

const key = { dataset_id: 'd1', execution_id: 'e1', record_id: 'r1' };

for (const form of ['envelope', 'envelope+schemas']) {
  test(`decodes Debezium's ${form} events: insert, update, delete and tombstone`, () => {
    const events = captured.filter((c) => c.form === form);
    assert.deepEqual(
      events.map((e) => decodeRecordExecutionEvent(e.key === null ? null : Buffer.from(e.key), e.value)),
      [
        {
          kind: 'upsert',
          op: 'c',
          key,
          value: { record_data: '<x/>', execution_name: 'oai_topology', execution_parameters: { a: 1 } },
        },
        {
          kind: 'upsert',
          op: 'u',
          key,
          value: { record_data: '<y/>', execution_name: 'oai_topology', execution_parameters: { a: 1 } },
        },
        { kind: 'delete', op: 'd', key },
        { kind: 'delete', key },
      ],
    );
  });
}

test('decodes the seed unwrapped rows: __deleted rewrites, object parameters, key taken from the row when absent', () => {
  const row = {
    ...key,
    execution_name: 'media_topology',
    record_data: 'x',
    execution_parameters: { p: [1] },
    __deleted: 'false',
  };
  assert.deepEqual(decodeRecordExecutionEvent(null, JSON.stringify(row)), {
    kind: 'upsert',
    key,
    value: { record_data: 'x', execution_name: 'media_topology', execution_parameters: { p: [1] } },
  });
  assert.deepEqual(decodeRecordExecutionEvent(JSON.stringify(key), JSON.stringify({ ...row, __deleted: 'true' })), {
    kind: 'delete',
    key,
  });
  assert.deepEqual(
    decodeRecordExecutionEvent(JSON.stringify(key), JSON.stringify({ ...row, execution_parameters: 'null' })),
    { kind: 'upsert', key, value: { record_data: 'x', execution_name: 'media_topology', execution_parameters: null } },
  );
});

test('a delete without a message key takes the primary key from the before image', () => {
  const del = captured.find((c) => c.form === 'envelope' && c.event === 'delete')!;
  assert.deepEqual(decodeRecordExecutionEvent(null, del.value), { kind: 'delete', op: 'd', key });
});

test('rejects malformed events with a coded error naming the field', () => {
  const invalid = (k: string | null, v: string | null, message: RegExp) =>
    assert.throws(
      () => decodeRecordExecutionEvent(k, v),
      (e: unknown) => e instanceof DebeziumEventError && e.code === 'DEBEZIUM_EVENT_INVALID' && message.test(e.message),
    );
  const row = { ...key, execution_name: 'oai_topology', record_data: '' };
  invalid(null, '{not json', /value is not JSON/);
  invalid(null, null, /tombstone .* needs a key/);
  invalid(null, JSON.stringify({ ...row, record_id: 7 }), /value\.record_id/);
  invalid(
    null,
    JSON.stringify({ op: 'c', before: null, after: { ...row, execution_name: undefined } }),
    /value\.after\.execution_name/,
  );
  invalid(null, JSON.stringify({ ...row, execution_parameters: '{"a":' }), /execution_parameters is not valid JSON/);
  invalid(null, JSON.stringify({ ...row, execution_parameters: '[1]' }), /execution_parameters is not a JSON object/);
  invalid(JSON.stringify({ dataset_id: '1' }), JSON.stringify(row), /key\.execution_id/);
  assert.throws(
    () => decodeRecordExecutionEvent(null, JSON.stringify({ op: 't', before: null, after: null })),
    (e: unknown) => e instanceof DebeziumEventError && e.code === 'DEBEZIUM_EVENT_UNSUPPORTED',
  );
});
