import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import {
  EngineError,
  LIFECYCLES,
  LocalRuntime,
  Topology,
  checkTransition,
  type TransitionTable,
} from '../../src/engine/index.ts';
import { Lifecycle } from '../../src/engine/lifecycle.ts';
import { Task } from '../../src/engine/task.ts';

const illegal = (machine: string, from: string, to: string) => (err: unknown) =>
  err instanceof EngineError &&
  err.code === 'ENGINE_ILLEGAL_STATE' &&
  err.message === `${machine} cannot go from ${from} to ${to}` &&
  err.context.from === from &&
  err.context.to === to;

const initial: Record<keyof typeof LIFECYCLES, string> = {
  task: 'created',
  'local runtime': 'created',
  'kafka runtime': 'created',
  transaction: 'idle',
};

describe('lifecycle transition tables', () => {
  for (const [machine, table] of Object.entries(LIFECYCLES) as Array<
    [keyof typeof LIFECYCLES, TransitionTable<string>]
  >) {
    const states = Object.keys(table);
    it(`${machine}: every listed transition is accepted, every other pair refused with ENGINE_ILLEGAL_STATE`, () => {
      let accepted = 0;
      let refused = 0;
      for (const from of states) {
        for (const to of states) {
          if (table[from].includes(to)) {
            checkTransition(machine, table, from, to);
            const lifecycle = new Lifecycle(machine, table, from);
            lifecycle.to(to);
            assert.equal(lifecycle.state, to);
            accepted++;
          } else {
            assert.throws(() => checkTransition(machine, table, from, to), illegal(machine, from, to));
            const lifecycle = new Lifecycle(machine, table, from);
            assert.equal(lifecycle.can(to), false);
            assert.throws(() => lifecycle.to(to), illegal(machine, from, to));
            assert.equal(lifecycle.state, from, 'a refused transition leaves the state unchanged');
            refused++;
          }
        }
      }
      assert.equal(accepted + refused, states.length * states.length);
      assert.ok(accepted > 0 && refused > 0);
    });

    it(`${machine}: targets are known states, every state is reachable from '${initial[machine]}', no self-loops`, () => {
      for (const from of states) {
        for (const to of table[from]) assert.ok(states.includes(to), `${from} → ${to}: unknown state`);
        assert.ok(!table[from].includes(from), `${from} → ${from}`);
      }
      const seen = new Set([initial[machine]]);
      const todo = [initial[machine]];
      while (todo.length > 0) {
        for (const next of table[todo.pop()!]) {
          if (seen.has(next)) continue;
          seen.add(next);
          todo.push(next);
        }
      }
      assert.deepEqual([...seen].sort(), [...states].sort());
      assert.ok(
        states.some((s) => table[s].length === 0),
        'a terminal state',
      );
    });
  }
});

describe('the machines use their tables', () => {
  const topology = new Topology()
    .addSource('in', { topics: 'in' })
    .addSink('out', { topic: 'out', parents: ['in'] })
    .build();

  it('a task: created → running → closed; a closed task cannot be initialized', async () => {
    const task = new Task({
      topology,
      applicationId: 'app',
      topic: 'in',
      partition: 0,
      concurrency: 1,
      errorPolicy: 'dead-letter',
      dlqTopic: 'dlq',
      logger: pino({ level: 'silent' }),
      counters: new Map(),
      onProgress: () => undefined,
      now: Date.now,
    });
    assert.equal(task.state, 'created');
    task.init();
    assert.equal(task.state, 'running');
    assert.throws(() => task.init(), illegal('task', 'running', 'running'));
    await task.close();
    await task.close();
    assert.equal(task.state, 'closed');
    assert.throws(() => task.init(), illegal('task', 'closed', 'running'));
  });

  it('a local runtime: created → starting → running → stopped; a stopped one cannot be started', async () => {
    const runtime = new LocalRuntime({
      topology: new Topology().addSource('in', { topics: 'in' }).addSink('out', { topic: 'out', parents: ['in'] }),
    });
    assert.equal(runtime.lifecycle, 'created');
    await runtime.start();
    assert.equal(runtime.lifecycle, 'running');
    await runtime.stop();
    assert.equal(runtime.lifecycle, 'stopped');
    const never = new LocalRuntime({
      topology: new Topology().addSource('in', { topics: 'in' }).addSink('out', { topic: 'out', parents: ['in'] }),
    });
    await never.stop();
    await assert.rejects(never.start(), illegal('local runtime', 'stopped', 'starting'));
  });
});
