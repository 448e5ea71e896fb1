/**
 * The topology's nodes as instantiated in one task, and how a record flows through them: forwards
 * reserve output slots (so outputs keep forward order), sinks serialize, processors run with a
 * context bound to the record's window entry, store writes become changelog records of that entry.
 * Failures and completions are reported to the task (`GraphHost`), which owns the window.
 */
import type { Logger } from 'pino';
import { EngineError, errorMessage } from './errors.ts';
import { NodeContext, type ContextHost, type NodeInstance } from './node-context.ts';
import type { Processor, RecordContext } from './processor.ts';
import { StreamRecord, type OutputRecord } from './record.ts';
import type { ProcessorCounters } from './runtime.ts';
import { changelogTopic, InMemoryKeyValueStore, type KeyValueStore } from './state-store.ts';
import type { Entry, OutputTree } from './task-window.ts';
import type { BuiltTopology, TopologyNode } from './topology.ts';

/** What the graph reports to (and asks of) its task. */
export interface GraphHost {
  /** The context host processors see (the task). */
  readonly context: ContextHost;
  isClosed(): boolean;
  fail(entry: Entry | undefined, err: unknown, inst: NodeInstance, stage: string): void;
  /** One pending processing call of `entry` settled. */
  settle(entry: Entry): void;
  /** An output that belongs to no record: released at once. */
  release(output: OutputRecord): void;
  now(): number;
}

export class TaskGraph {
  readonly instances = new Map<string, NodeInstance>();
  readonly stores = new Map<string, InMemoryKeyValueStore<any, any>>();
  readonly source: NodeInstance;
  /** The window the processors need: the runtime's concurrency or more. */
  readonly window: number;
  /** The record processed synchronously right now (for contexts not bound to a record). */
  private current: Entry | undefined;
  private currentSlot: OutputTree | undefined;

  constructor(
    topology: BuiltTopology,
    private readonly applicationId: string,
    topic: string,
    private readonly partition: number,
    concurrency: number,
    counters: Map<string, ProcessorCounters>,
    private readonly host: GraphHost,
  ) {
    const sourceName = topology.sourceByTopic.get(topic);
    if (!sourceName) throw new EngineError('ENGINE_ILLEGAL_STATE', `no source reads topic ${topic}`);
    let window = concurrency;
    for (const name of topology.reachableFrom(sourceName)) {
      const node = topology.nodes.get(name)!;
      let c = counters.get(name);
      if (!c) counters.set(name, (c = { in: 0, out: 0, errors: 0 }));
      this.instances.set(name, { node, children: [], childByName: new Map(), counters: c });
      if (node.kind === 'processor') {
        window = Math.max(window, node.concurrency ?? 1);
        for (const store of node.stores) {
          if (!this.stores.has(store)) this.stores.set(store, new InMemoryKeyValueStore(topology.stores.get(store)!));
        }
      }
    }
    for (const inst of this.instances.values()) {
      for (const child of inst.node.children) {
        const c = this.instances.get(child)!;
        inst.children.push(c);
        inst.childByName.set(child, c);
      }
    }
    this.window = window;
    this.source = this.instances.get(sourceName)!;
  }

  /** Instantiates and initializes processors (after the stores were restored). */
  initProcessors(): void {
    for (const inst of this.instances.values()) {
      if (inst.node.kind !== 'processor') continue;
      inst.processor = inst.node.supplier();
      inst.context = new NodeContext(this.host.context, inst, undefined, undefined);
      inst.processor.init?.(inst.context);
    }
  }

  async closeProcessors(logger: Logger, taskId: string): Promise<void> {
    for (const inst of this.instances.values()) {
      try {
        await inst.processor?.close?.();
      } catch (err) {
        logger.warn({ err, task: taskId, node: inst.node.name }, 'processor close failed');
      }
    }
  }

  /** Processors that take part in commits (external transactional sinks). */
  commitParticipants(): Processor[] {
    return [...this.instances.values()].flatMap((i) => (i.processor?.commit ? [i.processor] : []));
  }

  /** Deserializes `entry`'s record and sends it through the topology. */
  submit(entry: Entry): void {
    const { record } = entry;
    const source = this.source;
    const node = source.node as Extract<TopologyNode, { kind: 'source' }>;
    let input: StreamRecord<unknown, unknown>;
    try {
      input = new StreamRecord(
        node.keySerde.deserialize(record.key),
        node.valueSerde.deserialize(record.value),
        record.timestamp,
        record.headers,
      );
    } catch (err) {
      this.host.fail(
        entry,
        new EngineError('ENGINE_DESERIALIZATION', errorMessage(err), { cause: err }),
        source,
        'deserialize',
      );
      return;
    }
    source.counters.in++;
    this.forwardFrom(source, entry, entry.outputs, input, undefined);
  }

