/**
 * Serdes turn typed keys and values into bytes and back. `null` bytes (a Kafka null key or a
 * tombstone value) are passed to `deserialize` so a serde can decide what null means.
 */
import type { ZodType } from 'zod';

export interface Serde<T> {
  serialize(value: T): Buffer | null;
  /** Throws on malformed input: the runtime sends that record to the dead-letter topic. */
  deserialize(data: Buffer | null): T;
}

/** UTF-8 strings; null stays null. */
export const stringSerde: Serde<string | null> = {
  serialize: (v) => (v === null ? null : Buffer.from(v, 'utf8')),
  deserialize: (b) => (b === null ? null : b.toString('utf8')),
};

/** Raw bytes, untouched. */
export const bytesSerde: Serde<Buffer | null> = {
  serialize: (v) => v,
  deserialize: (b) => b,
};

/** JSON without validation; null bytes become `null`. */
export function jsonSerde<T = unknown>(): Serde<T> {
  return {
    serialize: (v) => (v === null || v === undefined ? null : Buffer.from(JSON.stringify(v), 'utf8')),
    deserialize: (b) => (b === null ? null : JSON.parse(b.toString('utf8'))) as T,
  };
}

/**
 * JSON validated by a zod schema on the way in (external input) and typed on the way out.
 * A record that fails validation throws, and so goes to the dead-letter topic.
 */
export function zodJsonSerde<T>(schema: ZodType<T>): Serde<T> {
  return {
    serialize: (v) => (v === null || v === undefined ? null : Buffer.from(JSON.stringify(v), 'utf8')),
    deserialize: (b) => schema.parse(b === null ? null : JSON.parse(b.toString('utf8'))),
  };
}
