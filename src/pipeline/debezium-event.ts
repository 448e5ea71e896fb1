/**
 * Decodes Debezium change events of the seed's `record_execution` table into the seed's message shape
 * (spec/seed-pocs.md §1.3–1.5): key `{dataset_id, execution_id, record_id}`, value
 * `{record_data, execution_name, execution_parameters}` — the shape the seed's input topology forwards
 * to every step topic, so it keeps the seed's snake_case field names.
 *
 * Accepted event forms (whatever the connector and converter settings, so intake does not depend on them):
 * - the seed's: `ExtractNewRecordState` ("unwrap") SMT, a flat row; a delete is either the row with
 *   `__deleted: "true"` (`delete.handling.mode=rewrite`) or a tombstone (null value);
 * - Debezium's envelope `{before, after, source, op, ts_ms}` with op `c` (insert), `r` (snapshot read),
 *   `u` (update) or `d` (delete);
 * - either of those wrapped as `{schema, payload}` (JsonConverter with `schemas.enable=true`).
 * `execution_parameters` is a PostgreSQL `json` column, which Debezium sends as a JSON *string*; it is
 * parsed here (an object is accepted too, as the seed's `RecordExecutionSerde` does).
 */
import { z } from 'zod';
import { RecordError } from '../errors/index.ts';

export const recordExecutionKeySchema = z.object({
  dataset_id: z.string(),
  execution_id: z.string(),
  record_id: z.string(),
});
export type RecordExecutionKey = z.infer<typeof recordExecutionKeySchema>;

/** One row of `record_execution` as Debezium sends it (json columns as strings, unknown fields dropped). */
const rowSchema = recordExecutionKeySchema.extend({
  record_data: z.string(),
  execution_name: z.string(),
  execution_parameters: z.union([z.string(), z.record(z.string(), z.unknown()), z.null()]).optional(),
  __deleted: z.union([z.string(), z.boolean()]).optional(),
});
type Row = z.infer<typeof rowSchema>;

export interface RecordExecution {
  /** The record's content, or (for a harvest task) the URL to harvest. */
  record_data: string;
  /** Which step runs: `oai_topology`, `validation_topology`, ... (the seed's `TopologyNames`). */
  execution_name: string;
  /** The step's parameters (a JSON object), or null when the column is NULL. */
  execution_parameters: Record<string, unknown> | null;
}

/** The decoded change: a row now present (`upsert`), or a row removed (`delete`, key only). */
export type RecordExecutionChange =
  | {
      kind: 'upsert';
      /** Debezium's operation: `c` insert, `r` snapshot read, `u` update; undefined for unwrapped rows. */
      op?: 'c' | 'r' | 'u';
      key: RecordExecutionKey;
      value: RecordExecution;
    }
  | { kind: 'delete'; op?: 'd'; key: RecordExecutionKey };

export type DebeziumEventErrorCode = 'DEBEZIUM_EVENT_INVALID' | 'DEBEZIUM_EVENT_UNSUPPORTED';

/** A change event that cannot be decoded (a catalogue error); `code` says whether it is malformed or an operation we skip. */
export class DebeziumEventError extends RecordError<DebeziumEventErrorCode> {
  constructor(code: DebeziumEventErrorCode, params: { detail?: string; op?: string }, options?: { cause?: unknown }) {
    super(code, params, options);
    this.name = 'DebeziumEventError';
  }
}

type Bytes = Buffer | Uint8Array | string | null | undefined;

/**
 * Decodes one Kafka message from a Debezium topic of `record_execution` (key and value as the
 * consumer delivered them: bytes, a string, or null).
 * Throws `DebeziumEventError` with code `DEBEZIUM_EVENT_INVALID` for malformed JSON or a row that does
 * not have the table's shape (the message names the field), and `DEBEZIUM_EVENT_UNSUPPORTED` for
 * Debezium operations that carry no row (truncate `t`, logical-decoding message `m`).
 */
