/**
 * Dead-letter records: a failed input record goes to the dead-letter topic as its original key, value
 * and headers plus the `x-error-*` / `x-source-*` headers below. One zod schema describes those headers;
 * the engine writes them with `deadLetterRecord` and readers of the dead-letter topic decode them with
 * `readDeadLetterHeaders` (public API), so writer and reader cannot drift apart.
 */
import { z } from 'zod';
import type { EngineError } from './errors.ts';
import type { Headers, LogRecord, OutputRecord } from './record.ts';

const offsetHeader = z
  .string()
  .regex(/^-?\d+$/)
  .transform(Number);

/** The headers the engine adds to a dead-lettered record (header values are strings). */
export const deadLetterHeadersSchema = z.object({
  /** The error's message. */
  'x-error-message': z.string(),
  /** The EngineError code (ENGINE_PROCESSING, ENGINE_DESERIALIZATION, ...). */
  'x-error-code': z.string(),
  /** Where it failed: deserialize, process, serialize, punctuate. */
  'x-error-stage': z.string(),
  /** The topology node that failed. */
  'x-error-node': z.string(),
  'x-source-topic': z.string(),
  'x-source-partition': offsetHeader,
  'x-source-offset': offsetHeader,
});

/** The dead-letter headers as written (strings). */
export type DeadLetterHeaders = z.input<typeof deadLetterHeadersSchema>;
/** The dead-letter headers decoded (partition and offset as numbers). */
export type DeadLetterInfo = z.output<typeof deadLetterHeadersSchema>;

/** The dead-letter record of `record`, which failed at `stage` in `node`. */
export function deadLetterRecord(
  dlqTopic: string,
  record: LogRecord,
  error: EngineError,
  stage: string,
  node: string,
): OutputRecord {
  const headers: DeadLetterHeaders = {
    'x-error-message': error.message,
    'x-error-code': error.code,
    'x-error-stage': stage,
    'x-error-node': node,
    'x-source-topic': record.topic,
    'x-source-partition': String(record.partition),
    'x-source-offset': String(record.offset),
  };
  return {
    topic: dlqTopic,
    key: record.key,
    value: record.value,
    timestamp: record.timestamp,
    headers: { ...record.headers, ...headers },
  };
}

/** Decodes the dead-letter headers of a record read from a dead-letter topic; undefined if they are missing or malformed. */
export function readDeadLetterHeaders(headers: Headers): DeadLetterInfo | undefined {
  const parsed = deadLetterHeadersSchema.safeParse(headers);
  return parsed.success ? parsed.data : undefined;
}
