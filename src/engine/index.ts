/**
 * Metis Streams engine: a small Kafka-Streams-like library (topology, processors, state stores,
 * exactly-once runtimes). Public API only; everything else in this folder is internal.
 */
export { StreamRecord } from './record.ts';
export type { Headers, RecordMetadata, LogRecord, OutputRecord, TopicPartitionOffset } from './record.ts';
export { stringSerde, bytesSerde, jsonSerde, zodJsonSerde } from './serde.ts';
export type { Serde } from './serde.ts';
export type {
  Processor,
  ProcessorContext,
  RecordContext,
  ProcessorSupplier,
  Punctuator,
  PunctuationType,
  Cancellable,
} from './processor.ts';
export type { KeyValueStore, StoreDefinition } from './state-store.ts';
export { changelogTopic } from './state-store.ts';
export { Topology } from './topology.ts';
export type { BuiltTopology, SourceOptions, SinkOptions, ProcessorOptions, TopicChooser } from './topology.ts';
export type {
  Runtime,
  RuntimeHooks,
  CommonRuntimeOptions,
  ProcessingGuarantee,
  ErrorPolicy,
  OffsetStore,
  RuntimeMetrics,
  ProcessorCounters,
  PartitionProgress,
} from './runtime.ts';
export { EngineError } from './errors.ts';
export type { EngineErrorCode } from './errors.ts';
export { murmur2, partitionForKey } from './partitioner.ts';
export { LocalRuntime, LocalLog } from './local-runtime.ts';
export type { LocalRuntimeOptions } from './local-runtime.ts';
export { KafkaRuntime } from './kafka-runtime.ts';
export type { KafkaRuntimeOptions } from './kafka-runtime.ts';
export { connectTopicProducer } from './kafka-producer.ts';
export { describeKafka } from './kafka-admin.ts';
export type { KafkaOverview, KafkaTopicInfo, KafkaGroupInfo } from './kafka-admin.ts';
export type { TopicProducer, TopicProducerOptions, ProducerRecord } from './kafka-producer.ts';
export {
  LIFECYCLES,
  TASK_LIFECYCLE,
  LOCAL_RUNTIME_LIFECYCLE,
  KAFKA_RUNTIME_LIFECYCLE,
  TRANSACTION_LIFECYCLE,
  checkTransition,
} from './lifecycle.ts';
export type {
  TransitionTable,
  TaskState,
  LocalRuntimeState,
  KafkaRuntimeState,
  TransactionState,
} from './lifecycle.ts';
export { deadLetterHeadersSchema, readDeadLetterHeaders } from './dead-letter.ts';
export type { DeadLetterHeaders, DeadLetterInfo } from './dead-letter.ts';
