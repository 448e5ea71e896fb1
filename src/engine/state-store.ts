/**
 * In-memory key-value stores. Every write is also recorded for the store's compacted changelog topic
 * `<applicationId>-<store>-changelog` (partition = the task's input partition), emitted with the
 * writing record's outputs, so the store is restored on (re)assignment exactly as committed.
 */
import type { Serde } from './serde.ts';

export interface KeyValueStore<K, V> {
  readonly name: string;
  get(key: K): V | undefined;
  put(key: K, value: V): void;
  delete(key: K): void;
  /** A snapshot of all entries. */
  entries(): Array<[K, V]>;
  readonly size: number;
}

export interface StoreDefinition<K = any, V = any> {
  name: string;
  keySerde: Serde<K>;
  valueSerde: Serde<V>;
  /** Default true. Without a changelog the store starts empty after every (re)assignment. */
  changelog?: boolean;
}

/** Receives the serialized changelog write; `value` null is a delete (tombstone). */
export type ChangelogWriter = (key: Buffer, value: Buffer | null) => void;

/** The map behind a store; views bound to a record route changelog writes to that record. */
export class InMemoryKeyValueStore<K, V> {
  // The Map key is the key's bytes as a latin1 string; the original key is kept beside the value
  // only when it differs from that string (a string key of ASCII characters is stored once: the
  // admission store holds one entry per record of a running task).
  private readonly data = new Map<string, { key?: K; value: V }>();
  constructor(readonly definition: StoreDefinition<K, V>) {}

  get name(): string {
    return this.definition.name;
  }

  /** Applies a changelog record during restoration (no new changelog write). */
  restore(key: Buffer, value: Buffer | null): void {
    const id = key.toString('latin1');
    if (value === null) this.data.delete(id);
    else
      this.data.set(id, entry(id, this.definition.keySerde.deserialize(key), this.definition.valueSerde.deserialize(value)));
  }

  /** A view whose writes are logged through `log`. */
  view(log: ChangelogWriter | undefined): KeyValueStore<K, V> {
    const { data, definition } = this;
    const keyBytes = (key: K): Buffer => {
      const bytes = definition.keySerde.serialize(key);
      if (bytes === null) throw new TypeError(`store ${definition.name}: null keys are not allowed`);
      return bytes;
    };
    return {
      name: definition.name,
      get: (key) => data.get(keyBytes(key).toString('latin1'))?.value,
      put: (key, value) => {
        const k = keyBytes(key);
        const id = k.toString('latin1');
        data.set(id, entry(id, key, value));
        log?.(k, definition.valueSerde.serialize(value));
      },
      delete: (key) => {
        const k = keyBytes(key);
        data.delete(k.toString('latin1'));
        log?.(k, null);
      },
      entries: () => [...data].map(([id, e]) => [e.key === undefined ? (id as K) : e.key, e.value] as [K, V]),
      get size() {
        return data.size;
      },
    };
  }
}

function entry<K, V>(id: string, key: K, value: V): { key?: K; value: V } {
  return (key as unknown) === id ? { value } : { key, value };
}

/** The changelog topic of a store. */
export function changelogTopic(applicationId: string, storeName: string): string {
  return `${applicationId}-${storeName}-changelog`;
}
