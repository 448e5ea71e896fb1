/**
 * A task: the topology instantiated for one input topic-partition. Runtime-agnostic: a runtime feeds
 * it raw records (`submit`) while `canAccept()`, and periodically takes what is committable
 * (`takeCommit`): the outputs of completed records in input order (task-window.ts) and the next input
 * offset. The nodes and the flow of a record through them: task-graph.ts. Failed records become
 * dead-letter records (dead-letter.ts) or, under fail-fast, stop the task.
 * Lifecycle: TASK_LIFECYCLE (created → running → failed | closed).
 */
import type { Logger } from 'pino';
import { deadLetterRecord } from './dead-letter.ts';
import { EngineError, errorMessage } from './errors.ts';
import { Lifecycle, TASK_LIFECYCLE, type TaskState } from './lifecycle.ts';
import type { ContextHost, NodeInstance } from './node-context.ts';
import type { Cancellable, Processor, PunctuationType, Punctuator } from './processor.ts';
import { Punctuations } from './punctuation.ts';
import type { LogRecord, OutputRecord, StreamRecord, TopicPartitionOffset } from './record.ts';
import type { ErrorPolicy, ProcessorCounters, RuntimeHooks } from './runtime.ts';
import type { InMemoryKeyValueStore, KeyValueStore } from './state-store.ts';
import { TaskGraph } from './task-graph.ts';
import { OrderedWindow, type Entry, type OutputTree } from './task-window.ts';
import type { BuiltTopology } from './topology.ts';

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

export class Task implements ContextHost {
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  /** Set when a record failed under fail-fast, or a commit participant failed: the runtime stops. */
  fatal: Error | undefined;
  deadLettered = 0;
  private readonly lifecycle = new Lifecycle<TaskState>('task', TASK_LIFECYCLE, 'created');
  private readonly graph: TaskGraph;
  private readonly queue: OrderedWindow;
  private streamTime = -Infinity;
  private readonly abort = new AbortController();
  private readonly punctuations = new Punctuations();

  constructor(private readonly options: TaskOptions) {
    const { topology, topic, partition } = options;
    this.topic = topic;
    this.partition = partition;
    this.id = `${topic}-${partition}`;
    this.graph = new TaskGraph(
      topology,
      options.applicationId,
      topic,
      partition,
      options.concurrency,
      options.counters,
      {
        context: this,
        isClosed: () => this.closed,
        fail: (entry, err, inst, stage) => this.fail(entry, err, inst, stage),
        settle: (entry) => this.settle(entry),
        release: (output) => this.queue.pushReady(output),
        now: options.now,
      },
    );
    this.queue = new OrderedWindow(topic, partition, this.graph.window);
  }

  /** The window size: the runtime's concurrency, or more if a processor asks for it. */
  get window(): number {
    return this.queue.size;
  }

  get state(): TaskState {
    return this.lifecycle.state;
  }

  get stores(): ReadonlyMap<string, InMemoryKeyValueStore<any, any>> {
    return this.graph.stores;
  }

  /** Instantiates and initializes processors (after the stores were restored). */
  init(): void {
    this.lifecycle.to('running');
    this.graph.initProcessors();
  }

  /** Applies one changelog record to a store during restoration. */
  restore(storeName: string, key: Buffer, value: Buffer | null): void {
    this.graph.stores.get(storeName)?.restore(key, value);
  }

  /** Stores whose changelog must be replayed before `init`. */
  changelogStores(): string[] {
    return [...this.graph.stores.values()].filter((s) => s.definition.changelog !== false).map((s) => s.name);
  }

  get inFlight(): number {
    return this.queue.inFlight;
  }

  canAccept(): boolean {
    return !this.closed && this.fatal === undefined && this.queue.hasRoom();
  }

  /** True when there are outputs or an offset to commit. */
  hasCommittable(): boolean {
    return this.queue.hasCommittable();
  }

  /** Processors that take part in commits (external transactional sinks). */
  commitParticipants(): Processor[] {
    return this.graph.commitParticipants();
  }

  /** Takes the outputs released so far (in input order) without the offset: for eager producing. */
  takeOutputs(): OutputRecord[] {
    return this.queue.takeOutputs();
  }

  /**
   * Takes the outputs of completed records and the next offset to commit. After this call the
   * outputs belong to the caller; if its commit fails, the runtime must rebuild the task.
   */
  takeCommit(): { outputs: OutputRecord[]; offset: TopicPartitionOffset | undefined } {
    return this.queue.takeCommit();
  }

