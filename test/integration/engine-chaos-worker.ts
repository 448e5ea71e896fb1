/**
 * A worker process of the chaos and rebalance tests: a KafkaRuntime counting records per key in a
 * changelogged store and emitting `<input value>|<count>` per record.
 * argv: brokers applicationId instanceId inputTopic outputTopic guarantee
 */
import { pino } from 'pino';
import { KafkaRuntime, Topology, stringSerde, jsonSerde, type KeyValueStore, type Processor, type ProcessorContext } from '../../src/engine/index.ts';

const [brokers, applicationId, instanceId, input, output, guarantee = 'exactly_once'] = process.argv.slice(2);

class Counter implements Processor<string, string, string, string> {
  private store!: KeyValueStore<string, number>;
  init(ctx: ProcessorContext<string, string>): void {
    this.store = ctx.getStateStore('counts');
  }
  process(record: Parameters<Processor<string, string>['process']>[0], ctx: Parameters<Processor<string, string, string, string>['process']>[1]): void {
    const count = (this.store.get(record.key) ?? 0) + 1;
    this.store.put(record.key, count);
    ctx.forward(record.withValue(`${record.value}|${count}`));
  }
}

const topology = new Topology()
  .addSource('in', { topics: input, keySerde: stringSerde, valueSerde: stringSerde })
  .addProcessor('count', { parents: ['in'], supplier: () => new Counter() })
  .addStateStore({ name: 'counts', keySerde: stringSerde, valueSerde: jsonSerde<number>() }, ['count'])
  .addSink('out', { topic: output, parents: ['count'], keySerde: stringSerde, valueSerde: stringSerde });

const runtime = new KafkaRuntime({
  topology,
  brokers,
  applicationId,
  instanceId,
  guarantee: guarantee as 'exactly_once' | 'at_least_once',
  stopOnSignals: ['SIGTERM'],
  logger: pino({ level: process.env.ENGINE_LOG_LEVEL ?? 'warn', base: { worker: instanceId } }, pino.destination(2)),
});
await runtime.start();
process.send?.({ started: instanceId });
// Tell the parent test how many partitions this worker owns, whenever that changes.
let owned = -1;
const reporter = setInterval(() => {
  const n = runtime.metrics().partitions.length;
  if (n !== owned) process.send?.({ assigned: (owned = n) });
}, 100);
await runtime.done.catch((err) => {
  console.error(`worker ${instanceId} failed:`, err);
  process.exitCode = 1;
});
clearInterval(reporter);
process.send?.({ metrics: runtime.metrics() });
process.disconnect?.();
