/**
 * The error types of the Metis domain (everything above the engine). One base class with a stable
 * `code`, a `kind` that says what the pipeline does with it, a `retriable` flag, the message
 * parameters and the context it happened in. Build instances through the catalogue
 * (`errors.CODE({...})` in `catalogue.ts`), never with ad-hoc messages and codes.
 */
import { CODES, type ErrorCode, type ErrorKind } from './codes.ts';

/** Where an error happened; filled by whoever knows (the step, the pipeline). */
export interface ErrorContext {
  taskId?: string;
  step?: string;
  recordId?: string;
  offset?: number;
}

export interface MetisErrorOptions {
  cause?: unknown;
  context?: ErrorContext;
}

/** A value for a message placeholder (`{name}` in a template). */
export type ParamValue = string | number | boolean | undefined;

export class MetisError<C extends ErrorCode = ErrorCode> extends Error {
  readonly code: C;
  readonly kind: ErrorKind;
  readonly retriable: boolean;
  /** The values the message was built from (and any extra facts, such as an HTTP status). */
  readonly params: Readonly<Record<string, ParamValue>>;
  context: ErrorContext;

  /** Prefer the typed constructors of `errors`; this one takes the parameters untyped. */
  constructor(code: C, params: Readonly<Record<string, ParamValue>> = {}, options: MetisErrorOptions = {}) {
    const spec = CODES[code];
    super(formatMessage(spec.message, params), options.cause === undefined ? undefined : { cause: options.cause });
    this.name = spec.kind === 'task' ? 'TaskError' : spec.kind === 'request' ? 'RequestError' : 'RecordError';
    this.code = code;
    this.kind = spec.kind;
    this.retriable = spec.retriable;
    this.params = params;
    this.context = { ...options.context };
  }

  /** Adds context (task, step, record) without losing what is already there; returns `this`. */
  withContext(context: ErrorContext): this {
    this.context = { ...context, ...this.context };
    return this;
  }
}

/** A problem with one record: that record fails (after retries when `retriable`), the task goes on. */
export class RecordError<C extends ErrorCode = ErrorCode> extends MetisError<C> {}

/** A broken setup (missing schemas, a bad XSLT, an unreachable endpoint): the task fails once, with this message. */
export class TaskError<C extends ErrorCode = ErrorCode> extends MetisError<C> {}

/** A refused request (unknown task, nothing to re-run): the caller gets the message; nothing else changes. */
export class RequestError<C extends ErrorCode = ErrorCode> extends MetisError<C> {}

/** Fills `{name}` placeholders; a missing value leaves the placeholder visible (a bug, not a crash). */
export function formatMessage(template: string, params: Readonly<Record<string, ParamValue>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    params[name] === undefined ? whole : String(params[name]),
  );
}

/** True when `err` is a catalogue error (of `code`, when given). */
export function isMetisError<C extends ErrorCode>(err: unknown, code?: C): err is MetisError<C> {
  return err instanceof MetisError && (code === undefined || err.code === code);
}

/** The message of anything thrown. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A catalogue error as plain data, to cross a worker-thread or process boundary. */
export interface ErrorWire {
  message: string;
  stack?: string;
  code?: ErrorCode;
  params?: Record<string, ParamValue>;
  context?: ErrorContext;
}

export function errorToWire(err: unknown): ErrorWire {
  if (err instanceof MetisError)
    return { message: err.message, stack: err.stack, code: err.code, params: { ...err.params }, context: err.context };
  return { message: errorMessage(err), stack: err instanceof Error ? err.stack : undefined };
}

/** Rebuilds what `errorToWire` sent: a catalogue error of the same code and kind, or a plain Error. */
export function errorFromWire(wire: ErrorWire): Error {
  const err =
    wire.code && wire.code in CODES
      ? createError(wire.code, wire.params ?? {}, { context: wire.context })
      : new Error(wire.message);
  if (wire.stack) err.stack = wire.stack;
  return err;
}

/** The error class of a code's kind: TaskError, RecordError or RequestError. */
export function createError<C extends ErrorCode>(
  code: C,
  params: Readonly<Record<string, ParamValue>>,
  options?: MetisErrorOptions,
): MetisError<C> {
  const kind = CODES[code].kind;
  if (kind === 'task') return new TaskError(code, params, options);
  return kind === 'request' ? new RequestError(code, params, options) : new RecordError(code, params, options);
}

/** True for an error that fails the whole task (a catalogue error of kind `task`). */
export function isTaskError(err: unknown): err is MetisError {
  return err instanceof MetisError && err.kind === 'task';
}
