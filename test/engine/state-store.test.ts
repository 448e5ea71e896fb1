import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InMemoryKeyValueStore } from '../../src/engine/state-store.ts';
import { jsonSerde, stringSerde } from '../../src/engine/serde.ts';

describe('InMemoryKeyValueStore', () => {
  it('gives back every key as it was put, whether kept once (ASCII string) or beside the value', () => {
    const writes: Array<[string, string | null]> = [];
    const store = new InMemoryKeyValueStore({ name: 's', keySerde: stringSerde, valueSerde: jsonSerde<number>() });
    const view = store.view((k, v) => writes.push([k.toString('utf8'), v === null ? null : v.toString('utf8')]));
    view.put('task-1|/9200/rec_1', 1);
    view.put('tâche|é', 2); // UTF-8 bytes read as latin1 differ from the key: kept beside the value
    view.put('task-1|/9200/rec_2', 3);
    view.delete('task-1|/9200/rec_2');
    assert.equal(view.get('task-1|/9200/rec_1'), 1);
    assert.equal(view.get('tâche|é'), 2);
    assert.equal(view.get('task-1|/9200/rec_2'), undefined);
    assert.deepEqual(view.entries(), [['task-1|/9200/rec_1', 1], ['tâche|é', 2]]);
    assert.equal(view.size, 2);
    assert.deepEqual(writes.at(-1), ['task-1|/9200/rec_2', null]);

    const restored = new InMemoryKeyValueStore({ name: 's', keySerde: stringSerde, valueSerde: jsonSerde<number>() });
    for (const [k, v] of writes) restored.restore(Buffer.from(k, 'utf8'), v === null ? null : Buffer.from(v, 'utf8'));
    assert.deepEqual(restored.view(undefined).entries(), [['task-1|/9200/rec_1', 1], ['tâche|é', 2]]);
  });

  it('keeps object keys beside their values', () => {
    const store = new InMemoryKeyValueStore({ name: 'o', keySerde: jsonSerde<{ id: number }>(), valueSerde: jsonSerde<string>() });
    const view = store.view(undefined);
    view.put({ id: 7 }, 'x');
    assert.deepEqual(view.entries(), [[{ id: 7 }, 'x']]);
    assert.equal(view.get({ id: 7 }), 'x');
  });
});
