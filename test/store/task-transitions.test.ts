/**
 * Walks the task lifecycle table: every allowed transition is taken by the checker and by the
 * repository, every other (from, to) pair is refused by the checker with a coded error and by the
 * repository without moving the task.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPglite } from '../../src/store/db.ts';
import { PipelineStore } from '../../src/store/pipeline-store.ts';
import {
  TASK_STATES,
  TERMINAL_TASK_STATES,
  TASK_TRANSITIONS,
  TaskTransitionError,
  checkTransition,
  type TaskState,
} from '../../src/model/index.ts';

const spec = {
  dataset: { id: 'walk', name: 'Walk' },
  source: { type: 'oai' as const, url: 'http://127.0.0.1:1/oai' },
  steps: ['harvest' as const],
};

const pairs = TASK_STATES.flatMap((from) => TASK_STATES.map((to) => [from, to] as const));
const allowed = pairs.filter(([from, to]) => TASK_TRANSITIONS[from].includes(to));
const refused = pairs.filter(([from, to]) => !TASK_TRANSITIONS[from].includes(to));

/** A legal path from `queued` to each state (breadth first over the table itself). */
function pathTo(state: TaskState): TaskState[] {
  const paths = new Map<TaskState, TaskState[]>([['queued', []]]);
  const queue: TaskState[] = ['queued'];
  while (queue.length > 0) {
    const s = queue.shift()!;
    for (const next of TASK_TRANSITIONS[s]) {
      if (paths.has(next)) continue;
      paths.set(next, [...paths.get(s)!, next]);
      queue.push(next);
    }
  }
  const path = paths.get(state);
  assert.ok(path, `state ${state} is unreachable from queued`);
  return path;
}

describe('task lifecycle (TASK_TRANSITIONS)', () => {
  test('every state is reachable from queued, and the terminal states have no way out', () => {
    for (const s of TASK_STATES) pathTo(s);
    assert.deepEqual([...TERMINAL_TASK_STATES], ['completed', 'failed', 'cancelled']);
  });

  test('the checker accepts every allowed transition', () => {
    assert.ok(allowed.length > 0);
    for (const [from, to] of allowed) checkTransition(from, to);
  });

  test('the checker refuses every other pair with TASK_ILLEGAL_TRANSITION', () => {
    assert.equal(allowed.length + refused.length, TASK_STATES.length ** 2);
    for (const [from, to] of refused) {
      assert.throws(
        () => checkTransition(from, to),
        (err: unknown) =>
          err instanceof TaskTransitionError &&
          err.code === 'TASK_ILLEGAL_TRANSITION' &&
          err.from === from &&
          err.to === to &&
          err.message === `A task cannot go from ${from} to ${to}`,
      );
    }
  });

  test('the repository moves a task along every allowed transition and along no other', async () => {
    const store = new PipelineStore(await openPglite());
    await store.migrate();
    const taskIn = async (state: TaskState) => {
      const task = await store.createTask(spec);
      for (const s of pathTo(state)) assert.equal(await store.transition(task.taskId, s), true, `→ ${s}`);
      assert.equal((await store.getTask(task.taskId))!.state, state);
      return task.taskId;
    };
    for (const [from, to] of allowed) {
      const id = await taskIn(from);
      assert.equal(await store.transition(id, to, 'walk'), true, `${from} → ${to}`);
      const row = (await store.getTask(id))!;
      assert.equal(row.state, to);
      if (to === 'harvesting' || to === 'processing') assert.ok(row.startedAt, `${from} → ${to} sets started_at`);
      if (TASK_TRANSITIONS[to].length === 0) assert.ok(row.finishedAt, `${from} → ${to} sets finished_at`);
    }
    for (const [from, to] of refused) {
      const id = await taskIn(from);
      const before = (await store.getTask(id))!;
      assert.equal(await store.transition(id, to, 'walk'), false, `${from} → ${to} refused`);
      assert.deepEqual(await store.getTask(id), before, `${from} → ${to} changes nothing`);
    }
    await store.db.close();
  });
});
