/**
 * The KafkaRuntime's task manager: one task per assigned input partition. Assigns (fetches the start
 * offset, restores stores from their changelogs, then seeks to that offset), revokes, drops and rewinds tasks, and
 * routes fetched records to them with a small backlog that pauses a partition whose window is full.
 *
 * Assignment changes run under the poll lock shared with the poll loop, so no message fetched under
 * an old assignment is routed to a new task.
 */
import type { KafkaConsumer, TopicPartition } from '@confluentinc/kafka-javascript';
import { readAllToEnd, translate, type Consumer } from './kafka-client.ts';
import type { Mutex } from './mutex.ts';
import type { LogRecord } from './record.ts';
import type { PartitionProgress, ProcessorCounters, ResolvedOptions } from './runtime.ts';
import type { StartupPhases } from './startup-phases.ts';
import { changelogTopic } from './state-store.ts';
import { Task } from './task.ts';

/** A task and its place in the partition. */
export interface PartitionTask {
  readonly key: string;
  task: Task;
  readonly tp: TopicPartition;
  backlog: LogRecord[];
  nextOffset: number;
  paused: boolean;
  revoking: boolean;
  committed: number;
  feedScheduled: boolean;
}

/** Backlog size (records fetched while the window is full) at which a partition is paused. */
const PAUSE_AT = 200;
const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export interface TaskManagerDeps {
  options: ResolvedOptions;
  consumer: Consumer;
  restoreConsumer: KafkaConsumer;
  /** Held by the poll loop around consume + routing, and here around assignment changes. */
  pollLock: Mutex;
  counters: Map<string, ProcessorCounters>;
  /** False once the runtime stops running (no partition is resumed then). */
  isRunning: () => boolean;
  startup?: StartupPhases;
}

/** What a revocation must do with the transaction (the committer's part). */
export interface RevokeActions {
  /** Commits what the revoked tasks completed, under the generation that still owns them. */
  commitRevoking(): Promise<void>;
  /** Aborts the open transaction; true if there was one (its outputs are gone). */
  abortOpen(): Promise<boolean>;
}

export class TaskManager {
  private readonly tasks = new Map<string, PartitionTask>();
  /** Records dead-lettered by tasks that were dropped since. */
  private droppedDeadLettered = 0;

  constructor(private readonly d: TaskManagerDeps) {}

  /** The current tasks (including revoking ones). */
  all(): PartitionTask[] {
    return [...this.tasks.values()];
  }

  get deadLettered(): number {
    return this.droppedDeadLettered + this.all().reduce((n, s) => n + s.task.deadLettered, 0);
  }

  progress(): PartitionProgress[] {
    return this.all().map((s) => {
      let endOffset = -1;
      try {
        endOffset = this.d.consumer.getWatermarkOffsets(s.tp.topic, s.tp.partition).highOffset ?? -1;
      } catch {
        // No fetch yet for this partition: the cached watermark is unknown.
      }
      return {
        topic: s.tp.topic,
        partition: s.tp.partition,
        committed: s.committed,
        endOffset,
        lag: endOffset >= 0 && s.committed >= 0 ? Math.max(0, endOffset - s.committed) : -1,
        inFlight: s.task.inFlight + s.backlog.length,
      };
    });
  }

  /** Routes one fetched record to its task (call under the poll lock). */
  route(record: LogRecord): void {
    const s = this.tasks.get(tpKey(record.topic, record.partition));
    if (!s || s.revoking || record.offset < s.nextOffset) return;
    s.nextOffset = record.offset + 1;
    if (s.backlog.length === 0 && s.task.canAccept()) {
      s.task.submit(record);
      return;
    }
    s.backlog.push(record);
    if (!s.paused && s.backlog.length >= PAUSE_AT) {
      this.d.consumer.pause([s.tp]);
      s.paused = true;
    }
  }

