/**
 * A task: the topology instantiated for one input topic-partition. Runtime-agnostic: a runtime feeds
 * it raw records (`submit`) while `canAccept()`, and periodically takes what is committable
 * (`takeCommit`): the outputs of completed records in input order and the next input offset.
 *
 * Ordered async concurrency: every input record is an entry in a FIFO window; a record is complete
 * when its processing and that of everything it forwarded has settled. Entries leave the window only
 * from the head, so outputs and offsets are released in input order whatever order promises settle in.
 */
import type { Logger } from 'pino';
import { EngineError, errorMessage } from './errors.ts';
import type { Cancellable, Processor, ProcessorContext, PunctuationType, Punctuator, RecordContext } from './processor.ts';
import { StreamRecord, type LogRecord, type OutputRecord, type RecordMetadata, type TopicPartitionOffset } from './record.ts';
import type { ErrorPolicy, ProcessorCounters, RuntimeHooks } from './runtime.ts';
import { changelogTopic, InMemoryKeyValueStore, type KeyValueStore } from './state-store.ts';
import type { BuiltTopology, TopologyNode } from './topology.ts';

export interface TaskOptions {
  topology: BuiltTopology;
  applicationId: string;
  topic: string;
  partition: number;
  /** Runtime default window; processors may ask for more. */
  concurrency: number;
  errorPolicy: ErrorPolicy;
  dlqTopic: string;
  logger: Logger;
  /** Shared per-node counters (owned by the runtime, summed over tasks). */
  counters: Map<string, ProcessorCounters>;
  /** Called when records complete or fail, so the runtime can refill the window and commit. */
  onProgress: () => void;
  /** Wall-clock source (the LocalRuntime may use a manual clock). */
  now: () => number;
  hooks?: RuntimeHooks;
}

/**
 * A record's outputs as a tree: every forward to a processor reserves a slot, so outputs come out in
 * forward order (as if processing were synchronous) whatever order async children settle in.
 */
type OutputTree = Array<OutputRecord | OutputTree>;

function flattenInto(tree: OutputTree, out: OutputRecord[]): void {
  for (const item of tree) {
    if (Array.isArray(item)) flattenInto(item, out);
    else out.push(item);
  }
}

interface Entry {
  readonly record: LogRecord;
  readonly metadata: RecordMetadata;
  outputs: OutputTree;
  readonly changelog: OutputRecord[];
  pending: number;
  done: boolean;
  failed: boolean;
}

interface Schedule {
  intervalMs: number;
  type: PunctuationType;
  punctuator: Punctuator;
  next: number | undefined;
  cancelled: boolean;
  node: NodeInstance;
}

interface NodeInstance {
  node: TopologyNode;
  children: NodeInstance[];
  childByName: Map<string, NodeInstance>;
  processor?: Processor;
  context?: ProcessorContext;
  counters: ProcessorCounters;
}

export class Task {
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly window: number;
  readonly stores = new Map<string, InMemoryKeyValueStore<any, any>>();
  /** Set when a record failed under fail-fast, or a commit participant failed: the runtime stops. */
  fatal: Error | undefined;
  private readonly queue: Entry[] = [];
  private ready: OutputRecord[] = [];
  private committable = -1;
  private streamTime = -Infinity;
  private current: Entry | undefined;
  private currentSlot: OutputTree | undefined;
  private closed = false;
  private readonly abort = new AbortController();
  private readonly schedules: Schedule[] = [];
  private readonly instances = new Map<string, NodeInstance>();
  private readonly source: NodeInstance;

