/**
 * KafkaRuntime: a consumer-group member running one task per assigned input partition.
 *
 * Exactly-once (EOS v2 style): one transactional producer per instance. Outputs are held by the tasks
 * until a commit, which runs `begin → produce outputs + changelog writes → sendOffsetsToTransaction
 * (with the consumer's group metadata, so a zombie of an older generation is fenced) → commit`. A
 * crash before the commit leaves an open transaction that the broker aborts (or that a restart with
 * the same `instanceId` fences at once), so a partial result is never visible to read_committed readers.
 *
 * Group protocol: classic with cooperative-sticky assignment (why: see kafka-config.ts).
 *
 * Assignment changes (assign, revoke, rewind after a failed commit) run under a lock shared with the
 * poll loop, so no message fetched under an old assignment is routed to a new task.
 */
import { randomUUID } from 'node:crypto';
import type { KafkaConsumer, LibrdKafkaError, Producer, TopicPartition } from '@confluentinc/kafka-javascript';
import { pino } from 'pino';
import { EngineError, errorMessage } from './errors.ts';
import { ERR, connectConsumer, connectProducer, consume, disconnect, ensureTopics, flush, partitionCounts, produce, readToEnd, toLogRecord, translate, tryProduce, txn, type Consumer } from './kafka-client.ts';
import { changelogTopics, groupConsumerConfig, producerConfig, restoreConsumerConfig } from './kafka-config.ts';
import { Mutex } from './mutex.ts';
import type { LogRecord, OutputRecord, TopicPartitionOffset } from './record.ts';
import { resolveOptions, type CommonRuntimeOptions, type ProcessorCounters, type ResolvedOptions, type Runtime, type RuntimeMetrics } from './runtime.ts';
import { changelogTopic } from './state-store.ts';
import { Task } from './task.ts';

export interface KafkaRuntimeOptions extends CommonRuntimeOptions {
  /** Bootstrap servers, e.g. '127.0.0.1:9092'. */
  brokers: string;
  /** Stable id of this instance: part of the transactional id, so a restarted instance fences its zombie. Default: random. */
  instanceId?: string;
  /** Partitions of topics the runtime creates when missing. */
  topics?: Record<string, number>;
  /** Partitions of created topics not listed in `topics`. Default 1. */
  defaultPartitions?: number;
  /** Extra librdkafka settings for the consumer and the producer (override the runtime's). */
  consumerConfig?: Record<string, string | number | boolean>;
  producerConfig?: Record<string, string | number | boolean>;
  /** Max records fetched per poll. Default 1000. */
  pollBatchSize?: number;
  /** Signals on which the runtime stops gracefully (final commit, leave the group). Default none. */
  stopOnSignals?: NodeJS.Signals[];
}

