/** One error type with stable codes, so callers branch on `code`, never on message text. */

export type EngineErrorCode =
  | 'ENGINE_TOPOLOGY_INVALID'
  | 'ENGINE_UNKNOWN_CHILD'
  | 'ENGINE_UNKNOWN_STORE'
  | 'ENGINE_DESERIALIZATION'
  | 'ENGINE_SERIALIZATION'
  | 'ENGINE_PROCESSING'
  | 'ENGINE_COMMIT_FAILED'
  | 'ENGINE_FENCED'
  | 'ENGINE_ILLEGAL_STATE'
  | 'ENGINE_KAFKA';

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: EngineErrorCode,
    message: string,
    options: { cause?: unknown; retriable?: boolean; context?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.retriable = options.retriable ?? false;
    this.context = options.context ?? {};
  }
  readonly retriable: boolean;
  readonly context: Record<string, unknown>;
}

/** The message of anything thrown, for logs and dead-letter headers. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
