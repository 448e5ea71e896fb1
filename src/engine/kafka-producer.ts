/**
 * A producer for records sent from outside a topology (e.g. commands to a pipeline's tasks topic):
 * idempotent, keyed with the same murmur2 partitioning as the runtimes, and `send` resolves once the
 * broker acknowledged every record (rejects with a coded EngineError otherwise). Built on
 * kafka-client.ts, so the native client is loaded on the first `connectTopicProducer`, not on import.
 */
import type { LibrdKafkaError, Producer } from '@confluentinc/kafka-javascript';
import { connectProducer, disconnect, produce, translate, type ClientConfig } from './kafka-client.ts';
import type { Headers } from './record.ts';

export interface ProducerRecord {
  topic: string;
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Headers;
  /** Default: by key (murmur2, as the runtimes). */
  partition?: number;
}

export interface TopicProducer {
  /** Sends the records (in order per partition); resolves when all are acknowledged. */
  send(records: ProducerRecord[]): Promise<void>;
  /** Waits for records in flight, then disconnects. Idempotent. */
  close(): Promise<void>;
}

export interface TopicProducerOptions {
  /** Bootstrap servers, comma-separated. */
  brokers: string;
  clientId?: string;
  /** Extra librdkafka settings (override the defaults). */
  config?: Record<string, string | number | boolean>;
}

const bytes = (v: string | Buffer | null): Buffer | null =>
  v === null ? null : typeof v === 'string' ? Buffer.from(v, 'utf8') : v;

interface DeliveryReport {
  topic: string;
  opaque?: unknown;
}

export async function connectTopicProducer(options: TopicProducerOptions): Promise<TopicProducer> {
  const config: ClientConfig = {
    'bootstrap.servers': options.brokers,
    'client.id': options.clientId ?? 'metis-streams-producer',
    'enable.idempotence': true,
    partitioner: 'murmur2_random',
    'linger.ms': 5,
    dr_cb: true,
    ...options.config,
  };
  const producer: Producer = await connectProducer(config);
  const waiting = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();
  let next = 0;
  producer.on('delivery-report', (err: LibrdKafkaError | null, report: DeliveryReport) => {
    const id = report?.opaque as number;
    const waiter = waiting.get(id);
    if (!waiter) return;
    waiting.delete(id);
    if (err) waiter.reject(translate(err, `produce to ${report.topic}`));
    else waiter.resolve();
  });
  let closed: Promise<void> | undefined;
  return {
    async send(records) {
      if (closed) throw translate(new Error('producer closed'), 'send');
      const delivered: Array<Promise<void>> = [];
      for (const r of records) {
        const id = next++;
        const acked = new Promise<void>((resolve, reject) => waiting.set(id, { resolve, reject }));
        acked.catch(() => undefined); // handled by Promise.all below, or dropped if a later produce throws
        delivered.push(acked);
        const output = {
          topic: r.topic,
          partition: r.partition,
          key: bytes(r.key),
          value: bytes(r.value),
          timestamp: Date.now(),
          headers: r.headers ?? {},
        };
        try {
          await produce(producer, output, id);
        } catch (err) {
          waiting.delete(id);
          throw err;
        }
      }
      await Promise.all(delivered);
    },
    close() {
      closed ??= (async () => {
        await new Promise<void>((resolve) => producer.flush(30_000, () => resolve()));
        await disconnect(producer);
      })();
      return closed;
    },
  };
}