interface TaskState {
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

export type KafkaRuntimeState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';
type State = KafkaRuntimeState;

/** Legal lifecycle transitions; any other is a bug and throws ENGINE_ILLEGAL_STATE. */
const TRANSITIONS: Readonly<Record<State, readonly State[]>> = {
  created: ['starting', 'stopped'],
  starting: ['running', 'failed'],
  running: ['stopping', 'failed'],
  stopping: ['stopped', 'failed'],
  stopped: [],
  failed: [],
};

/** Backlog size (records fetched while the window is full) at which a partition is paused. */
const PAUSE_AT = 200;
const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class KafkaRuntime implements Runtime {
  /** Resolves when the runtime has stopped; rejects with the failure if it stopped on an error. */
  readonly done: Promise<void>;
  private readonly options: ResolvedOptions;
  private readonly instanceId: string;
  private state: State = 'created';
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private restoreConsumer: KafkaConsumer | undefined;
  private readonly tasks = new Map<string, TaskState>();
  private readonly counters = new Map<string, ProcessorCounters>();
  private readonly commitStats = { count: 0, lastLatencyMs: 0, totalLatencyMs: 0, maxLatencyMs: 0 };
  /** Serializes commits and assignment changes. */
  private readonly serial = new Mutex();
  /** Held by the poll loop around consume + routing, and by assignment changes. */
  private readonly pollLock = new Mutex();
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private commitQueued = false;
  private commitRunning = false;
  /** Outputs produced eagerly since the last commit (for the commit hook). */
  private producedSinceCommit = 0;
  /** An exactly-once transaction has begun and holds produced outputs not yet committed. */
  private txnOpen = false;
  private lastCommitAt = 0;
  private deliveryErrors = 0;
  private deliveryErrorsSeen = 0;
  private deadLettered = 0;
  private failure: Error | undefined;
  private resolveDone!: () => void;
  private rejectDone!: (err: Error) => void;
  private readonly signalHandler = () => void this.stop();

  constructor(private readonly kafkaOptions: KafkaRuntimeOptions) {
    this.options = resolveOptions(kafkaOptions, () => pino({ level: 'warn' }));
    this.instanceId = kafkaOptions.instanceId ?? randomUUID();
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    this.done.catch(() => undefined);
  }

  /** Creates missing topics, connects, initializes transactions and joins the group. */
  start(): Promise<void> {
    this.starting ??= this.doStart().catch(async (err) => {
      await this.fail(err);
      throw err;
    });
    return this.starting;
  }

  /** Finishes: commits completed work, closes tasks, leaves the group. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  metrics(): RuntimeMetrics {
    const processors: Record<string, ProcessorCounters> = {};
    for (const [name, c] of this.counters) processors[name] = { ...c };
    const partitions = [...this.tasks.values()].map((s) => {
      let endOffset = -1;
      try {
        endOffset = this.consumer?.getWatermarkOffsets(s.tp.topic, s.tp.partition).highOffset ?? -1;
      } catch {
        // No fetch yet for this partition: the cached watermark is unknown.
      }
      return { topic: s.tp.topic, partition: s.tp.partition, committed: s.committed, endOffset, lag: endOffset >= 0 && s.committed >= 0 ? Math.max(0, endOffset - s.committed) : -1, inFlight: s.task.inFlight + s.backlog.length };
    });
    return { processors, partitions, commits: { ...this.commitStats }, deadLettered: this.deadLettered + [...this.tasks.values()].reduce((n, s) => n + s.task.deadLettered, 0) };
  }

  /** The lifecycle state (see TRANSITIONS). */
  get lifecycle(): KafkaRuntimeState {
    return this.state;
  }

  private transition(next: State): void {
    if (!TRANSITIONS[this.state].includes(next)) throw new EngineError('ENGINE_ILLEGAL_STATE', `kafka runtime cannot go from ${this.state} to ${next}`);
    this.state = next;
  }

  private get exactlyOnce(): boolean {
    return this.options.guarantee === 'exactly_once';
  }

  private async doStart(): Promise<void> {
    this.transition('starting');
    const { topology, applicationId } = this.options;
    const brokers = this.kafkaOptions.brokers;
    const partitionsOf = (t: string) => this.kafkaOptions.topics?.[t] ?? this.kafkaOptions.defaultPartitions ?? 1;
    const plain = [...new Set([...topology.sourceByTopic.keys(), ...topology.fixedSinkTopics, this.options.dlqTopic, ...Object.keys(this.kafkaOptions.topics ?? {})])];
    await ensureTopics(brokers, plain.map((topic) => ({ topic, partitions: partitionsOf(topic) })));

    const id = { brokers, applicationId, instanceId: this.instanceId };
    this.producer = await connectProducer(producerConfig(id, this.exactlyOnce, this.kafkaOptions.producerConfig));
    if (this.exactlyOnce) await txn.init(this.producer);
    else this.producer.on('delivery-report', (err: LibrdKafkaError | null) => void (err && this.deliveryErrors++));
    const counts = await partitionCounts(this.producer, [...topology.sourceByTopic.keys()]);
    await ensureTopics(brokers, changelogTopics(topology, applicationId, (t) => counts.get(t) ?? partitionsOf(t)));

    this.restoreConsumer = await connectConsumer(restoreConsumerConfig(id));
    this.restoreConsumer.setDefaultConsumeTimeout(100);
    this.consumer = await connectConsumer(groupConsumerConfig(id, (err: LibrdKafkaError, assignment: TopicPartition[]) => this.onRebalance(err, assignment), this.kafkaOptions.consumerConfig));
    this.consumer.setDefaultConsumeTimeout(50);
    // Return a poll as soon as some records are there instead of waiting to fill the batch.
    (this.consumer as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(v: boolean): void }).setDefaultIsTimeoutOnlyForFirstMessage(true);
    this.consumer.subscribe([...topology.sourceByTopic.keys()]);
    for (const signal of this.kafkaOptions.stopOnSignals ?? []) process.once(signal, this.signalHandler);
    this.transition('running');
    this.loop = this.pollLoop().catch((err) => this.fail(err));
    this.options.logger.info({ applicationId, instanceId: this.instanceId, guarantee: this.options.guarantee }, 'kafka runtime started');
  }

