/**
 * A mistake in how the command was called (a flag, a variable, the config file): its message names the
 * flag or variable and says what is expected. The command prints it without a stack trace and exits 2.
 */
import { RequestError } from '../../errors/index.ts';

/** The exit code of a usage error (2, as the shell's built-ins and Node itself use). */
export const USAGE_EXIT_CODE = 2;

/** The catalogue error `CLI_USAGE` (kind `request`). */
export class UsageError extends RequestError<'CLI_USAGE'> {
  readonly exitCode = USAGE_EXIT_CODE;

  constructor(message: string) {
    super('CLI_USAGE', { detail: message });
    this.name = 'UsageError';
  }
}