  /** Starts processing one record of this task's partition (offsets must be submitted in order). */
  submit(record: LogRecord): void {
    if (this.closed) return;
    const entry = this.queue.open(record);
    this.graph.submit(entry);
    this.settle(entry);
    if (record.timestamp > this.streamTime) {
      this.streamTime = record.timestamp;
      this.punctuate('stream-time', this.streamTime);
    }
  }

  /** Fires due punctuators of `type` at `timestamp` (the runtime calls it for wall-clock time). */
  punctuate(type: PunctuationType, timestamp: number): void {
    this.punctuations.fire(
      type,
      timestamp,
      () => this.closed,
      (err, node) => this.fail(undefined, err, node, 'punctuate'),
    );
  }

  /** Stops the task: in-flight records are abandoned (never committed), processors are closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.lifecycle.to('closed');
    this.abort.abort();
    this.punctuations.cancelAll();
    await this.graph.closeProcessors(this.options.logger, this.id);
  }

  private get closed(): boolean {
    return this.lifecycle.is('closed');
  }

  /** A record (or, without entry, a punctuator) failed: dead-letter it or stop (fail-fast). */
  private fail(entry: Entry | undefined, err: unknown, inst: NodeInstance, stage: string): void {
    // A record of a closed task was abandoned (revoked, rewound, stopped) and rejects because its
    // signal aborted: it is reprocessed by the next owner, never dead-lettered, and not worth a warning.
    if (this.closed) {
      this.options.logger.debug({ task: this.id, node: inst.node.name, offset: entry?.record.offset }, 'abandoned record settled');
      return;
    }
    inst.counters.errors++;
    const error =
      err instanceof EngineError ? err : new EngineError('ENGINE_PROCESSING', errorMessage(err), { cause: err });
    const context = { task: this.id, node: inst.node.name, stage, offset: entry?.record.offset };
    Object.assign(error.context, context);
    if (this.options.errorPolicy === 'fail-fast') {
      this.fatal ??= error;
      // A closed task may still see a rejection of a record it abandoned: it stays closed.
      if (this.lifecycle.can('failed')) this.lifecycle.to('failed');
      this.options.logger.error({ err: error, ...context }, 'record failed (fail-fast)');
      this.options.onProgress();
      return;
    }
    this.options.logger.warn({ err: error.message, ...context }, 'record failed, sent to dead-letter topic');
    if (!entry || entry.failed) return;
    entry.failed = true;
    // Forwarded outputs of a failed record are dropped (no partial results); its store writes stay
    // (memory already has them), so its changelog writes stay too.
    const r = entry.record;
    entry.outputs = [deadLetterRecord(this.options.dlqTopic, r, error, stage, inst.node.name)];
    this.deadLettered++;
    this.options.hooks?.deadLetter?.({
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      node: inst.node.name,
      stage,
      error: error.message,
    });
  }

  private settle(entry: Entry): void {
    if (--entry.pending > 0) return;
    entry.done = true;
    // Under fail-fast nothing is released after a failure: no commit can include the failed record.
    if (this.fatal) return;
    if (this.queue.release(entry)) this.options.onProgress();
  }

  // ContextHost: what processor contexts ask of their task.
  get applicationId(): string {
    return this.options.applicationId;
  }

  get logger(): Logger {
    return this.options.logger;
  }

  get signal(): AbortSignal {
    return this.abort.signal;
  }

  /** @internal */
  entryFor(entry: Entry | undefined): Entry | undefined {
    return this.graph.entryFor(entry);
  }

  /** @internal */
  forwardFromContext(
    inst: NodeInstance,
    entry: Entry | undefined,
    slot: OutputTree | undefined,
    record: StreamRecord<unknown, unknown>,
    childName: string | undefined,
  ): void {
    this.graph.forwardFromContext(inst, entry, slot, record, childName);
  }

  /** @internal */
  addSchedule(inst: NodeInstance, intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable {
    return this.punctuations.add(inst, intervalMs, type, punctuator, this.options.now(), this.streamTime);
  }

  /** @internal */
  storeView(inst: NodeInstance, name: string, entry: Entry | undefined): KeyValueStore<any, any> {
    return this.graph.storeView(inst, name, entry);
  }
}
