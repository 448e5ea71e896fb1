/**
 * LocalRuntime: the same topology code on an in-process partitioned log (no broker). One member owns
 * every task; records are processed as soon as they are appended, completed outputs and offsets are
 * committed atomically (`LocalLog.commit`), and `drain()` waits until everything is processed and
 * committed, which makes end-to-end flows deterministic in tests and in the embedded mode.
 */
import { pino } from 'pino';
import { EngineError } from './errors.ts';
import { Lifecycle, LOCAL_RUNTIME_LIFECYCLE, type LocalRuntimeState } from './lifecycle.ts';
import { LocalLog } from './local-log.ts';
import type { Headers, LogRecord, OutputRecord, TopicPartitionOffset } from './record.ts';
import {
  resolveOptions,
  type CommonRuntimeOptions,
  type ProcessorCounters,
  type ResolvedOptions,
  type Runtime,
  type RuntimeMetrics,
} from './runtime.ts';
import type { Serde } from './serde.ts';
import { changelogTopic } from './state-store.ts';
import { Task } from './task.ts';

export { LocalLog };

export interface LocalRuntimeOptions extends CommonRuntimeOptions {
  /** Partitions of topics created by this runtime (inputs, outputs). Default 1. */
  partitions?: number;
  /** Partition counts of particular topics. */
  topics?: Record<string, number>;
  /** Share a log between runtimes (several topologies in one process). Default: a new log. */
  log?: LocalLog;
  /** Free records once every group reading them committed past them (see LocalLogOptions). Default false. */
  dropCommitted?: boolean;
  /** 'system' fires wall-clock punctuators on the real clock; 'manual' only on `advanceWallClock`. Default 'system'. */
  wallClock?: 'system' | 'manual';
}