  /** Refills a task's window from its backlog after records completed (batched per microtask). */
  private scheduleFeed(s: PartitionTask): void {
    if (s.feedScheduled) return;
    s.feedScheduled = true;
    queueMicrotask(() => {
      s.feedScheduled = false;
      if (s.revoking || this.tasks.get(s.key) !== s) return;
      while (s.backlog.length > 0 && s.task.canAccept()) s.task.submit(s.backlog.shift()!);
      if (s.paused && s.backlog.length < PAUSE_AT / 2 && this.d.isRunning()) {
        this.d.consumer.resume([s.tp]);
        s.paused = false;
      }
    });
  }

  /** A task for a partition, its stores still empty and its processors not yet initialized. */
  private create(tp: TopicPartition): PartitionTask {
    const state: PartitionTask = {
      key: tpKey(tp.topic, tp.partition),
      tp,
      backlog: [],
      nextOffset: 0,
      paused: false,
      revoking: false,
      committed: -1,
      feedScheduled: false,
      task: undefined as unknown as Task,
    };
    state.task = new Task({
      ...this.d.options,
      topic: tp.topic,
      partition: tp.partition,
      counters: this.d.counters,
      onProgress: () => this.scheduleFeed(state),
      now: Date.now,
    });
    return state;
  }

  /**
   * Restores the stores of new tasks from their changelogs (every changelog partition of every task
   * read at once), then initializes their processors.
   */
  private async restore(states: PartitionTask[]): Promise<void> {
    const { options } = this.d;
    const stores = states.flatMap((state) => state.task.changelogStores().map((store) => ({ state, store })));
    const started = performance.now();
    const counts = await readAllToEnd(
      this.d.restoreConsumer,
      stores.map(({ state, store }) => ({ topic: changelogTopic(options.applicationId, store), partition: state.tp.partition })),
      (i, r) => r.key && stores[i].state.task.restore(stores[i].store, r.key, r.value),
    );
    const ms = performance.now() - started;
    stores.forEach(({ state, store }, i) => {
      options.logger.info({ task: state.task.id, store, records: counts[i], ms: Math.round(ms) }, 'store restored');
      options.hooks.restored?.({ task: state.task.id, store, records: counts[i], ms });
    });
    for (const state of states) state.task.init();
  }

  /**
   * Start offsets: the external offset store's where it knows the partition, else Kafka's committed
   * offset (fetched for all those partitions in one request).
   */
  private async startOffsets(tps: TopicPartition[]): Promise<Array<number | undefined>> {
    const { options, consumer } = this.d;
    const offsets: Array<number | undefined> = [];
    for (const tp of tps) offsets.push(await options.offsetStore?.load(options.applicationId, tp.topic, tp.partition));
    const ask = tps.filter((_, i) => offsets[i] === undefined);
    if (ask.length === 0) return offsets;
    const committed = await new Promise<Array<TopicPartition & { offset?: number }>>((resolve, reject) =>
      consumer.committed(
        ask.map((tp) => ({ topic: tp.topic, partition: tp.partition })),
        30_000,
        (err, result) => (err ? reject(translate(err, 'fetch committed offsets')) : resolve(result)),
      ),
    );
    const byKey = new Map(committed.map((c) => [tpKey(c.topic, c.partition), c.offset]));
    return tps.map((tp, i) => {
      if (offsets[i] !== undefined) return offsets[i];
      const o = byKey.get(tpKey(tp.topic, tp.partition));
      return o !== undefined && o >= 0 ? o : undefined;
    });
  }

  /**
   * Start offset first, then the stores. The offset fetch is read_committed (require_stable): it waits
   * while a transaction of the previous owner that holds offsets for the partition is pending, so once
   * it answers, that transaction is committed or aborted and the changelog's end (its last stable
   * offset) includes its writes or never will. Restoring first could stop before a transaction that
   * commits just after, and the task would start past records whose store writes it never saw.
   */
  private async buildAll(tps: TopicPartition[]): Promise<Array<{ state: PartitionTask; offset: number | undefined }>> {
    const started = performance.now();
    const offsets = await this.startOffsets(tps);
    this.d.startup?.mark('committed offsets fetched');
    const fetched = performance.now();
    const built = tps.map((tp, i) => ({ state: this.create(tp), offset: offsets[i] }));
    await this.restore(built.map((b) => b.state));
    this.d.startup?.mark('stores restored');
    this.d.options.logger.info(
      { partitions: tps.length, offsetsMs: Math.round(fetched - started), restoreMs: Math.round(performance.now() - fetched) },
      'tasks built',
    );
    return built;
  }

