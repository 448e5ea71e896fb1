/**
 * Waiting out transient outages instead of failing records for good: a database restart, the
 * database refusing connections for a minute, a provider's OAI-PMH server gone for a while. The call
 * is retried with `retry()` (full-jitter back-off up to 10 s) until it succeeds or the task's retry
 * budget (`retryBudgetMs`, minutes) is spent; then the task fails once with RETRY_BUDGET_SPENT naming
 * what failed (a task error: the caller fails the task through `task-failure.ts`), so a task never
 * says "completed" over records lost to an outage.
 */
import { errorMessage, errors, isRetriable, retry, type MetisError } from '../errors/index.ts';
import type { StepOutcome } from '../steps/outcome.ts';
import type { Logger } from 'pino';

export interface WaitOutOptions {
  /** What is being tried, for the log and the task's reason (e.g. "GetRecord oai:x:1"). */
  what: string;
  signal?: AbortSignal;
  /** Which errors are transient. Default: `isRetriable` (catalogue flag, network and database codes). */
  isTransient?: (err: unknown) => boolean;
}

/** `fn()`, retried while it throws a transient error and the budget lasts; then RETRY_BUDGET_SPENT. */
export async function waitOut<T>(
  p: { options: { retryBudgetMs: number }; logger: Logger },
  fn: () => Promise<T>,
  opts: WaitOutOptions,
): Promise<T> {
  const isTransient = opts.isTransient ?? isRetriable;
  const budgetMs = p.options.retryBudgetMs;
  try {
    return await retry(fn, {
      retries: Infinity,
      budgetMs,
      baseDelayMs: 250,
      maxDelayMs: 10_000,
      signal: opts.signal,
      isRetriable: isTransient,
      onRetry: ({ attempt, error, delayMs }) => {
        // One line per try would flood the log during an outage: the first and then every 10th.
        if (attempt === 1 || attempt % 10 === 0)
          p.logger.warn({ what: opts.what, attempt, delayMs, err: errorMessage(error) }, 'transient error; retrying');
      },
    });
  } catch (err) {
    if (opts.signal?.aborted || !isTransient(err)) throw err;
    throw budgetSpent(opts.what, budgetMs, err);
  }
}

export function budgetSpent(what: string, budgetMs: number, cause: unknown): MetisError {
  const budget = budgetMs >= 60_000 ? `${+(budgetMs / 60_000).toFixed(1)} min` : `${budgetMs} ms`;
  return errors.RETRY_BUDGET_SPENT({ what, budget, detail: errorMessage(cause) }, { cause });
}

/**
 * GetRecord failures that say the provider's server is gone or failing (refused or reset connections,
 * unreachable host, connect/read timeouts, 5xx), after the OAI client's own tries: worth waiting out.
 * A 404, an OAI error or a malformed answer is the record's own problem and fails it at once.
 */
const SERVER_GONE =
  /\((?:ECONNREFUSED|ECONNRESET|ECONNABORTED|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EAI_AGAIN|EPIPE|UND_ERR_SOCKET|UND_ERR_CLOSED)\)|HTTP status 5\d\d\b|connect timeout|read timeout|other side closed/;

/** Thrown by `throwIfServerGone`; transient for `waitOut`, carries the outcome it stands for. */
export class ServerGoneError extends Error {
  readonly retriable = true;
  constructor(readonly outcome: StepOutcome) {
    super(outcome.messages.map((m) => m.message).join('; '));
    this.name = 'ServerGoneError';
  }
}

/** Turns a GetRecord outcome that failed because the server is gone into a throw `waitOut` retries. */
export function throwIfServerGone<T>(result: T | StepOutcome): T | StepOutcome {
  if (
    result &&
    typeof result === 'object' &&
    'status' in result &&
    result.status === 'fail' &&
    result.messages.some((m) => m.code === 'OAI_GET_RECORD_FAILED' && SERVER_GONE.test(m.message))
  )
    throw new ServerGoneError(result);
  return result;
}

/** `isRetriable`, plus a server-gone GetRecord outcome. */
export function isTransient(err: unknown): boolean {
  return err instanceof ServerGoneError || isRetriable(err);
}