export class LocalRuntime implements Runtime {
  readonly log: LocalLog;
  private readonly options: ResolvedOptions;
  private readonly tasks: Task[] = [];
  private readonly positions = new Map<Task, number>();
  private readonly counters = new Map<string, ProcessorCounters>();
  private readonly commitStats = { count: 0, lastLatencyMs: 0, totalLatencyMs: 0, maxLatencyMs: 0 };
  private readonly state = new Lifecycle('local runtime', LOCAL_RUNTIME_LIFECYCLE, 'created');
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private scheduled = false;
  private committing: Promise<void> | undefined;
  private failure: Error | undefined;
  private waiters: Array<{ resolve: () => void; reject: (err: Error) => void }> = [];
  private unsubscribe: (() => void) | undefined;
  private clock: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly localOptions: LocalRuntimeOptions) {
    this.options = resolveOptions(localOptions, () => pino({ level: 'warn' }));
    this.log =
      localOptions.log ?? new LocalLog(localOptions.partitions ?? 1, { dropCommitted: localOptions.dropCommitted });
    this.clock = Date.now();
  }

  /** Creates topics, restores stores from their changelogs, seeks to committed offsets, starts processing. */
  start(): Promise<void> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<void> {
    this.state.to('starting');
    const { topology, applicationId, offsetStore } = this.options;
    const partitionsOf = (topic: string): number =>
      this.localOptions.topics?.[topic] ?? this.localOptions.partitions ?? this.log.defaultPartitions;
    for (const topic of [...topology.sourceByTopic.keys(), ...topology.fixedSinkTopics, this.options.dlqTopic])
      this.log.ensureTopic(topic, partitionsOf(topic));
    for (const [topic, n] of Object.entries(this.localOptions.topics ?? {})) this.log.ensureTopic(topic, n);
    for (const topic of topology.sourceByTopic.keys()) {
      for (let partition = 0; partition < this.log.partitionsOf(topic); partition++) {
        const task = new Task({
          ...this.options,
          topic,
          partition,
          counters: this.counters,
          onProgress: () => this.schedule(),
          now: () => this.now(),
        });
        for (const store of task.changelogStores()) {
          const changelog = changelogTopic(applicationId, store);
          this.log.ensureTopic(changelog, this.log.partitionsOf(topic));
          const started = performance.now();
          const records = this.log.readPartition(changelog, partition, 0);
          for (const r of records) if (r.key) task.restore(store, r.key, r.value);
          this.options.hooks.restored?.({
            task: task.id,
            store,
            records: records.length,
            ms: performance.now() - started,
          });
        }
        const external = await offsetStore?.load(applicationId, topic, partition);
        this.positions.set(task, external ?? this.log.committed(applicationId, topic, partition) ?? 0);
        task.init();
        this.tasks.push(task);
      }
    }
    this.state.to('running');
    this.options.hooks.assigned?.(this.tasks.map((t) => ({ topic: t.topic, partition: t.partition })));
    this.unsubscribe = this.log.subscribe(() => this.schedule());
    if ((this.localOptions.wallClock ?? 'system') === 'system') {
      this.timer = setInterval(() => this.advanceWallClock(Date.now() - this.clock), 100);
      this.timer.unref();
    }
    this.schedule();
  }

  /** Appends one record to a topic (created with the runtime's partition count if missing). */
  produce(
    topic: string,
    key: Buffer | string | null,
    value: Buffer | string | null,
    headers: Headers = {},
    timestamp = this.now(),
  ): void {
    if (!this.log.hasTopic(topic))
      this.log.ensureTopic(
        topic,
        this.localOptions.topics?.[topic] ?? this.localOptions.partitions ?? this.log.defaultPartitions,
      );
    const bytes = (v: Buffer | string | null): Buffer | null =>
      v === null ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
    this.log.append([{ topic, key: bytes(key), value: bytes(value), headers, timestamp }]);
  }

  /** All committed records of a topic, raw, or decoded with the given serdes. */
  read(topic: string): LogRecord[];
  read<K, V>(
    topic: string,
    serdes: { key: Serde<K>; value: Serde<V> },
  ): Array<LogRecord & { decodedKey: K; decodedValue: V }>;
  read<K, V>(topic: string, serdes?: { key: Serde<K>; value: Serde<V> }): LogRecord[] {
    const records = this.log.read(topic);
    if (!serdes) return records;
    return records.map((r) => ({
      ...r,
      decodedKey: serdes.key.deserialize(r.key),
      decodedValue: serdes.value.deserialize(r.value),
    }));
  }

  /**
   * Resolves when every appended input has been processed and committed (including records this
   * topology wrote to its own input topics); rejects if a record failed under fail-fast.
   */
  drain(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.schedule();
    });
  }

  /** Moves the runtime's clock forward and fires due wall-clock punctuators. */
  advanceWallClock(ms: number): void {
    this.clock += ms;
    for (const task of this.tasks) task.punctuate('wall-clock', this.clock);
    this.schedule();
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.starting?.catch(() => undefined);
      this.state.to('stopped');
      this.unsubscribe?.();
      if (this.timer) clearInterval(this.timer);
      await this.committing;
      for (const task of this.tasks) await task.close();
    })();
    return this.stopping;
  }

  /** The lifecycle state (see LOCAL_RUNTIME_LIFECYCLE). */
  get lifecycle(): LocalRuntimeState {
    return this.state.state;
  }

  metrics(): RuntimeMetrics {
    const processors: Record<string, ProcessorCounters> = {};
    for (const [name, c] of this.counters) processors[name] = { ...c };
    return {
      processors,
      partitions: this.tasks.map((t) => {
        const committed = this.log.committed(this.options.applicationId, t.topic, t.partition) ?? -1;
        const endOffset = this.log.endOffset(t.topic, t.partition);
        return {
          topic: t.topic,
          partition: t.partition,
          committed,
          endOffset,
          lag: endOffset - Math.max(committed, 0),
          inFlight: t.inFlight,
        };
      }),
      commits: { ...this.commitStats },
      deadLettered: this.tasks.reduce((n, t) => n + t.deadLettered, 0),
    };
  }

  private now(): number {
    return this.clock;
  }

  private schedule(): void {
    if (this.scheduled || !this.state.is('running')) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.pump();
    });
  }

  /**
   * Fills every task's window, then commits what completed. Tasks without commit participants are
   * committed at once (an in-memory append); tasks with participants (external transactional sinks)
   * in a commit of their own, one at a time, which the others do not wait for: a record crossing
   * topics is not held up at every hop by a sink's database transaction.
   */
  private pump(): void {
    if (!this.state.is('running')) return;
    for (const task of this.tasks) {
      let position = this.positions.get(task)!;
      while (task.canAccept()) {
        const record = this.log.recordAt(task.topic, task.partition, position);
        if (!record) break;
        position++;
        task.submit(record);
      }
      this.positions.set(task, position);
      if (task.fatal) this.fail(task.fatal);
    }
    if (this.failure) return;
    const plain = this.tasks.filter((t) => t.commitParticipants().length === 0 && t.hasCommittable());
    // Outputs appended to the log wake this runtime up again through its subscription.
    if (plain.length > 0) this.commitTasks(plain);
    if (!this.committing && this.tasks.some((t) => t.commitParticipants().length > 0 && t.hasCommittable())) {
      this.committing = this.commitParticipating().finally(() => {
        this.committing = undefined;
        this.schedule();
      });
      return;
    }
    if (!this.committing && this.isIdle()) {
      const waiters = this.waiters;
      this.waiters = [];
      for (const w of waiters) w.resolve();
    }
  }

  private isIdle(): boolean {
    return this.tasks.every(
      (t) =>
        t.inFlight === 0 && !t.hasCommittable() && this.positions.get(t)! >= this.log.endOffset(t.topic, t.partition),
    );
  }

  /** Commits the tasks with commit participants: their participants first, then their outputs and offsets. */
  private async commitParticipating(): Promise<void> {
    const started = performance.now();
    const taken = this.take(this.tasks.filter((t) => t.commitParticipants().length > 0 && t.hasCommittable()));
    // Every participant is called at once (each task's with its own offset), so participants that
    // share a resource can merge their work (the pipeline sink: one database transaction for all
    // partitions); the first failure fails the commit once all have answered.
    const settled = await Promise.allSettled(
      taken.participants.flatMap(({ task, offset }) => task.commitParticipants().map((p) => p.commit!([offset]))),
    );
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      this.fail(new EngineError('ENGINE_COMMIT_FAILED', 'a commit participant failed', { cause: failed.reason }));
      return;
    }
    if (!this.state.is('running')) return;
    this.append(taken.outputs, taken.offsets, started);
  }

  /** Commits tasks without commit participants: outputs and offsets appended in one synchronous step. */
  private commitTasks(tasks: Task[]): void {
    const started = performance.now();
    const taken = this.take(tasks);
    this.append(taken.outputs, taken.offsets, started);
  }

  private take(tasks: Task[]): {
    outputs: OutputRecord[];
    offsets: TopicPartitionOffset[];
    participants: Array<{ task: Task; offset: TopicPartitionOffset }>;
  } {
    const outputs: OutputRecord[] = [];
    const offsets: TopicPartitionOffset[] = [];
    const participants: Array<{ task: Task; offset: TopicPartitionOffset }> = [];
    for (const task of tasks) {
      const taken = task.takeCommit();
      for (const o of taken.outputs) outputs.push(o);
      if (taken.offset) {
        offsets.push(taken.offset);
        participants.push({ task, offset: taken.offset });
      }
    }
    return { outputs, offsets, participants };
  }

  private append(outputs: OutputRecord[], offsets: TopicPartitionOffset[], started: number): void {
    this.log.commit(this.options.applicationId, outputs, offsets);
    const ms = performance.now() - started;
    this.commitStats.count++;
    this.commitStats.lastLatencyMs = ms;
    this.commitStats.totalLatencyMs += ms;
    this.commitStats.maxLatencyMs = Math.max(this.commitStats.maxLatencyMs, ms);
    this.options.hooks.commit?.({ latencyMs: ms, outputs: outputs.length, offsets });
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.options.logger.error({ err }, 'local runtime stopped on failure');
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w.reject(err);
  }
}
