/**
 * The exactly-once producer's transaction as a state machine (TRANSACTION_LIFECYCLE):
 *
 *   idle → open (first output of the interval) → committing (offsets sent, commit) → idle
 *   open | committing → aborting (failed commit, lost assignment) → idle
 *   any → fatal (fenced or fatal producer: it cannot be reused, the runtime stops)
 *
 * A failed commit leaves the machine in `committing` (or `open`), from where the runtime aborts.
 */
import type { KafkaConsumer, Producer } from '@confluentinc/kafka-javascript';
import { txn } from './kafka-client.ts';
import { Lifecycle, TRANSACTION_LIFECYCLE, type TransactionState } from './lifecycle.ts';
import type { TopicPartitionOffset } from './record.ts';

export class KafkaTransaction {
  private readonly lifecycle = new Lifecycle('transaction', TRANSACTION_LIFECYCLE, 'idle');

  constructor(private readonly producer: Producer) {}

  get state(): TransactionState {
    return this.lifecycle.state;
  }

  /** A transaction has begun and holds produced outputs not yet committed (or aborted). */
  get open(): boolean {
    return this.lifecycle.is('open', 'committing');
  }

  /** Begins a transaction unless one is open. */
  async beginIfNeeded(): Promise<void> {
    if (this.lifecycle.state !== 'idle') return;
    await txn.begin(this.producer);
    this.lifecycle.to('open');
  }

  /** Adds the consumed offsets (with the group metadata, which fences zombies) and commits. */
  async commit(offsets: TopicPartitionOffset[], consumer: KafkaConsumer): Promise<void> {
    await this.beginIfNeeded();
    this.lifecycle.to('committing');
    if (offsets.length > 0) await txn.sendOffsets(this.producer, offsets, consumer);
    await txn.commit(this.producer);
    this.lifecycle.to('idle');
  }

  /** Aborts the open transaction, if any. Throws (the producer is then unusable) when the abort fails. */
  async abort(): Promise<void> {
    if (!this.open) return;
    this.lifecycle.to('aborting');
    try {
      await txn.abort(this.producer);
    } catch (err) {
      this.lifecycle.to('fatal');
      throw err;
    }
    this.lifecycle.to('idle');
  }

  /** The producer was fenced or hit a fatal error: no further transaction. */
  markFatal(): void {
    if (this.lifecycle.can('fatal')) this.lifecycle.to('fatal');
  }

  /** Initializes transactions (fences an older instance with the same transactional id). */
  static async init(producer: Producer): Promise<KafkaTransaction> {
    await txn.init(producer);
    return new KafkaTransaction(producer);
  }
}
