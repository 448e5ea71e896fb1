/**
 * Lifecycles as named transition tables, and the one checker every state machine of the engine uses.
 * A table lists, per state, the states it may go to; any other move is a bug and throws
 * ENGINE_ILLEGAL_STATE (with the machine, the state and the refused target in its context).
 * test/engine/lifecycles.test.ts walks every table: each listed move is accepted, every other refused.
 */
import { EngineError } from './errors.ts';

/** Per state, the states it may move to. */
export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/** A task (one input partition): stores are restored while `created`; `failed` = fail-fast stop. */
export type TaskState = 'created' | 'running' | 'failed' | 'closed';
export const TASK_LIFECYCLE: TransitionTable<TaskState> = {
  created: ['running', 'closed'],
  running: ['failed', 'closed'],
  failed: ['closed'],
  closed: [],
};

/** The LocalRuntime: a stopped runtime cannot be restarted (create a new one). */
export type LocalRuntimeState = 'created' | 'starting' | 'running' | 'stopped';
export const LOCAL_RUNTIME_LIFECYCLE: TransitionTable<LocalRuntimeState> = {
  created: ['starting', 'stopped'],
  starting: ['running', 'stopped'],
  running: ['stopped'],
  stopped: [],
};

/** The KafkaRuntime: `failed` stops without committing (a supervisor restarts the process). */
export type KafkaRuntimeState = 'created' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';
export const KAFKA_RUNTIME_LIFECYCLE: TransitionTable<KafkaRuntimeState> = {
  created: ['starting', 'stopped'],
  starting: ['running', 'failed'],
  running: ['stopping', 'failed'],
  stopping: ['stopped', 'failed'],
  stopped: [],
  failed: [],
};

/**
 * The exactly-once producer's transaction: begun when the first output of a commit interval is
 * produced, committed with the consumed offsets, aborted after a failed commit or a lost assignment.
 * A fenced or fatal producer cannot be reused (`fatal`: the runtime stops).
 */
export type TransactionState = 'idle' | 'open' | 'committing' | 'aborting' | 'fatal';
export const TRANSACTION_LIFECYCLE: TransitionTable<TransactionState> = {
  idle: ['open', 'fatal'],
  open: ['committing', 'aborting', 'fatal'],
  committing: ['idle', 'aborting', 'fatal'],
  aborting: ['idle', 'fatal'],
  fatal: [],
};

/** Every lifecycle of the engine, by machine name (the test walks them all). */
export const LIFECYCLES = {
  task: TASK_LIFECYCLE,
  'local runtime': LOCAL_RUNTIME_LIFECYCLE,
  'kafka runtime': KAFKA_RUNTIME_LIFECYCLE,
  transaction: TRANSACTION_LIFECYCLE,
} as const;

/** The checker: throws ENGINE_ILLEGAL_STATE unless `table` lets `machine` go from `from` to `to`. */
export function checkTransition<S extends string>(machine: string, table: TransitionTable<S>, from: S, to: S): void {
  if (!table[from].includes(to))
    throw new EngineError('ENGINE_ILLEGAL_STATE', `${machine} cannot go from ${from} to ${to}`, {
      context: { machine, from, to },
    });
}

/** A state variable whose every change goes through the checker. */
export class Lifecycle<S extends string> {
  private current: S;

  constructor(
    readonly machine: string,
    private readonly table: TransitionTable<S>,
    initial: S,
  ) {
    this.current = initial;
  }

  get state(): S {
    return this.current;
  }

  /** Moves to `next`, or throws ENGINE_ILLEGAL_STATE. */
  to(next: S): void {
    checkTransition(this.machine, this.table, this.current, next);
    this.current = next;
  }

  /** True when the machine may move to `next` from where it is. */
  can(next: S): boolean {
    return this.table[this.current].includes(next);
  }

  is(...states: S[]): boolean {
    return states.includes(this.current);
  }
}
