/**
 * The Metis pipeline as one engine topology (Kafka Streams would call its parts sub-topologies):
 *
 *   tasks ──intake──▶ tasks (next OAI page) / fetch / admit / outcomes
 *   fetch ──fetch───▶ admit / outcomes                      (GetRecord, many in flight)
 *   admit ──admit───▶ step.<first step> / outcomes           (duplicate ids refused)
 *   step.<s> ──s────▶ step.<next step of the record's plan> / outcomes
 *   outcomes ──sink─▶ PostgreSQL (rows + offsets in one DB transaction)
 *   dlq ──dead-letter▶ outcomes                              (poison records reported)
 *
 * Every worker runs all of it; Kafka spreads the partitions of each topic over the workers.
 */
import { Topology, stringSerde, jsonSerde, zodJsonSerde, type Serde } from '../engine/index.ts';
import type { PipelineContext } from './context.ts';
import { IO_STEPS } from './context.ts';
import { AdmitProcessor, FetchProcessor, IntakeProcessor } from './harvest-processors.ts';
import { ROUTE, routeNodeName } from './routes.ts';
import { envelopeSchema, fetchCommandSchema, outcomeEventSchema, taskCommandSchema, type Envelope, type StepName, STEP_NAMES } from '../model/index.ts';
import { DeadLetterProcessor, OutcomeSinkProcessor } from './outcome-sink.ts';
import { StepProcessor } from './step-processor.ts';
import { SeedIntakeProcessor } from './seed-intake.ts';

const keySerde = stringSerde as Serde<string>;
const out = jsonSerde<unknown>();

/** Steps that run as a step processor (harvest and depublish run in the intake). */
export const PROCESSED_STEPS: StepName[] = STEP_NAMES.filter((s) => s !== 'harvest' && s !== 'depublish');

export function buildPipelineTopology(p: PipelineContext): Topology {
  const t = new Topology();
  const { topics, options } = p;
  const routes = (processor: string, which: Array<keyof typeof ROUTE>) => {
    for (const w of which) {
      const topic =
        w === 'steps'
          ? (r: { value: unknown }) => {
              const e = r.value as Envelope;
              return topics.step(e.plan[e.stepIndex]);
            }
          : w === 'outcomes'
            ? topics.outcomes
            : w === 'tasks'
              ? topics.tasks
              : w === 'fetch'
                ? topics.fetch
                : topics.admit;
      t.addSink(routeNodeName(processor, ROUTE[w]), { topic, parents: [processor], keySerde, valueSerde: out });
    }
  };

  t.addSource('tasks', { topics: topics.tasks, keySerde, valueSerde: zodJsonSerde(taskCommandSchema) });
  t.addProcessor('intake', { supplier: () => new IntakeProcessor(p), parents: ['tasks'], concurrency: 4 });
  routes('intake', ['outcomes', 'tasks', 'fetch', 'admit']);

  t.addSource('fetch-commands', { topics: topics.fetch, keySerde, valueSerde: zodJsonSerde(fetchCommandSchema) });
  t.addProcessor('fetch', { supplier: () => new FetchProcessor(p), parents: ['fetch-commands'], concurrency: options.ioConcurrency });
  routes('fetch', ['outcomes', 'admit']);

  t.addSource('admissions', { topics: topics.admit, keySerde, valueSerde: zodJsonSerde(envelopeSchema) });
  t.addProcessor('admit', { supplier: () => new AdmitProcessor(p, 'admitted-records'), parents: ['admissions'] });
  t.addStateStore({ name: 'admitted-records', keySerde, valueSerde: keySerde }, ['admit']);
  routes('admit', ['outcomes', 'steps']);

  for (const step of PROCESSED_STEPS) {
    const source = `step-${step}`;
    t.addSource(source, { topics: topics.step(step), keySerde, valueSerde: zodJsonSerde(envelopeSchema) });
    t.addProcessor(step, {
      supplier: () => new StepProcessor(p, step),
      parents: [source],
      concurrency: IO_STEPS.has(step) ? options.ioConcurrency : options.cpuConcurrency,
    });
    routes(step, ['outcomes', 'steps']);
  }

  t.addSource('outcome-events', { topics: topics.outcomes, keySerde, valueSerde: zodJsonSerde(outcomeEventSchema) });
  t.addProcessor('sink', { supplier: () => new OutcomeSinkProcessor(p), parents: ['outcome-events'] });

  if (p.seedTopic) {
    t.addSource('seed-rows', { topics: p.seedTopic });
    t.addProcessor('seed-intake', { supplier: () => new SeedIntakeProcessor(p), parents: ['seed-rows'] });
    routes('seed-intake', ['tasks', 'admit', 'outcomes']);
  }

  t.addSource('dead-letters', { topics: topics.dlq });
  t.addProcessor('dead-letter', { supplier: () => new DeadLetterProcessor(p), parents: ['dead-letters'] });
  routes('dead-letter', ['outcomes']);
  return t;
}
