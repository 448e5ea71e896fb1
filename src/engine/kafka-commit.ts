/**
 * The KafkaRuntime's commits. Exactly-once (EOS v2 style): outputs are produced into the open
 * transaction as they are released; a commit runs `produce the rest → sendOffsetsToTransaction (with
 * the consumer's group metadata, so a zombie of an older generation is fenced) → commit`. At-least-once:
 * produce, flush, then commit the offsets. On failure the transaction is aborted and every task is
 * rebuilt from the last commit (`rewind`), so nothing is committed twice and nothing is lost.
 *
 * Commits and assignment changes are serialized by one mutex (`serial`).
 */
import type { LibrdKafkaError, Producer } from '@confluentinc/kafka-javascript';
import { EngineError, errorMessage } from './errors.ts';
import { flush, produce, translate, tryProduce, type Consumer } from './kafka-client.ts';
import type { PartitionTask, TaskManager } from './kafka-tasks.ts';
import type { KafkaTransaction } from './kafka-transaction.ts';
import type { Mutex } from './mutex.ts';
import type { OutputRecord, TopicPartitionOffset } from './record.ts';
import type { ResolvedOptions, RuntimeMetrics } from './runtime.ts';
import type { StartupPhases } from './startup-phases.ts';

export interface CommitterDeps {
  options: ResolvedOptions;
  consumer: Consumer;
  producer: Producer;
  /** The exactly-once transaction; undefined under at-least-once. */
  transaction: KafkaTransaction | undefined;
  tasks: TaskManager;
  serial: Mutex;
  isRunning: () => boolean;
  fail: (err: unknown) => void;
  startup?: StartupPhases;
}

/** Outputs waiting are committed once this many times the last commit's latency has passed. */
const COMMIT_COST_FACTOR = 2;
/** Never sooner than this after the last commit started (ms). */
const MIN_COMMIT_GAP_MS = 10;

/** Kafka error codes meaning the group moved on between our poll and sendOffsets (not a zombie). */
const GROUP_MOVED = [22 /* ILLEGAL_GENERATION */, 25 /* UNKNOWN_MEMBER_ID */, 27 /* REBALANCE_IN_PROGRESS */];

export class Committer {
  readonly stats: RuntimeMetrics['commits'] = { count: 0, lastLatencyMs: 0, totalLatencyMs: 0, maxLatencyMs: 0 };
  private queued = false;
  private running = false;
  /** Outputs produced eagerly since the last commit (for the commit hook). */
  private producedSinceCommit = 0;
  private lastCommitAt = 0;
  /** No commit has carried outputs yet: the first ones are committed without waiting for the interval. */
  private firstOutputs = true;
  private deliveryErrors = 0;
  private deliveryErrorsSeen = 0;

  constructor(private readonly d: CommitterDeps) {
    if (!d.transaction)
      d.producer.on('delivery-report', (err: LibrdKafkaError | null) => void (err && this.deliveryErrors++));
  }

  /** A commit is queued or running (released outputs then wait for the next transaction). */
  get busy(): boolean {
    return this.queued || this.running;
  }

  /**
   * True when the commit interval has passed since the last commit started, or when the runtime's
   * first outputs wait (a new instance's first output becomes visible at once, not an interval later),
   * or when outputs wait and COMMIT_COST_FACTOR times the last commit's latency (at least
   * MIN_COMMIT_GAP_MS) has passed. Why: a record crossing topics within one runtime reaches each next
   * processor just after the commit that made it visible, so with the full interval every hop waited
   * about one interval (`npm run bench first-hops`: 111 ms per hop at 100 ms). Commits then take at
   * most about half of the time; once they take half the interval or more (a busy broker), the
   * interval alone decides again.
   */
  due(now: number): boolean {
    const since = now - this.lastCommitAt;
    if (since >= this.d.options.commitIntervalMs) return true;
    if (this.producedSinceCommit === 0) return false;
    return this.firstOutputs || since >= Math.max(MIN_COMMIT_GAP_MS, COMMIT_COST_FACTOR * this.stats.lastLatencyMs);
  }

  /**
   * Sends released outputs to the producer right away (inside the open transaction), so the commit
   * only has to flush what is still in flight. Call under `serial`: outputs released while a commit
   * is running wait for the next transaction, since their offsets are not part of the committing one.
   */
  async produceReady(): Promise<void> {
    if (!this.d.isRunning()) return;
    for (const s of this.d.tasks.all()) {
      if (s.revoking) continue;
      const outputs = s.task.takeOutputs();
      if (outputs.length === 0) continue;
      await this.d.transaction?.beginIfNeeded();
      await this.send(outputs);
      this.producedSinceCommit += outputs.length;
      this.d.startup?.mark('first outputs produced');
    }
  }