  private async pollLoop(): Promise<void> {
    const consumer = this.consumer!;
    const batch = this.kafkaOptions.pollBatchSize ?? 1000;
    while (this.state === 'running') {
      await this.pollLock.run(async () => {
        const messages = await consume(consumer, batch);
        for (const m of messages) this.route(toLogRecord(m));
      });
      // While a commit runs, keep polling and processing; released outputs wait for the next transaction.
      if (!this.commitQueued && !this.commitRunning) await this.serial.run(() => this.produceReady());
      const now = Date.now();
      for (const s of this.tasks.values()) {
        s.task.punctuate('wall-clock', now);
        if (s.task.fatal) return void (await this.fail(s.task.fatal));
      }
      if (now - this.lastCommitAt >= this.options.commitIntervalMs) this.requestCommit();
      // Give settled promises and queued commits a turn even when every poll returns data at once.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  private route(record: LogRecord): void {
    const s = this.tasks.get(tpKey(record.topic, record.partition));
    if (!s || s.revoking || record.offset < s.nextOffset) return;
    s.nextOffset = record.offset + 1;
    if (s.backlog.length === 0 && s.task.canAccept()) {
      s.task.submit(record);
      return;
    }
    s.backlog.push(record);
    if (!s.paused && s.backlog.length >= PAUSE_AT) {
      this.consumer!.pause([s.tp]);
      s.paused = true;
    }
  }

  /** Refills a task's window from its backlog after records completed (batched per microtask). */
  private scheduleFeed(s: TaskState): void {
    if (s.feedScheduled) return;
    s.feedScheduled = true;
    queueMicrotask(() => {
      s.feedScheduled = false;
      if (s.revoking || this.tasks.get(s.key) !== s) return;
      while (s.backlog.length > 0 && s.task.canAccept()) s.task.submit(s.backlog.shift()!);
      if (s.paused && s.backlog.length < PAUSE_AT / 2 && this.state === 'running') {
        this.consumer!.resume([s.tp]);
        s.paused = false;
      }
    });
  }

  /**
   * Sends released outputs to the producer right away (inside the open transaction), so the commit
   * only has to flush what is still in flight. Runs under `serial`: outputs released while a commit
   * is running wait for the next transaction, since their offsets are not part of the committing one.
   */
  private async produceReady(): Promise<void> {
    if (this.state !== 'running') return;
    for (const s of this.tasks.values()) {
      if (s.revoking) continue;
      const outputs = s.task.takeOutputs();
      if (outputs.length === 0) continue;
      await this.beginIfNeeded();
      for (const o of outputs) if (!tryProduce(this.producer!, o)) await produce(this.producer!, o);
      this.producedSinceCommit += outputs.length;
    }
  }

  private async beginIfNeeded(): Promise<void> {
    if (!this.exactlyOnce || this.txnOpen) return;
    await txn.begin(this.producer!);
    this.txnOpen = true;
  }

  private requestCommit(): void {
    if (this.commitQueued) return;
    this.commitQueued = true;
    void this.serial
      .run(async () => {
        this.commitQueued = false;
        this.commitRunning = true;
        try {
          if (this.state === 'running') await this.commitNow();
        } finally {
          this.commitRunning = false;
        }
      })
      .catch((err) => this.fail(err));
  }

  private onRebalance(err: LibrdKafkaError, assignment: TopicPartition[]): void {
    const tps = assignment.map((a) => ({ topic: a.topic, partition: a.partition }));
    const consumer = this.consumer;
    if (!consumer) return;
    if (err.code === ERR.ASSIGN) {
      void this.serial.run(() => this.assign(tps)).catch((e) => this.fail(e));
    } else if (err.code === ERR.REVOKE) {
      if (this.state !== 'running') {
        // Closing: the final commit already ran; just hand the partitions back.
        for (const tp of tps) this.dropTask(tp);
        consumer.incrementalUnassign(tps);
        return;
      }
      void this.serial.run(() => this.revoke(tps)).catch((e) => this.fail(e));
    } else {
      this.options.logger.error({ err }, 'rebalance error');
    }
  }

  /** Builds a task: restores its stores from their changelogs, then initializes its processors. */
  private async buildTask(tp: TopicPartition): Promise<TaskState> {
    const { topology, applicationId } = this.options;
    const key = tpKey(tp.topic, tp.partition);
    const state: TaskState = { key, tp, backlog: [], nextOffset: 0, paused: false, revoking: false, committed: -1, feedScheduled: false, task: undefined as unknown as Task };
    const task = new Task({
      topology,
      applicationId,
      topic: tp.topic,
      partition: tp.partition,
      concurrency: this.options.concurrency,
      errorPolicy: this.options.errorPolicy,
      dlqTopic: this.options.dlqTopic,
      logger: this.options.logger,
      counters: this.counters,
      onProgress: () => this.scheduleFeed(state),
      hooks: this.options.hooks,
      now: Date.now,
    });
    state.task = task;
    for (const store of task.changelogStores()) {
      const started = performance.now();
      const n = await readToEnd(this.restoreConsumer!, changelogTopic(applicationId, store), tp.partition, (r) => r.key && task.restore(store, r.key, r.value));
      const ms = performance.now() - started;
      this.options.logger.info({ task: task.id, store, records: n, ms: Math.round(ms) }, 'store restored');
      this.options.hooks.restored?.({ task: task.id, store, records: n, ms });
    }
    task.init();
    return state;
  }

  /** Start offset: the external offset store if it knows the partition, else Kafka's committed offset. */
  private async startOffset(tp: TopicPartition): Promise<number | undefined> {
    const external = await this.options.offsetStore?.load(this.options.applicationId, tp.topic, tp.partition);
    if (external !== undefined) return external;
    const committed = await new Promise<number | undefined>((resolve, reject) =>
      this.consumer!.committed([tp], 30_000, (err, result) => (err ? reject(translate(err, 'fetch committed offsets')) : resolve(result[0]?.offset !== undefined && result[0].offset >= 0 ? result[0].offset : undefined))),
    );
    return committed;
  }

  private async assign(tps: TopicPartition[]): Promise<void> {
    const built: Array<{ state: TaskState; offset: number | undefined }> = [];
    for (const tp of tps) built.push({ state: await this.buildTask(tp), offset: await this.startOffset(tp) });
    await this.pollLock.run(() => {
      for (const { state, offset } of built) {
        state.nextOffset = offset ?? 0;
        state.committed = offset ?? -1;
        this.tasks.set(state.key, state);
      }
      // No committed offset: start at the beginning (-2), as 'auto.offset.reset=earliest' would.
      this.consumer!.incrementalAssign(built.map(({ state, offset }) => ({ ...state.tp, offset: offset ?? -2 })));
    });
    this.options.logger.info({ partitions: tps.map((t) => `${t.topic}-${t.partition}`) }, 'partitions assigned');
    this.options.hooks.assigned?.(tps);
  }

  private async revoke(tps: TopicPartition[]): Promise<void> {
    await this.pollLock.run(async () => {
      const lost = this.consumer!.assignmentLost();
      for (const tp of tps) {
        const s = this.tasks.get(tpKey(tp.topic, tp.partition));
        if (s) s.revoking = true;
      }
      // Commit what the revoked tasks completed (with the generation that still owns them); their
      // in-flight records are abandoned and will be reprocessed by the next owner.
      if (!lost) await this.commitNow(true, true);
      for (const tp of tps) await this.dropTask(tp);
      if (lost && this.txnOpen) {
        // The open transaction holds outputs of partitions we no longer own (their offsets can never
        // be committed by us): abort it, and rebuild the remaining tasks whose outputs went with it.
        this.txnOpen = false;
        await txn.abort(this.producer!);
        await this.rewind(true);
      }
      this.consumer!.incrementalUnassign(tps);
    });
    this.options.logger.info({ partitions: tps.map((t) => `${t.topic}-${t.partition}`) }, 'partitions revoked');
    this.options.hooks.revoked?.(tps);
  }

  private async dropTask(tp: TopicPartition): Promise<void> {
    const key = tpKey(tp.topic, tp.partition);
    const s = this.tasks.get(key);
    if (!s) return;
    this.tasks.delete(key);
    s.revoking = true;
    this.deadLettered += s.task.deadLettered;
    await s.task.close();
  }

  /**
   * Commits everything completed: one transaction (exactly-once) or flush-then-commit-offsets
   * (at-least-once). On failure the transaction is aborted and every task is rebuilt from the last
   * commit (`rewind`), so nothing is committed twice and nothing is lost.
   */
  private async commitNow(includeRevoking = false, holdingPollLock = false): Promise<void> {
    this.lastCommitAt = Date.now();
    const outputs: OutputRecord[] = [];
    const offsets: TopicPartitionOffset[] = [];
    const committedStates: Array<{ s: TaskState; offset: number }> = [];
    const participants: Array<{ s: TaskState; offset: TopicPartitionOffset }> = [];
    for (const s of this.tasks.values()) {
      if ((s.revoking && !includeRevoking) || !s.task.hasCommittable()) continue;
      const taken = s.task.takeCommit();
      for (const o of taken.outputs) outputs.push(o);
      if (taken.offset) {
        offsets.push(taken.offset);
        committedStates.push({ s, offset: taken.offset.offset });
        participants.push({ s, offset: taken.offset });
      }
    }
    if (outputs.length === 0 && offsets.length === 0 && !this.txnOpen) return;
    const started = performance.now();
    const producer = this.producer!;
    try {
      for (const { s, offset } of participants) for (const p of s.task.commitParticipants()) await p.commit!([offset]);
      if (this.exactlyOnce) {
        await this.beginIfNeeded();
        for (const o of outputs) if (!tryProduce(producer, o)) await produce(producer, o);
        if (offsets.length > 0) await txn.sendOffsets(producer, offsets, this.consumer!);
        this.txnOpen = false;
        await txn.commit(producer);
      } else {
        for (const o of outputs) if (!tryProduce(producer, o)) await produce(producer, o);
        await flush(producer);
        const failedDeliveries = this.deliveryErrors - this.deliveryErrorsSeen;
        this.deliveryErrorsSeen = this.deliveryErrors;
        if (failedDeliveries > 0) throw new EngineError('ENGINE_COMMIT_FAILED', 'some outputs were not delivered');
        if (offsets.length > 0) this.consumer!.commitSync(offsets.map((o) => ({ ...o })));
      }
    } catch (err) {
      await this.recoverFromFailedCommit(err, holdingPollLock);
      return;
    }
    for (const { s, offset } of committedStates) s.committed = offset;
    const ms = performance.now() - started;
    this.commitStats.count++;
    this.commitStats.lastLatencyMs = ms;
    this.commitStats.totalLatencyMs += ms;
    this.commitStats.maxLatencyMs = Math.max(this.commitStats.maxLatencyMs, ms);
    this.options.hooks.commit?.({ latencyMs: ms, outputs: outputs.length + this.producedSinceCommit, offsets });
    this.producedSinceCommit = 0;
  }

  private async recoverFromFailedCommit(err: unknown, holdingPollLock: boolean): Promise<void> {
    this.producedSinceCommit = 0;
    const error = err instanceof EngineError ? err : new EngineError('ENGINE_COMMIT_FAILED', errorMessage(err), { cause: err });
    this.options.logger.warn({ err: error.message, code: error.code, context: error.context }, 'commit failed; rewinding to the last commit');
    if (this.exactlyOnce) {
      // The group moved on (a member joined or left) between our poll and sendOffsets: the group
      // metadata's generation is stale. The producer is not fenced; abort, rewind to the last commit
      // and let the rebalance callbacks hand over what moved (Kafka Streams' TaskMigrated). A real
      // zombie gains nothing: its offsets were refused, so its outputs are aborted.
      const groupMoved = [22 /* ILLEGAL_GENERATION */, 25 /* UNKNOWN_MEMBER_ID */, 27 /* REBALANCE_IN_PROGRESS */].includes(error.context.kafkaCode as number);
      if (error.context.fatal === true || (error.code === 'ENGINE_FENCED' && !groupMoved)) {
        // A fenced or fatal transactional producer cannot be reused: stop (a supervisor restarts us).
        throw error;
      }
      try {
        this.txnOpen = false;
        await txn.abort(this.producer!);
      } catch (abortErr) {
        throw translate(abortErr, 'abort transaction after failed commit');
      }
    }
    await this.rewind(holdingPollLock);
  }

  /** Rebuilds every task from its changelog and seeks back to the committed offsets. */
  private async rewind(holdingPollLock: boolean): Promise<void> {
    const tps = [...this.tasks.values()].filter((s) => !s.revoking).map((s) => s.tp);
    for (const tp of tps) await this.dropTask(tp);
    const built: Array<{ state: TaskState; offset: number | undefined }> = [];
    for (const tp of tps) built.push({ state: await this.buildTask(tp), offset: await this.startOffset(tp) });
    const reposition = async () => {
      for (const { state, offset } of built) {
        state.nextOffset = offset ?? 0;
        state.committed = offset ?? -1;
        this.tasks.set(state.key, state);
        await new Promise<void>((resolve, reject) =>
          this.consumer!.seek({ ...state.tp, offset: offset ?? -2 }, 10_000, (err) => (err ? reject(translate(err, 'seek')) : resolve())),
        );
        this.consumer!.resume([state.tp]);
      }
    };
    await (holdingPollLock ? reposition() : this.pollLock.run(reposition));
  }

  private async doStop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    for (const signal of this.kafkaOptions.stopOnSignals ?? []) process.removeListener(signal, this.signalHandler);
    if (this.state === 'running') {
      this.transition('stopping');
      await this.loop;
      await this.serial.run(() => this.commitNow()).catch((err) => this.options.logger.error({ err }, 'final commit failed'));
    }
    await this.loop?.catch(() => undefined);
    await this.closeAll();
    if (this.state === 'stopping' || this.state === 'created') this.transition('stopped');
    if (this.failure) this.rejectDone(this.failure);
    else this.resolveDone();
  }

  private async closeAll(): Promise<void> {
    for (const s of [...this.tasks.values()]) await this.dropTask(s.tp);
    if (this.consumer) await disconnect(this.consumer);
    if (this.restoreConsumer) await disconnect(this.restoreConsumer);
    if (this.producer) await disconnect(this.producer);
  }

  private async fail(err: unknown): Promise<void> {
    if (this.failure) return;
    this.failure = err instanceof Error ? err : new Error(String(err));
    if (this.state === 'stopped' || this.state === 'created') {
      this.options.logger.warn({ err: this.failure }, 'error after the kafka runtime stopped');
      return;
    }
    this.options.logger.error({ err: this.failure }, 'kafka runtime failed; stopping without committing');
    this.transition('failed');
    void this.stop();
  }
}
