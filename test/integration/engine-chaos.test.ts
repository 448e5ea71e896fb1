/**
 * Exactly-once under SIGKILL: three worker processes count 100,000 records through a stateful
 * topology while the test kills random workers with SIGKILL and restarts them. The committed output
 * (read_committed) must hold every input exactly once with per-key counts 1..n in order, and the
 * store's changelog must end with the exact count of every key.
 */
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import { changelogTopic } from '../../src/engine/index.ts';
import { BROKERS, createTopic, produceAll, uniqueName, verifyCounting } from './engine-helpers.ts';

const WORKER = new URL('./engine-chaos-worker.ts', import.meta.url).pathname;
const RECORDS = 100_000;
const KEYS = 1_000;
const PARTITIONS = 6;

/** Small seeded PRNG (mulberry32) so a failing run can be replayed with CHAOS_SEED. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function startWorker(args: string[]): ChildProcess {
  return fork(WORKER, args, { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
}

export async function waitStarted(child: ChildProcess): Promise<void> {
  const [message] = (await once(child, 'message')) as [{ started?: string }];
  assert.ok(message.started);
}

it('exactly-once survives SIGKILLed workers: every record once, exact counts', async () => {
  const seed = Number(process.env.CHAOS_SEED ?? Date.now() % 100_000);
  const random = prng(seed);
  const input = uniqueName('chaos-in');
  const output = uniqueName('chaos-out');
  const app = uniqueName('chaos-app');
  await createTopic(input, PARTITIONS);
  await createTopic(output, PARTITIONS);
  const slots = ['w0', 'w1', 'w2'];
  const workers = new Map<string, ChildProcess>();
  const launch = async (slot: string) => {
    const child = startWorker([BROKERS, app, slot, input, output, process.env.CHAOS_GUARANTEE ?? 'exactly_once']);
    workers.set(slot, child);
    await waitStarted(child);
  };
  let kills = 0;
  try {
    await Promise.all(slots.map(launch));
    const batches = 10;
    const perBatch = RECORDS / batches;
    for (let b = 0; b < batches; b++) {
      const records = Array.from({ length: perBatch }, (_, j) => {
        const id = b * perBatch + j;
        return { key: `key-${(id * 7919) % KEYS}`, value: `r${id}` };
      });
      await produceAll(input, records);
      if (b % 2 === 1) {
        // Kill a random worker at a random moment of the next second, then restart it.
        await delay(Math.floor(random() * 1000));
        const slot = slots[Math.floor(random() * slots.length)];
        workers.get(slot)!.kill('SIGKILL');
        await once(workers.get(slot)!, 'exit');
        kills++;
        await launch(slot);
      }
    }
    const inputs = Array.from({ length: RECORDS }, (_, id) => ({ key: `key-${(id * 7919) % KEYS}`, value: `r${id}` }));
    await verifyCounting({ output, changelog: changelogTopic(app, 'counts'), inputs, label: `seed ${seed}` });
    assert.ok(kills >= 5);
  } finally {
    for (const child of workers.values()) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all([...workers.values()].map((c) => (c.exitCode === null && c.signalCode === null ? once(c, 'exit') : undefined)));
  }
});
