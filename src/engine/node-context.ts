/**
 * A topology node instantiated in a task, and the context its processor sees: per node (`init`,
 * punctuators) or per record (`process`'s second argument, bound to that record's window entry).
 */
import type { Logger } from 'pino';
import type {
  Cancellable,
  Processor,
  ProcessorContext,
  PunctuationType,
  Punctuator,
  RecordContext,
} from './processor.ts';
import type { RecordMetadata, StreamRecord } from './record.ts';
import type { ProcessorCounters } from './runtime.ts';
import type { KeyValueStore } from './state-store.ts';
import type { Entry, OutputTree } from './task-window.ts';
import type { TopologyNode } from './topology.ts';

export interface NodeInstance {
  node: TopologyNode;
  children: NodeInstance[];
  childByName: Map<string, NodeInstance>;
  processor?: Processor;
  context?: ProcessorContext;
  counters: ProcessorCounters;
}

/** What a context asks of its task (the Task implements it). */
export interface ContextHost {
  readonly id: string;
  readonly topic: string;
  readonly partition: number;
  readonly applicationId: string;
  readonly logger: Logger;
  readonly signal: AbortSignal;
  /** The entry a context acts for: its own record, else the record processed synchronously. */
  entryFor(entry: Entry | undefined): Entry | undefined;
  forwardFromContext(
    inst: NodeInstance,
    entry: Entry | undefined,
    slot: OutputTree | undefined,
    record: StreamRecord<unknown, unknown>,
    childName: string | undefined,
  ): void;
  addSchedule(inst: NodeInstance, intervalMs: number, type: PunctuationType, punctuator: Punctuator): Cancellable;
  /** A store view whose changelog writes belong to `entry` (or to the current record). */
  storeView(inst: NodeInstance, name: string, entry: Entry | undefined): KeyValueStore<any, any>;
}

export class NodeContext implements RecordContext {
  private views: Map<string, KeyValueStore<any, any>> | undefined;
  constructor(
    private readonly task: ContextHost,
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
