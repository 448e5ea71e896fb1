/**
 * The topology builder: named sources on topics, processors with parents, sinks to topics (fixed or
 * chosen per record), state stores attached to processors. `build()` validates the graph once; the
 * runtimes instantiate it per task (one task per input topic-partition).
 */
import { EngineError } from './errors.ts';
import type { ProcessorSupplier } from './processor.ts';
import type { RecordMetadata, StreamRecord } from './record.ts';
import { bytesSerde, type Serde } from './serde.ts';
import type { StoreDefinition } from './state-store.ts';

export interface SourceOptions<K = any, V = any> {
  /** One topic or several; each partition of each topic becomes its own task. */
  topics: string | string[];
  /** Default: bytes. A deserialization error sends the raw record to the dead-letter topic. */
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
}

export interface ProcessorOptions {
  supplier: ProcessorSupplier;
  /** Source or processor names this processor receives records from. */
  parents: string[];
  /** Max in-flight records per partition for tasks containing this processor (overrides the runtime's). */
  concurrency?: number;
}

/** Picks the output topic of each record (the pipeline routes per record). */
export type TopicChooser<K = any, V = any> = (
  record: StreamRecord<K, V>,
  metadata: RecordMetadata | undefined,
) => string;

export interface SinkOptions<K = any, V = any> {
  topic: string | TopicChooser<K, V>;
  parents: string[];
  /** Default: bytes. */
  keySerde?: Serde<K>;
  valueSerde?: Serde<V>;
}

export type TopologyNode =
  | { kind: 'source'; name: string; topics: string[]; keySerde: Serde<any>; valueSerde: Serde<any>; children: string[] }
  | {
      kind: 'processor';
      name: string;
      supplier: ProcessorSupplier;
      parents: string[];
      concurrency?: number;
      stores: string[];
      children: string[];
    }
  | {
      kind: 'sink';
      name: string;
      topic: string | TopicChooser;
      keySerde: Serde<any>;
      valueSerde: Serde<any>;
      parents: string[];
      children: string[];
    };

/** A validated, immutable topology, shared by all tasks of a runtime. */
export interface BuiltTopology {
  readonly nodes: ReadonlyMap<string, TopologyNode>;
  readonly stores: ReadonlyMap<string, StoreDefinition>;
  /** Every input topic, with the source node that reads it. */
  readonly sourceByTopic: ReadonlyMap<string, string>;
  /** Names of nodes reachable from a source node (itself included), in insertion order. */
  reachableFrom(sourceName: string): string[];
  /** Fixed sink topics (chosen-per-record topics are unknown until run time). */
  readonly fixedSinkTopics: string[];
  describe(): string;
}

export class Topology {
  private readonly nodes = new Map<string, TopologyNode>();
  private readonly stores = new Map<string, { def: StoreDefinition; processors: string[] }>();

  addSource<K = Buffer | null, V = Buffer | null>(name: string, options: SourceOptions<K, V>): this {
    const topics = Array.isArray(options.topics) ? options.topics : [options.topics];
    if (topics.length === 0) throw invalid(`source ${name} has no topic`);
    this.addNode({
      kind: 'source',
      name,
      topics,
      keySerde: options.keySerde ?? bytesSerde,
      valueSerde: options.valueSerde ?? bytesSerde,
      children: [],
    });
    return this;
  }

  addProcessor(name: string, options: ProcessorOptions): this {
    if (options.concurrency !== undefined && !(Number.isInteger(options.concurrency) && options.concurrency >= 1)) {
      throw invalid(`processor ${name}: concurrency must be an integer >= 1`);
    }
    this.addNode({
      kind: 'processor',
      name,
      supplier: options.supplier,
      parents: options.parents,
      concurrency: options.concurrency,
      stores: [],
      children: [],
    });
    return this;
  }

  addSink<K = Buffer | null, V = Buffer | null>(name: string, options: SinkOptions<K, V>): this {
    this.addNode({
      kind: 'sink',
      name,
      topic: options.topic as string | TopicChooser,
      keySerde: options.keySerde ?? bytesSerde,
      valueSerde: options.valueSerde ?? bytesSerde,
      parents: options.parents,
      children: [],
    });
    return this;
  }