  /** Queues a commit under `serial` (at most one queued). */
  request(): void {
    if (this.queued) return;
    this.queued = true;
    void this.d.serial
      .run(async () => {
        this.queued = false;
        this.running = true;
        try {
          if (this.d.isRunning()) await this.commitNow();
        } finally {
          this.running = false;
        }
      })
      .catch((err) => this.d.fail(err));
  }

  /** Commits everything completed. Call under `serial`. */
  async commitNow(includeRevoking = false, holdingPollLock = false): Promise<void> {
    this.lastCommitAt = Date.now();
    const { producer, consumer, transaction } = this.d;
    const outputs: OutputRecord[] = [];
    const offsets: TopicPartitionOffset[] = [];
    const participants: Array<{ s: PartitionTask; offset: TopicPartitionOffset }> = [];
    for (const s of this.d.tasks.all()) {
      if ((s.revoking && !includeRevoking) || !s.task.hasCommittable()) continue;
      const taken = s.task.takeCommit();
      for (const o of taken.outputs) outputs.push(o);
      if (taken.offset) {
        offsets.push(taken.offset);
        participants.push({ s, offset: taken.offset });
      }
    }
    if (outputs.length === 0 && offsets.length === 0 && !transaction?.open) return;
    const started = performance.now();
    try {
      // Every participant at once (each task's with its own offset), so participants sharing a
      // resource can merge their work (the pipeline sink: one database transaction per commit);
      // the first failure, once all have answered, recovers the whole commit as before.
      const settled = await Promise.allSettled(
        participants.flatMap(({ s, offset }) => s.task.commitParticipants().map((p) => p.commit!([offset]))),
      );
      const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failed) throw failed.reason;
      if (transaction) {
        await transaction.beginIfNeeded();
        await this.send(outputs);
        await transaction.commit(offsets, consumer);
      } else {
        await this.send(outputs);
        await flush(producer);
        const failedDeliveries = this.deliveryErrors - this.deliveryErrorsSeen;
        this.deliveryErrorsSeen = this.deliveryErrors;
        if (failedDeliveries > 0) throw new EngineError('ENGINE_COMMIT_FAILED', 'some outputs were not delivered');
        if (offsets.length > 0) consumer.commitSync(offsets.map((o) => ({ ...o })));
      }
    } catch (err) {
      await this.recover(err, holdingPollLock);
      return;
    }
    for (const { s, offset } of participants) s.committed = offset.offset;
    const ms = performance.now() - started;
    this.stats.count++;
    this.stats.lastLatencyMs = ms;
    this.stats.totalLatencyMs += ms;
    this.stats.maxLatencyMs = Math.max(this.stats.maxLatencyMs, ms);
    this.d.options.hooks.commit?.({ latencyMs: ms, outputs: outputs.length + this.producedSinceCommit, offsets });
    if (outputs.length + this.producedSinceCommit > 0) {
      this.firstOutputs = false;
      this.d.startup?.finish();
    }
    this.producedSinceCommit = 0;
  }

  /** Aborts the open transaction (a lost assignment); true if there was one. */
  async abortOpen(): Promise<boolean> {
    const transaction = this.d.transaction;
    if (!transaction?.open) return false;
    await transaction.abort();
    return true;
  }

  private async send(outputs: OutputRecord[]): Promise<void> {
    const producer = this.d.producer;
    for (const o of outputs) if (!tryProduce(producer, o)) await produce(producer, o);
  }

  private async recover(err: unknown, holdingPollLock: boolean): Promise<void> {
    this.producedSinceCommit = 0;
    const error =
      err instanceof EngineError ? err : new EngineError('ENGINE_COMMIT_FAILED', errorMessage(err), { cause: err });
    this.d.options.logger.warn(
      { err: error.message, code: error.code, context: error.context },
      'commit failed; rewinding to the last commit',
    );
    const transaction = this.d.transaction;
    if (transaction) {
      // The group moved on (a member joined or left) between our poll and sendOffsets: the group
      // metadata's generation is stale. The producer is not fenced; abort, rewind to the last commit
      // and let the rebalance callbacks hand over what moved (Kafka Streams' TaskMigrated). A real
      // zombie gains nothing: its offsets were refused, so its outputs are aborted.
      const groupMoved = GROUP_MOVED.includes(error.context.kafkaCode as number);
      if (error.context.fatal === true || (error.code === 'ENGINE_FENCED' && !groupMoved)) {
        // A fenced or fatal transactional producer cannot be reused: stop (a supervisor restarts us).
        transaction.markFatal();
        throw error;
      }
      try {
        await transaction.abort();
      } catch (abortErr) {
        throw translate(abortErr, 'abort transaction after failed commit');
      }
    }
    await this.d.tasks.rewind(holdingPollLock);
  }
}
