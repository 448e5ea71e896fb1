/**
 * The KafkaRuntime's poll loop: fetch a batch and route it to the tasks (under the poll lock), produce
 * released outputs into the open transaction, fire wall-clock punctuators, and request a commit every
 * `commitIntervalMs`. Runs while the runtime is running; a task's fail-fast error stops the runtime.
 *
 * A consume returns at its first record, or after its timeout when none comes. While records are in
 * flight, a processor can release outputs at any moment (an awaited request or step thread that
 * settles), and they are produced and committed only when the loop comes round: so while records are
 * in flight or completed work waits for its commit, the loop waits BUSY_CONSUME_TIMEOUT_MS for
 * records, not IDLE_CONSUME_TIMEOUT_MS. With the idle timeout on every consume, a record crossing
 * an otherwise idle runtime lost up to 50 ms per topic hop (`npm run bench first-hops`).
 */
import { consume, toLogRecord, type Consumer } from './kafka-client.ts';
import type { Committer } from './kafka-commit.ts';
import type { TaskManager } from './kafka-tasks.ts';
import type { Mutex } from './mutex.ts';
import type { StartupPhases } from './startup-phases.ts';

export interface PollLoopDeps {
  consumer: Consumer;
  /** Max records fetched per poll. */
  batchSize: number;
  pollLock: Mutex;
  serial: Mutex;
  tasks: TaskManager;
  committer: Committer;
  isRunning: () => boolean;
  fail: (err: unknown) => Promise<void>;
  startup?: StartupPhases;
}

/** Consume timeout while no task has records in flight (nothing can be released meanwhile). */
export const IDLE_CONSUME_TIMEOUT_MS = 50;
/** Consume timeout while some task has records in flight or completed work not yet committed. */
export const BUSY_CONSUME_TIMEOUT_MS = 5;

export async function pollLoop(d: PollLoopDeps): Promise<void> {
  let timeout = IDLE_CONSUME_TIMEOUT_MS;
  while (d.isRunning()) {
    const busy = d.tasks.all().some((s) => s.task.inFlight > 0 || s.task.hasCommittable());
    const next = busy ? BUSY_CONSUME_TIMEOUT_MS : IDLE_CONSUME_TIMEOUT_MS;
    if (next !== timeout) d.consumer.setDefaultConsumeTimeout((timeout = next));
    await d.pollLock.run(async () => {
      const messages = await consume(d.consumer, d.batchSize);
      if (messages.length > 0) d.startup?.mark('first records fetched');
      for (const m of messages) d.tasks.route(toLogRecord(m));
    });
    // While a commit runs, keep polling and processing; released outputs wait for the next transaction.
    if (!d.committer.busy) await d.serial.run(() => d.committer.produceReady());
    const now = Date.now();
    for (const s of d.tasks.all()) {
      s.task.punctuate('wall-clock', now);
      if (s.task.fatal) return void (await d.fail(s.task.fatal));
    }
    if (d.committer.due(now)) d.committer.request();
    // Give settled promises and queued commits a turn even when every poll returns data at once.
    await new Promise((resolve) => setImmediate(resolve));
  }
}
