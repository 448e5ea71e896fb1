/**
 * The shared vocabulary of the pipeline: tasks (what an operator asks for), the messages that travel
 * between topologies (commands, record envelopes, outcome events) and their zod schemas, which guard
 * every boundary where they are read back (Kafka, the API, Debezium), and the published-document and
 * entity types that steps and store share. Imports only zod (and the error catalogue).
 */
export * from './steps.ts';
export * from './task.ts';
export * from './task-states.ts';
export * from './plan.ts';
export * from './commands.ts';
export * from './envelope.ts';
export * from './outcome-events.ts';
export type * from './published.ts';
export * from './entities.ts';
