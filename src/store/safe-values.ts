/**
 * What the outcome writer does so that no record's values can make its batch impossible to write:
 * record ids that could overflow an index row become a bounded, still unique key; NUL characters
 * (which PostgreSQL `text` and `jsonb` refuse) and lone surrogates (which `jsonb` refuses) in
 * messages, reasons and step data become visible escapes. A record's content is left as it is: if
 * the database still refuses a value, `isDbRefusal` tells the writer to fail that record alone.
 */
import { createHash } from 'node:crypto';
import { isTransientDbError } from '../errors/index.ts';
import type { OutcomeEvent, RecordOutcomeEvent } from '../model/index.ts';

/**
 * The longest record id, in UTF-8 bytes, stored as it is. Keys of `record_result` (task id, step,
 * record id) and the other tables then stay far below PostgreSQL's b-tree row limit (2,704 bytes)
 * whatever the source sends. Europeana ids are at most 255 ASCII characters (`edm/ids.ts`); only ids
 * of records that failed before they had one (an OAI identifier, an archive path) can be longer.
 */
export const MAX_KEY_BYTES = 1024;

/** The SQLSTATE of a database error (`22021`, `54000`, ...), or undefined for any other error. */
export function sqlState(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  // SQLSTATE classes are two digits, or F0, HV, P0, XX: node's own codes (EPIPE, ...) are not.
  return typeof code === 'string' && /^(?:[0-9][0-9A-Z]|F0|HV|P0|XX)[0-9A-Z]{3}$/.test(code) ? code : undefined;
}

/**
 * True for an error by which the database refused a statement for good: it has a SQLSTATE and is
 * not transient (data exceptions class 22, constraint violations class 23, program limits class
 * 54, ...). Trying the same write again cannot help; leaving it out can.
 */
export function isDbRefusal(err: unknown): boolean {
  return sqlState(err) !== undefined && !isTransientDbError(err);
}

/**
 * A record id the tables can key on: itself when it is short and has no NUL, else its first 100
 * characters (NULs shown as `\0`) + `…#sha256:` + the SHA-256 of the whole id, which keeps two long
 * ids apart and the same id on the same row when its outcome is delivered twice.
 */
export function safeKey(id: string, maxBytes = MAX_KEY_BYTES): string {
  if (!id.includes('\u0000') && (id.length * 3 <= maxBytes || Buffer.byteLength(id) <= maxBytes)) return id;
  const hash = createHash('sha256').update(id).digest('hex');
  return `${safeText(id.slice(0, 100))}…#sha256:${hash}`;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Text without NUL characters (shown as `\0`) and lone surrogates (shown as U+FFFD): diagnostics only. */
export function safeText(s: string): string {
  let out = s.includes('\u0000') ? s.replaceAll('\u0000', '\\0') : s;
  if (/[\ud800-\udfff]/.test(out)) out = out.replace(LONE_SURROGATE, '\ufffd');
  return out;
}

/** `value` with every string (keys included) passed through `safeText`. */
export function safeJson<T>(value: T): T {
  if (typeof value === 'string') return safeText(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => safeJson(v)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [safeText(k), safeJson(v)])) as T;
  }
  return value;
}

/** An outcome event whose id, messages, data and reason can be stored (its content is kept as is). */
export function safeEvent(e: OutcomeEvent): OutcomeEvent {
  if (e.kind === 'task') return e.reason === undefined ? e : { ...e, reason: safeText(e.reason) };
  const r: RecordOutcomeEvent = { ...e, recordId: safeKey(e.recordId), messages: safeJson(e.messages) };
  if (e.data) r.data = safeJson(e.data);
  return r;
}