  /** Attaches a store to the named processors (they reach it with `context.getStateStore(name)`). */
  addStateStore<K, V>(definition: StoreDefinition<K, V>, processorNames: string[]): this {
    if (this.stores.has(definition.name)) throw invalid(`store ${definition.name} is defined twice`);
    this.stores.set(definition.name, { def: definition, processors: processorNames });
    return this;
  }

  /** Validates the graph (names, parents, cycles, store ownership) and freezes it. */
  build(): BuiltTopology {
    const nodes = new Map<string, TopologyNode>();
    for (const [name, node] of this.nodes) nodes.set(name, { ...node, children: [] } as TopologyNode);
    for (const node of nodes.values()) {
      if (node.kind === 'source') continue;
      if (node.parents.length === 0) throw invalid(`${node.kind} ${node.name} has no parent`);
      for (const parentName of node.parents) {
        const parent = nodes.get(parentName);
        if (!parent) throw invalid(`${node.kind} ${node.name}: unknown parent ${parentName}`);
        if (parent.kind === 'sink')
          throw invalid(`${node.kind} ${node.name}: a sink (${parentName}) cannot be a parent`);
        parent.children.push(node.name);
      }
    }
    const sourceByTopic = new Map<string, string>();
    for (const node of nodes.values()) {
      if (node.kind !== 'source') continue;
      for (const topic of node.topics) {
        if (sourceByTopic.has(topic)) throw invalid(`topic ${topic} is read by two sources`);
        sourceByTopic.set(topic, node.name);
      }
    }
    if (sourceByTopic.size === 0) throw invalid('a topology needs at least one source');
    const reach = new Map<string, string[]>();
    const reachableFrom = (source: string): string[] => {
      let found = reach.get(source);
      if (found) return found;
      const seen = new Set<string>();
      const visit = (name: string, path: Set<string>): void => {
        if (path.has(name)) throw invalid(`cycle through ${name}`);
        seen.add(name);
        path.add(name);
        for (const child of nodes.get(name)!.children) visit(child, path);
        path.delete(name);
      };
      visit(source, new Set());
      found = [...nodes.keys()].filter((n) => seen.has(n));
      reach.set(source, found);
      return found;
    };
    const stores = new Map<string, StoreDefinition>();
    for (const { def, processors } of this.stores.values()) {
      for (const p of processors) {
        const node = nodes.get(p);
        if (!node || node.kind !== 'processor') throw invalid(`store ${def.name}: ${p} is not a processor`);
        node.stores.push(def.name);
      }
      // A store's changelog partition is the task's input partition, so one input topic per store.
      const topics = [...sourceByTopic].filter(([, src]) => processors.some((p) => reachableFrom(src).includes(p)));
      if (topics.length > 1)
        throw invalid(
          `store ${def.name} is reached from several input topics (${topics.map(([t]) => t).join(', ')}); use one store per input topic`,
        );
      stores.set(def.name, def);
    }
    for (const source of new Set(sourceByTopic.values())) reachableFrom(source);
    const fixedSinkTopics = [...nodes.values()].flatMap((n) =>
      n.kind === 'sink' && typeof n.topic === 'string' ? [n.topic] : [],
    );
    return {
      nodes,
      stores,
      sourceByTopic,
      reachableFrom,
      fixedSinkTopics,
      describe: () =>
        [...nodes.values()]
          .map(
            (n) =>
              `${n.kind} ${n.name}${n.kind === 'source' ? ` [${n.topics.join(', ')}]` : ''}${n.kind === 'sink' ? ` -> ${typeof n.topic === 'string' ? n.topic : '(per record)'}` : ''}${n.children.length ? ` -> ${n.children.join(', ')}` : ''}`,
          )
          .join('\n'),
    };
  }

  private addNode(node: TopologyNode): void {
    if (this.nodes.has(node.name)) throw invalid(`node ${node.name} is defined twice`);
    this.nodes.set(node.name, node);
  }
}

function invalid(message: string): EngineError {
  return new EngineError('ENGINE_TOPOLOGY_INVALID', message);
}
