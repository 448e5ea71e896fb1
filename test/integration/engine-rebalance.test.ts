/**
 * Cooperative rebalancing: a second worker joins mid-run (partitions move to it) and later leaves
 * gracefully (SIGTERM: final commit, partitions move back). Nothing is lost or duplicated and the
 * counts stay exact across both handovers.
 */
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { it } from 'node:test';
import { changelogTopic, type RuntimeMetrics } from '../../src/engine/index.ts';
import { BROKERS, createTopic, produceAll, readCommitted, uniqueName, verifyCounting } from './engine-helpers.ts';

const WORKER = new URL('./engine-chaos-worker.ts', import.meta.url).pathname;
const PARTITIONS = 4;

function startWorker(args: string[]): ChildProcess {
  return fork(WORKER, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

type WorkerMessage = { started?: string; assigned?: number; metrics?: RuntimeMetrics };

function messages(child: ChildProcess): WorkerMessage[] {
  const list: WorkerMessage[] = [];
  child.on('message', (m) => list.push(m as WorkerMessage));
  return list;
}

/** Resolves when the worker reports a message satisfying `test`. */
async function until(child: ChildProcess, list: WorkerMessage[], test: (m: WorkerMessage) => boolean): Promise<void> {
  while (!list.some(test)) await once(child, 'message');
}

it('a worker joining and leaving mid-run loses and duplicates nothing', async () => {
  const input = uniqueName('rebal-in');
  const output = uniqueName('rebal-out');
  const app = uniqueName('rebal-app');
  await createTopic(input, PARTITIONS);
  await createTopic(output, PARTITIONS);
  const inputs = Array.from({ length: 30_000 }, (_, id) => ({ key: `key-${(id * 31) % 300}`, value: `r${id}` }));
  const batch = (i: number) => inputs.slice(i * 5000, (i + 1) * 5000);
  const a = startWorker([BROKERS, app, 'a', input, output]);
  const aMessages = messages(a);
  let b: ChildProcess | undefined;
  // Listen before the first message can arrive.
  try {
    await until(a, aMessages, (m) => m.assigned === PARTITIONS);
    await produceAll(input, batch(0));
    await produceAll(input, batch(1));
    b = startWorker([BROKERS, app, 'b', input, output]);
    const bMessages = messages(b);
    await until(b, bMessages, (m) => (m.assigned ?? 0) > 0);
    for (const i of [2, 3]) await produceAll(input, batch(i));
    // Wait until b has done real work before it leaves.
    await readCommitted(output, (rs) => rs.length >= 20_000, 120_000);
    b.kill('SIGTERM');
    await once(b, 'exit');
    assert.equal(b.exitCode, 0);
    const bMetrics = bMessages.find((m) => m.metrics)?.metrics;
    assert.ok(bMetrics && bMetrics.processors.count.in > 0, `b processed ${bMetrics?.processors.count.in} records`);
    for (const i of [4, 5]) await produceAll(input, batch(i));
    await verifyCounting({ output, changelog: changelogTopic(app, 'counts'), inputs, label: 'rebalance' });
    a.kill('SIGTERM');
    await once(a, 'exit');
    const aMetrics = aMessages.find((m) => m.metrics)?.metrics;
    assert.ok(aMetrics && aMetrics.processors.count.in > 0);
    assert.ok(aMetrics.processors.count.in + bMetrics.processors.count.in >= inputs.length);
  } finally {
    for (const child of [a, b]) if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
