/**
 * KafkaRuntime: a consumer-group member running one task per assigned input partition. A thin shell
 * over its parts: the lifecycle (KAFKA_RUNTIME_LIFECYCLE), the clients, the task manager
 * (kafka-tasks.ts: assign, revoke, rewind, restore), the committer and its transaction state machine
 * (kafka-commit.ts, kafka-transaction.ts) and the poll loop (kafka-poll-loop.ts).
 *
 * Exactly-once (EOS v2 style): one transactional producer per instance. A crash before a commit leaves
 * an open transaction that the broker aborts (or that a restart with the same `instanceId` fences at
 * once), so a partial result is never visible to read_committed readers.
 *
 * Group protocol: KIP-848 with the range assignor, i.e. task-style assignment (why: see kafka-config.ts).
 */
import { randomUUID } from 'node:crypto';
import type { KafkaConsumer, LibrdKafkaError, Producer, TopicPartition } from '@confluentinc/kafka-javascript';
import { pino } from 'pino';
import {
  ERR,
  connectConsumer,
  connectProducer,
  disconnect,
  ensureTopics,
  partitionCounts,
  type Consumer,
} from './kafka-client.ts';
import { Committer } from './kafka-commit.ts';
import { changelogTopics, groupConsumerConfig, producerConfig, restoreConsumerConfig } from './kafka-config.ts';
import { IDLE_CONSUME_TIMEOUT_MS, pollLoop } from './kafka-poll-loop.ts';
import { TaskManager } from './kafka-tasks.ts';
import { StartupPhases } from './startup-phases.ts';
import { KafkaTransaction } from './kafka-transaction.ts';
import { KAFKA_RUNTIME_LIFECYCLE, Lifecycle, type KafkaRuntimeState } from './lifecycle.ts';
import { Mutex } from './mutex.ts';
import {
  resolveOptions,
  type CommonRuntimeOptions,
  type ProcessorCounters,
  type ResolvedOptions,
  type Runtime,
  type RuntimeMetrics,
} from './runtime.ts';

export type { KafkaRuntimeState } from './lifecycle.ts';

/** Awaits every promise (none is left running), then throws the first failure or returns the values. */
async function allSettled<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(promises);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

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
  /** Topic settings of the changelogs it creates, over CHANGELOG_TOPIC_CONFIG (e.g. a faster compaction in tests). */
  changelogTopicConfig?: Record<string, string>;
  /** Max records fetched per poll. Default 1000. */
  pollBatchSize?: number;
  /** Signals on which the runtime stops gracefully (final commit, leave the group). Default none. */
  stopOnSignals?: NodeJS.Signals[];
}