  private install(state: PartitionTask, offset: number | undefined): void {
    state.nextOffset = offset ?? 0;
    state.committed = offset ?? -1;
    this.tasks.set(state.key, state);
  }

  async assign(tps: TopicPartition[]): Promise<void> {
    const built = await this.buildAll(tps);
    await this.d.pollLock.run(() => {
      for (const { state, offset } of built) this.install(state, offset);
      // No committed offset: start at the beginning (-2), as 'auto.offset.reset=earliest' would.
      this.d.consumer.incrementalAssign(built.map(({ state, offset }) => ({ ...state.tp, offset: offset ?? -2 })));
    });
    this.d.startup?.mark('partitions assigned');
    this.d.options.logger.info({ partitions: tps.map((t) => `${t.topic}-${t.partition}`) }, 'partitions assigned');
    this.d.options.hooks.assigned?.(tps);
  }

  async revoke(tps: TopicPartition[], actions: RevokeActions): Promise<void> {
    const consumer = this.d.consumer;
    await this.d.pollLock.run(async () => {
      const lost = consumer.assignmentLost();
      for (const tp of tps) {
        const s = this.tasks.get(tpKey(tp.topic, tp.partition));
        if (s) s.revoking = true;
      }
      // Commit what the revoked tasks completed (with the generation that still owns them); their
      // in-flight records are abandoned and will be reprocessed by the next owner.
      if (!lost) await actions.commitRevoking();
      for (const tp of tps) await this.drop(tp);
      // Lost: the open transaction holds outputs of partitions we no longer own (their offsets can
      // never be committed by us): abort it, and rebuild the remaining tasks whose outputs went with it.
      if (lost && (await actions.abortOpen())) await this.rewind(true);
      consumer.incrementalUnassign(tps);
    });
    this.d.options.logger.info({ partitions: tps.map((t) => `${t.topic}-${t.partition}`) }, 'partitions revoked');
    this.d.options.hooks.revoked?.(tps);
  }

  /** Closing: the final commit already ran; hand the partitions back. */
  unassignClosing(tps: TopicPartition[]): void {
    for (const tp of tps) void this.drop(tp);
    this.d.consumer.incrementalUnassign(tps);
  }

  async drop(tp: TopicPartition): Promise<void> {
    const key = tpKey(tp.topic, tp.partition);
    const s = this.tasks.get(key);
    if (!s) return;
    this.tasks.delete(key);
    s.revoking = true;
    this.droppedDeadLettered += s.task.deadLettered;
    await s.task.close();
  }

  async dropAll(): Promise<void> {
    for (const s of this.all()) await this.drop(s.tp);
  }

  /** Rebuilds every task from its changelog and seeks back to the committed offsets. */
  async rewind(holdingPollLock: boolean): Promise<void> {
    const consumer = this.d.consumer;
    const tps = this.all()
      .filter((s) => !s.revoking)
      .map((s) => s.tp);
    for (const tp of tps) await this.drop(tp);
    const built = await this.buildAll(tps);
    const reposition = async () => {
      for (const { state, offset } of built) {
        this.install(state, offset);
        await new Promise<void>((resolve, reject) =>
          consumer.seek({ ...state.tp, offset: offset ?? -2 }, 10_000, (err) =>
            err ? reject(translate(err, 'seek')) : resolve(),
          ),
        );
        consumer.resume([state.tp]);
      }
    };
    await (holdingPollLock ? reposition() : this.d.pollLock.run(reposition));
  }
}
