/**
 * The task lifecycle as a named transition table: queued → harvesting → processing → completed,
 * or failed / cancelled from any live state. The repository moves a task only along these edges.
 */
import { RequestError } from '../errors/index.ts';

export const TASK_STATES = ['queued', 'harvesting', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Legal task state transitions; anything else is refused. */
export const TASK_TRANSITIONS: Readonly<Record<TaskState, readonly TaskState[]>> = {
  queued: ['harvesting', 'processing', 'failed', 'cancelled'],
  harvesting: ['processing', 'completed', 'failed', 'cancelled'],
  processing: ['completed', 'failed', 'cancelled'],
  completed: [],
  failed: [],
  cancelled: [],
};

/** States a task stays in no more. */
export const TERMINAL_TASK_STATES: readonly TaskState[] = TASK_STATES.filter((s) => TASK_TRANSITIONS[s].length === 0);

/** A transition that is not in TASK_TRANSITIONS (the catalogue error `TASK_ILLEGAL_TRANSITION`). */
export class TaskTransitionError extends RequestError<'TASK_ILLEGAL_TRANSITION'> {
  constructor(
    readonly from: TaskState,
    readonly to: TaskState,
  ) {
    super('TASK_ILLEGAL_TRANSITION', { from, to });
    this.name = 'TaskTransitionError';
  }
}

export function canTransition(from: TaskState, to: TaskState): boolean {
  return TASK_TRANSITIONS[from].includes(to);
}

/** Throws TaskTransitionError unless `from → to` is in the table. */
export function checkTransition(from: TaskState, to: TaskState): void {
  if (!canTransition(from, to)) throw new TaskTransitionError(from, to);
}

/** The states from which a task may move to `to` (the repository's conditional update). */
export function statesLeadingTo(to: TaskState): TaskState[] {
  return TASK_STATES.filter((s) => TASK_TRANSITIONS[s].includes(to));
}
