/**
 * A mistake in how the command was called (a flag, a variable, the config file): its message names the
 * flag or variable and says what is expected. The command prints it without a stack trace and exits 2.
 */
/** The exit code of a usage error (2, as the shell's built-ins and Node itself use). */
export const USAGE_EXIT_CODE = 2;

export class UsageError extends Error {
  readonly code = 'CLI_USAGE';
  readonly exitCode = USAGE_EXIT_CODE;

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