export class KafkaRuntime implements Runtime {
  /** Resolves when the runtime has stopped; rejects with the failure if it stopped on an error. */
  readonly done: Promise<void>;
  private readonly options: ResolvedOptions;
  private readonly instanceId: string;
  private readonly state = new Lifecycle('kafka runtime', KAFKA_RUNTIME_LIFECYCLE, 'created');
  private consumer: Consumer | undefined;
  private producer: Producer | undefined;
  private restoreConsumer: KafkaConsumer | undefined;
  private tasks: TaskManager | undefined;
  private committer: Committer | undefined;
  private startup: StartupPhases | undefined;
  private readonly counters = new Map<string, ProcessorCounters>();
  /** Serializes commits and assignment changes. */
  private readonly serial = new Mutex();
  /** Held by the poll loop around consume + routing, and by assignment changes. */
  private readonly pollLock = new Mutex();
  private starting: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private failure: Error | undefined;
  private resolveDone!: () => void;
  private rejectDone!: (err: Error) => void;
  private readonly signalHandler = () => void this.stop();
  private readonly isRunning = () => this.state.is('running');

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
    const commits = this.committer?.stats ?? { count: 0, lastLatencyMs: 0, totalLatencyMs: 0, maxLatencyMs: 0 };
    return {
      processors,
      partitions: this.tasks?.progress() ?? [],
      commits: { ...commits },
      deadLettered: this.tasks?.deadLettered ?? 0,
    };
  }

  /** The lifecycle state (see KAFKA_RUNTIME_LIFECYCLE). */
  get lifecycle(): KafkaRuntimeState {
    return this.state.state;
  }

  private async doStart(): Promise<void> {
    this.state.to('starting');
    const startup = (this.startup = new StartupPhases(this.options.logger, this.options.hooks));
    const { topology, applicationId } = this.options;
    const brokers = this.kafkaOptions.brokers;
    const exactlyOnce = this.options.guarantee === 'exactly_once';
    const partitionsOf = (t: string) => this.kafkaOptions.topics?.[t] ?? this.kafkaOptions.defaultPartitions ?? 1;
    const plain = [
      ...new Set([
        ...topology.sourceByTopic.keys(),
        ...topology.fixedSinkTopics,
        this.options.dlqTopic,
        ...Object.keys(this.kafkaOptions.topics ?? {}),
      ]),
    ];
    const id = { brokers, applicationId, instanceId: this.instanceId };
    const sources = [...topology.sourceByTopic.keys()];
    // The phases that do not depend on each other run concurrently: topic creation, the producer
    // (connect, then initTransactions) and the two consumers' connections; the changelogs follow the
    // source topics (their partition counts). Each client is kept as soon as it is connected, so a
    // failed start closes it (closeAll) whichever phase failed.
    const topicsReady = ensureTopics(
      brokers,
      plain.map((topic) => ({ topic, partitions: partitionsOf(topic) })),
    ).then(() => startup.mark('topics created'));
    const producerReady = connectProducer(producerConfig(id, exactlyOnce, this.kafkaOptions.producerConfig)).then(
      async (producer) => {
        this.producer = producer;
        startup.mark('producer connected');
        const transaction = exactlyOnce ? await KafkaTransaction.init(producer) : undefined;
        startup.mark('transactions initialized');
        return { producer, transaction };
      },
    );
    const restoreReady = connectConsumer(restoreConsumerConfig(id)).then((restoreConsumer) => {
      this.restoreConsumer = restoreConsumer;
      startup.mark('restore consumer connected');
      return restoreConsumer;
    });
    const consumerReady = connectConsumer(
      groupConsumerConfig(
        id,
        (err: LibrdKafkaError, assignment: TopicPartition[]) => this.onRebalance(err, assignment),
        this.kafkaOptions.consumerConfig,
      ),
    ).then((consumer) => {
      this.consumer = consumer;
      startup.mark('group consumer connected');
      return consumer;
    });
    const changelogsReady = Promise.all([consumerReady, topicsReady]).then(async ([consumer]) => {
      const counts = await partitionCounts(consumer, sources);
      startup.mark('partition counts');
      await ensureTopics(
        brokers,
        changelogTopics(topology, applicationId, (t) => counts.get(t) ?? partitionsOf(t), this.kafkaOptions.changelogTopicConfig),
      );
      startup.mark('changelogs created');
    });
    const [{ producer, transaction }, restoreConsumer, consumer] = await allSettled([
      producerReady,
      restoreReady,
      consumerReady,
      changelogsReady,
    ] as const);
    restoreConsumer.setDefaultConsumeTimeout(100);
    // The poll loop shortens it while records are in flight (kafka-poll-loop.ts).
    consumer.setDefaultConsumeTimeout(IDLE_CONSUME_TIMEOUT_MS);
    // Return a poll as soon as some records are there instead of waiting to fill the batch.
    (
      consumer as unknown as { setDefaultIsTimeoutOnlyForFirstMessage(v: boolean): void }
    ).setDefaultIsTimeoutOnlyForFirstMessage(true);
    const fail = (err: unknown) => this.fail(err);
    const tasks = (this.tasks = new TaskManager({
      options: this.options,
      consumer,
      restoreConsumer,
      pollLock: this.pollLock,
      counters: this.counters,
      isRunning: this.isRunning,
      startup,
    }));
    const committer = (this.committer = new Committer({
      options: this.options,
      consumer,
      producer,
      transaction,
      tasks,
      serial: this.serial,
      isRunning: this.isRunning,
      fail,
      startup,
    }));
    consumer.subscribe(sources);
    for (const signal of this.kafkaOptions.stopOnSignals ?? []) process.once(signal, this.signalHandler);
    this.state.to('running');
    const batchSize = this.kafkaOptions.pollBatchSize ?? 1000;
    this.loop = pollLoop({
      consumer,
      batchSize,
      pollLock: this.pollLock,
      serial: this.serial,
      tasks,
      committer,
      isRunning: this.isRunning,
      fail,
      startup,
    }).catch(fail);
    this.options.logger.info(
      { applicationId, instanceId: this.instanceId, guarantee: this.options.guarantee },
      'kafka runtime started',
    );
  }

  private onRebalance(err: LibrdKafkaError, assignment: TopicPartition[]): void {
    const tps = assignment.map((a) => ({ topic: a.topic, partition: a.partition }));
    const { tasks, committer } = this;
    if (!this.consumer || !tasks || !committer) return;
    if (err.code === ERR.ASSIGN) {
      this.startup?.mark('group joined (first assignment)');
      // Commit first: building the new tasks (offsets, restores) can take seconds, during which no
      // commit runs; a transaction left open that long would pass transaction.timeout.ms, and the
      // broker would abort it and fence this producer (the worker dies with ENGINE_FENCED).
      const assign = async () => {
        if (this.state.is('running')) await committer.commitNow();
        await tasks.assign(tps);
      };
      void this.serial.run(assign).catch((e) => this.fail(e));
    } else if (err.code === ERR.REVOKE) {
      // Closing: the final commit already ran; just hand the partitions back.
      if (!this.state.is('running')) return tasks.unassignClosing(tps);
      const actions = { commitRevoking: () => committer.commitNow(true, true), abortOpen: () => committer.abortOpen() };
      void this.serial.run(() => tasks.revoke(tps, actions)).catch((e) => this.fail(e));
    } else {
      this.options.logger.error({ err }, 'rebalance error');
    }
  }

  private async doStop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    for (const signal of this.kafkaOptions.stopOnSignals ?? []) process.removeListener(signal, this.signalHandler);
    if (this.state.is('running')) {
      this.state.to('stopping');
      await this.loop;
      const committer = this.committer!;
      await this.serial
        .run(() => committer.commitNow())
        .catch((err) => this.options.logger.error({ err }, 'final commit failed'));
    }
    await this.loop?.catch(() => undefined);
    // A failed runtime does not commit, but it must not leave its transaction open either: until the
    // broker timed it out (transaction.timeout.ms), read_committed readers of every partition it wrote
    // to would be stuck behind it.
    if (this.failure && this.committer) {
      const committer = this.committer;
      await this.serial
        .run(() => committer.abortOpen())
        .catch((err) => this.options.logger.warn({ err }, 'could not abort the open transaction of a failed runtime'));
    }
    await this.closeAll();
    if (this.state.is('stopping', 'created')) this.state.to('stopped');
    if (this.failure) this.rejectDone(this.failure);
    else this.resolveDone();
  }

  private async closeAll(): Promise<void> {
    await this.tasks?.dropAll();
    if (this.consumer) await disconnect(this.consumer);
    if (this.restoreConsumer) await disconnect(this.restoreConsumer);
    if (this.producer) await disconnect(this.producer);
  }

  private async fail(err: unknown): Promise<void> {
    if (this.failure) return;
    this.failure = err instanceof Error ? err : new Error(String(err));
    if (this.state.is('stopped', 'created')) {
      this.options.logger.warn({ err: this.failure }, 'error after the kafka runtime stopped');
      return;
    }
    this.options.logger.error({ err: this.failure }, 'kafka runtime failed; stopping without committing');
    this.state.to('failed');
    void this.stop();
  }
}
