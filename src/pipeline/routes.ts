/**
 * Where a processor's output goes: each processor of the pipeline topology forwards to named routes
 * (`ROUTE`), and the topology wires every route of a processor to its output topic as an engine sink
 * node named `<processor>:<route>`. (Not to be confused with the database sink, OutcomeSinkProcessor,
 * which writes outcomes to the store.)
 */
import { StreamRecord, type ProcessorContext, type RecordContext } from '../engine/index.ts';
import type { StepOutcome } from '../steps/outcome.ts';
import type { RecordOutcomeEvent, StepName } from '../model/index.ts';

type Out = StreamRecord<string, unknown>;

/** The output routes of the processors; the topology maps each to a topic. */
export const ROUTE = {
  outcomes: 'to-outcomes',
  tasks: 'to-tasks',
  fetch: 'to-fetch',
  admit: 'to-admit',
  steps: 'to-steps',
} as const;
export type RouteName = (typeof ROUTE)[keyof typeof ROUTE];

/** The engine sink node of `processor` that carries `route`. */
export const routeNodeName = (processor: string, route: RouteName): string => `${processor}:${route}`;

/** Forwards to the route `route` of the current processor. */
export function emit(
  ctx: RecordContext<string, unknown> | ProcessorContext<string, unknown>,
  route: RouteName,
  key: string,
  value: unknown,
): void {
  ctx.forward(new StreamRecord(key, value) as Out, routeNodeName(ctx.nodeName, route));
}

export function recordEvent(
  taskId: string,
  step: StepName,
  outcome: StepOutcome,
  terminal: boolean,
  content: string | null,
  contentFrom?: StepName,
): RecordOutcomeEvent {
  return {
    kind: 'record',
    taskId,
    recordId: outcome.recordId,
    step,
    status: outcome.status,
    messages: outcome.messages,
    content,
    ...(contentFrom ? { contentFrom } : {}),
    data: outcome.data as Record<string, unknown> | undefined,
    terminal: terminal || outcome.status === 'fail',
  };
}