  /** The entry a context acts for: its own record, else the record processed synchronously. */
  entryFor(entry: Entry | undefined): Entry | undefined {
    return entry ?? this.current;
  }

  /** A forward from a processor's context (bound to a record, or acting for the current one). */
  forwardFromContext(
    inst: NodeInstance,
    entry: Entry | undefined,
    slot: OutputTree | undefined,
    record: StreamRecord<unknown, unknown>,
    childName: string | undefined,
  ): void {
    if (entry) this.forwardFrom(inst, entry, slot, record, childName);
    else this.forwardFrom(inst, this.current, this.current ? this.currentSlot : undefined, record, childName);
  }

  /** A store view whose changelog writes belong to `entry` (or to the current record). */
  storeView(inst: NodeInstance, name: string, entry: Entry | undefined): KeyValueStore<any, any> {
    const node = inst.node;
    if (node.kind !== 'processor' || !node.stores.includes(name))
      throw new EngineError('ENGINE_UNKNOWN_STORE', `${inst.node.name} has no store ${name}`);
    const store = this.stores.get(name)!;
    if (store.definition.changelog === false) return store.view(undefined);
    const topic = changelogTopic(this.applicationId, name);
    return store.view((key, value) => {
      const e = entry ?? this.current;
      const write: OutputRecord = {
        topic,
        partition: this.partition,
        key,
        value,
        timestamp: e?.record.timestamp ?? this.host.now(),
        headers: {},
      };
      if (e) e.changelog.push(write);
      else this.host.release(write);
    });
  }

  private forwardFrom(
    from: NodeInstance,
    entry: Entry | undefined,
    slot: OutputTree | undefined,
    record: StreamRecord<unknown, unknown>,
    childName: string | undefined,
  ): void {
    if (entry?.failed || this.host.isClosed()) return;
    let targets = from.children;
    if (childName !== undefined) {
      const child = from.childByName.get(childName);
      if (!child) throw new EngineError('ENGINE_UNKNOWN_CHILD', `${from.node.name} has no child ${childName}`);
      targets = [child];
    }
    if (from.node.kind === 'processor') from.counters.out++;
    for (const target of targets) {
      if (slot && target.node.kind === 'processor') {
        const sub: OutputTree = [];
        slot.push(sub);
        this.dispatch(target, record, entry, sub);
      } else {
        this.dispatch(target, record, entry, slot);
      }
    }
  }

  private dispatch(
    inst: NodeInstance,
    record: StreamRecord<unknown, unknown>,
    entry: Entry | undefined,
    slot: OutputTree | undefined,
  ): void {
    const node = inst.node;
    if (node.kind === 'sink') {
      let output: OutputRecord;
      try {
        const topic = typeof node.topic === 'string' ? node.topic : node.topic(record, entry?.metadata);
        output = {
          topic,
          key: node.keySerde.serialize(record.key),
          value: node.valueSerde.serialize(record.value),
          timestamp: record.timestamp,
          headers: record.headers,
        };
      } catch (err) {
        this.host.fail(
          entry,
          new EngineError('ENGINE_SERIALIZATION', errorMessage(err), { cause: err }),
          inst,
          'serialize',
        );
        return;
      }
      inst.counters.in++;
      inst.counters.out++;
      if (entry && slot) slot.push(output);
      else this.host.release(output);
      return;
    }
    if (node.kind !== 'processor' || !inst.processor) return;
    inst.counters.in++;
    const context = entry ? new NodeContext(this.host.context, inst, entry, slot) : (inst.context as RecordContext);
    const previous = this.current;
    const previousSlot = this.currentSlot;
    this.current = entry;
    this.currentSlot = slot;
    let result: void | Promise<void>;
    try {
      result = inst.processor.process(record, context);
    } catch (err) {
      this.host.fail(entry, err, inst, 'process');
      return;
    } finally {
      this.current = previous;
      this.currentSlot = previousSlot;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      if (!entry) {
        (result as Promise<void>).catch((err: unknown) => this.host.fail(undefined, err, inst, 'process'));
        return;
      }
      entry.pending++;
      (result as Promise<void>).then(
        () => this.host.settle(entry),
        (err: unknown) => {
          this.host.fail(entry, err, inst, 'process');
          this.host.settle(entry);
        },
      );
    }
  }
}
