/**
 * The KafkaRuntime's poll loop: fetch a batch and route it to the tasks (under the poll lock), produce
 * released outputs into the open transaction, fire wall-clock punctuators, and request a commit every
 * `commitIntervalMs`. Runs while the runtime is running; a task's fail-fast error stops the runtime.
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

export async function pollLoop(d: PollLoopDeps): Promise<void> {
  while (d.isRunning()) {
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