export function decodeRecordExecutionEvent(key: Bytes, value: Bytes): RecordExecutionChange {
  const keyJson = unwrapSchema(parseJson(key, 'key'));
  const valueJson = unwrapSchema(parseJson(value, 'value'));
  const parsedKey = keyJson == null ? undefined : check(recordExecutionKeySchema, keyJson, 'key');

  if (valueJson == null) {
    // A tombstone: the row with this key was deleted (Kafka compaction uses it to drop the key).
    if (!parsedKey) throw invalid('a tombstone (null value) needs a key');
    return { kind: 'delete', key: parsedKey };
  }
  if (typeof valueJson !== 'object' || Array.isArray(valueJson)) throw invalid('value is not a JSON object');

  const v = valueJson as Record<string, unknown>;
  if (typeof v.op === 'string' && ('after' in v || 'before' in v)) {
    switch (v.op) {
      case 'c':
      case 'r':
      case 'u': {
        const row = check(rowSchema, v.after, 'value.after');
        return { kind: 'upsert', op: v.op, key: parsedKey ?? keyOf(row), value: valueOf(row) };
      }
      case 'd': {
        if (parsedKey) return { kind: 'delete', op: 'd', key: parsedKey };
        // Without a message key, the before image must carry the primary key (REPLICA IDENTITY default does).
        return { kind: 'delete', op: 'd', key: check(recordExecutionKeySchema, v.before, 'value.before') };
      }
      default:
        throw new DebeziumEventError('DEBEZIUM_EVENT_UNSUPPORTED', { op: String(v.op) });
    }
  }

  // A flat row: the ExtractNewRecordState SMT (the seed's connector configuration).
  const row = check(rowSchema, v, 'value');
  const rowKey = parsedKey ?? keyOf(row);
  if (row.__deleted === true || row.__deleted === 'true') return { kind: 'delete', key: rowKey };
  return { kind: 'upsert', key: rowKey, value: valueOf(row) };
}

function keyOf(row: Row): RecordExecutionKey {
  return { dataset_id: row.dataset_id, execution_id: row.execution_id, record_id: row.record_id };
}

function valueOf(row: Row): RecordExecution {
  return {
    record_data: row.record_data,
    execution_name: row.execution_name,
    execution_parameters: parseParameters(row.execution_parameters),
  };
}

function parseParameters(p: Row['execution_parameters']): Record<string, unknown> | null {
  if (p == null) return null;
  if (typeof p !== 'string') return p;
  let parsed: unknown;
  try {
    parsed = JSON.parse(p);
  } catch (err) {
    throw invalid(`execution_parameters is not valid JSON: ${(err as Error).message}`, err);
  }
  // The seed reads the column into a Gson JsonObject: a JSON null is NULL, anything but an object is an error.
  if (parsed === null) return null;
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('execution_parameters is not a JSON object');
  return parsed as Record<string, unknown>;
}

function parseJson(b: Bytes, what: string): unknown {
  if (b == null) return null;
  const text = typeof b === 'string' ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8');
  if (text.length === 0) return null;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw invalid(`${what} is not JSON: ${(err as Error).message}`, err);
  }
}

/** JsonConverter with schemas enabled wraps every message as `{schema, payload}`. */
function unwrapSchema(j: unknown): unknown {
  if (j && typeof j === 'object' && !Array.isArray(j) && 'schema' in j && 'payload' in j) {
    return (j as { payload: unknown }).payload;
  }
  return j;
}

function check<S extends z.ZodType>(schema: S, data: unknown, where: string): z.infer<S> {
  const r = schema.safeParse(data);
  if (!r.success) {
    const detail = r.error.issues.map((i) => `${[where, ...i.path.map(String)].join('.')}: ${i.message}`).join('; ');
    throw invalid(`not a record_execution change event: ${detail}`);
  }
  return r.data;
}

function invalid(message: string, cause?: unknown): DebeziumEventError {
  return new DebeziumEventError(
    'DEBEZIUM_EVENT_INVALID',
    { detail: message },
    cause === undefined ? undefined : { cause },
  );
}