  constructor(private readonly options: TaskOptions) {
    const { topology, topic, partition } = options;
    this.topic = topic;
    this.partition = partition;
    this.id = `${topic}-${partition}`;
    const sourceName = topology.sourceByTopic.get(topic);
    if (!sourceName) throw new EngineError('ENGINE_ILLEGAL_STATE', `no source reads topic ${topic}`);
    let window = options.concurrency;
    for (const name of topology.reachableFrom(sourceName)) {
      const node = topology.nodes.get(name)!;
      let counters = options.counters.get(name);
      if (!counters) options.counters.set(name, (counters = { in: 0, out: 0, errors: 0 }));
      this.instances.set(name, { node, children: [], childByName: new Map(), counters });
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
  init(): void {
    for (const inst of this.instances.values()) {
      if (inst.node.kind !== 'processor') continue;
      inst.processor = inst.node.supplier();
      inst.context = this.makeContext(inst, undefined);
      inst.processor.init?.(inst.context);
    }
  }

  /** Applies one changelog record to a store during restoration. */
  restore(storeName: string, key: Buffer, value: Buffer | null): void {
    this.stores.get(storeName)?.restore(key, value);
  }

  /** Stores whose changelog must be replayed before `init`. */
  changelogStores(): string[] {
    return [...this.stores.values()].filter((s) => s.definition.changelog !== false).map((s) => s.name);
  }

  get inFlight(): number {
    return this.queue.length;
  }

  canAccept(): boolean {
    return !this.closed && this.fatal === undefined && this.queue.length < this.window;
  }

  /** True when there are outputs or an offset to commit. */
  hasCommittable(): boolean {
    return this.ready.length > 0 || this.committable >= 0;
  }

  /** Processors that take part in commits (external transactional sinks). */
  commitParticipants(): Processor[] {
    return [...this.instances.values()].flatMap((i) => (i.processor?.commit ? [i.processor] : []));
  }

  /** Takes the outputs released so far (in input order) without the offset: for eager producing. */
  takeOutputs(): OutputRecord[] {
    const outputs = this.ready;
    this.ready = [];
    return outputs;
  }

  /**
   * Takes the outputs of completed records and the next offset to commit. After this call the
   * outputs belong to the caller; if its commit fails, the runtime must rebuild the task.
   */
  takeCommit(): { outputs: OutputRecord[]; offset: TopicPartitionOffset | undefined } {
    const outputs = this.ready;
    this.ready = [];
    const offset = this.committable >= 0 ? { topic: this.topic, partition: this.partition, offset: this.committable } : undefined;
    this.committable = -1;
    return { outputs, offset };
  }

  /** Starts processing one record of this task's partition (offsets must be submitted in order). */
  submit(record: LogRecord): void {
    if (this.closed) return;
    const metadata: RecordMetadata = { topic: record.topic, partition: record.partition, offset: record.offset, timestamp: record.timestamp, headers: record.headers };
    const entry: Entry = { record, metadata, outputs: [], changelog: [], pending: 1, done: false, failed: false };
    this.queue.push(entry);
    const source = this.source;
    const node = source.node as Extract<TopologyNode, { kind: 'source' }>;
    let input: StreamRecord<unknown, unknown> | undefined;
    try {
      input = new StreamRecord(node.keySerde.deserialize(record.key), node.valueSerde.deserialize(record.value), record.timestamp, record.headers);
    } catch (err) {
      this.fail(entry, new EngineError('ENGINE_DESERIALIZATION', errorMessage(err), { cause: err }), source, 'deserialize');
    }
    if (input) {
      source.counters.in++;
      this.forwardFrom(source, entry, entry.outputs, input, undefined);
    }
    this.settle(entry);
    if (record.timestamp > this.streamTime) {
      this.streamTime = record.timestamp;
      this.punctuate('stream-time', this.streamTime);
    }
  }

  /** Fires due punctuators of `type` at `timestamp` (the runtime calls it for wall-clock time). */
  punctuate(type: PunctuationType, timestamp: number): void {
    for (const s of this.schedules) {
      if (s.cancelled || s.type !== type || this.closed) continue;
      if (s.next === undefined) {
        s.next = type === 'stream-time' ? (Math.floor(timestamp / s.intervalMs) + 1) * s.intervalMs : timestamp + s.intervalMs;
        continue;
      }
      if (timestamp < s.next) continue;
      s.next = type === 'stream-time' ? (Math.floor(timestamp / s.intervalMs) + 1) * s.intervalMs : timestamp + s.intervalMs;
      try {
        s.punctuator(timestamp);
      } catch (err) {
        this.fail(undefined, err, s.node, 'punctuate');
      }
    }
  }

  /** Stops the task: in-flight records are abandoned (never committed), processors are closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.abort.abort();
    for (const s of this.schedules) s.cancelled = true;
    for (const inst of this.instances.values()) {
      try {
        await inst.processor?.close?.();
      } catch (err) {
        this.options.logger.warn({ err, task: this.id, node: inst.node.name }, 'processor close failed');
      }
    }
  }

  private forwardFrom(from: NodeInstance, entry: Entry | undefined, slot: OutputTree | undefined, record: StreamRecord<unknown, unknown>, childName: string | undefined): void {
    if (entry?.failed || this.closed) return;
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

  private dispatch(inst: NodeInstance, record: StreamRecord<unknown, unknown>, entry: Entry | undefined, slot: OutputTree | undefined): void {
    const node = inst.node;
    if (node.kind === 'sink') {
      let output: OutputRecord;
      try {
        const topic = typeof node.topic === 'string' ? node.topic : node.topic(record, entry?.metadata);
        output = { topic, key: node.keySerde.serialize(record.key), value: node.valueSerde.serialize(record.value), timestamp: record.timestamp, headers: record.headers };
      } catch (err) {
        this.fail(entry, new EngineError('ENGINE_SERIALIZATION', errorMessage(err), { cause: err }), inst, 'serialize');
        return;
      }
      inst.counters.in++;
      inst.counters.out++;
      (entry && slot ? slot : this.ready).push(output);
      return;
    }
    if (node.kind !== 'processor' || !inst.processor) return;
    inst.counters.in++;
    const context = entry ? new NodeContext(this, inst, entry, slot) : (inst.context as RecordContext);
    const previous = this.current;
    const previousSlot = this.currentSlot;
    this.current = entry;
    this.currentSlot = slot;
    let result: void | Promise<void>;
    try {
      result = inst.processor.process(record, context);
    } catch (err) {
      this.fail(entry, err, inst, 'process');
      return;
    } finally {
      this.current = previous;
      this.currentSlot = previousSlot;
    }
    if (result && typeof (result as Promise<void>).then === 'function') {
      if (!entry) {
        (result as Promise<void>).catch((err: unknown) => this.fail(undefined, err, inst, 'process'));
        return;
      }
      entry.pending++;
      (result as Promise<void>).then(
        () => this.settle(entry),
        (err: unknown) => {
          this.fail(entry, err, inst, 'process');
          this.settle(entry);
        },
      );
    }
  }

  /** A record (or, without entry, a punctuator) failed: dead-letter it or stop (fail-fast). */
  private fail(entry: Entry | undefined, err: unknown, inst: NodeInstance, stage: string): void {
    inst.counters.errors++;
    const error = err instanceof EngineError ? err : new EngineError('ENGINE_PROCESSING', errorMessage(err), { cause: err });
    const context = { task: this.id, node: inst.node.name, stage, offset: entry?.record.offset };
    Object.assign(error.context, context);
    if (this.options.errorPolicy === 'fail-fast') {
      this.fatal ??= error;
      this.options.logger.error({ err: error, ...context }, 'record failed (fail-fast)');
      this.options.onProgress();
      return;
    }
    this.options.logger.warn({ err: error.message, ...context }, 'record failed, sent to dead-letter topic');
    if (!entry) return;
    if (entry.failed) return;
    entry.failed = true;
    // Forwarded outputs of a failed record are dropped (no partial results); its store writes stay
    // (memory already has them), so its changelog writes stay too.
    const r = entry.record;
    entry.outputs = [
      {
        topic: this.options.dlqTopic,
        key: r.key,
        value: r.value,
        timestamp: r.timestamp,
        headers: {
          ...r.headers,
          'x-error-message': error.message,
          'x-error-code': error.code,
          'x-error-stage': stage,
          'x-error-node': inst.node.name,
          'x-source-topic': r.topic,
          'x-source-partition': String(r.partition),
          'x-source-offset': String(r.offset),
        },
      },
    ];
    this.deadLettered++;
    this.options.hooks?.deadLetter?.({ topic: r.topic, partition: r.partition, offset: r.offset, node: inst.node.name, stage, error: error.message });
  }

  deadLettered = 0;

  private settle(entry: Entry): void {
    if (--entry.pending > 0) return;
    entry.done = true;
    // Under fail-fast nothing is released after a failure: no commit can include the failed record.
    if (this.fatal) return;
    if (this.queue[0] !== entry) return;
    while (this.queue.length > 0 && this.queue[0].done) {
      const head = this.queue.shift()!;
      for (const o of head.changelog) this.ready.push(o);
      flattenInto(head.outputs, this.ready);
      this.committable = head.record.offset + 1;
    }
    this.options.onProgress();
  }

  private makeContext(inst: NodeInstance, entry: Entry | undefined): ProcessorContext | RecordContext {
    return new NodeContext(this, inst, entry, undefined);
  }

  /** @internal The entry a context acts for: its own record, else the record processed synchronously. */
  entryFor(entry: Entry | undefined): Entry | undefined {
    return entry ?? this.current;
  }

  /** @internal */
  forwardFromContext(inst: NodeInstance, entry: Entry | undefined, slot: OutputTree | undefined, record: StreamRecord<unknown, unknown>, childName: string | undefined): void {
    if (entry) this.forwardFrom(inst, entry, slot, record, childName);
    else this.forwardFrom(inst, this.current, this.current ? this.currentSlot : undefined, record, childName);
  }

  /** @internal */
  addSchedule(inst: NodeInstance, intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    if (!(intervalMs > 0)) throw new EngineError('ENGINE_ILLEGAL_STATE', 'schedule interval must be > 0');
    const s: Schedule = { intervalMs, type, punctuator, next: undefined, cancelled: false, node: inst };
    if (type === 'wall-clock') s.next = this.options.now() + intervalMs;
    else if (this.streamTime > -Infinity) s.next = (Math.floor(this.streamTime / intervalMs) + 1) * intervalMs;
    this.schedules.push(s);
    return { cancel: () => void (s.cancelled = true) };
  }

  /** @internal A store view whose changelog writes belong to `entry` (or to the current record). */
  storeView(inst: NodeInstance, name: string, entry: Entry | undefined): KeyValueStore<any, any> {
    const node = inst.node;
    if (node.kind !== 'processor' || !node.stores.includes(name)) throw new EngineError('ENGINE_UNKNOWN_STORE', `${inst.node.name} has no store ${name}`);
    const store = this.stores.get(name)!;
    if (store.definition.changelog === false) return store.view(undefined);
    const topic = changelogTopic(this.options.applicationId, name);
    return store.view((key, value) => {
      const e = entry ?? this.current;
      (e ? e.changelog : this.ready).push({ topic, partition: this.partition, key, value, timestamp: e?.record.timestamp ?? this.options.now(), headers: {} });
    });
  }

  get applicationId(): string {
    return this.options.applicationId;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

}

/** A processor's context: per node (init, punctuators) or per record (`process`'s second argument). */
class NodeContext implements RecordContext {
  private views: Map<string, KeyValueStore<any, any>> | undefined;
  constructor(
    private readonly task: Task,
    private readonly inst: NodeInstance,
    private readonly entry: Entry | undefined,
    private readonly slot: OutputTree | undefined,
  ) {}
  get applicationId(): string {
    return this.task.applicationId;
  }
  get taskId(): string {
    return this.task.id;
  }
  get topic(): string {
    return this.task.topic;
  }
  get partition(): number {
    return this.task.partition;
  }
  get nodeName(): string {
    return this.inst.node.name;
  }
  get logger(): Logger {
    return this.task.logger;
  }
  get signal(): AbortSignal {
    return this.task.signal;
  }
  get metadata(): RecordMetadata {
    return (this.entry ?? this.task.entryFor(undefined))?.metadata as RecordMetadata;
  }
  forward(record: StreamRecord<unknown, unknown>, childName?: string): void {
    this.task.forwardFromContext(this.inst, this.entry, this.slot, record, childName);
  }
  schedule(intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    return this.task.addSchedule(this.inst, intervalMs, type, punctuator);
  }
  getStateStore<K, V>(name: string): KeyValueStore<K, V> {
    this.views ??= new Map();
    let view = this.views.get(name);
    if (!view) this.views.set(name, (view = this.task.storeView(this.inst, name, this.entry)));
    return view;
  }
  recordMetadata(): RecordMetadata | undefined {
    return this.task.entryFor(this.entry)?.metadata;
  }
}
