/**
 * What main.ts hands a command: its validated settings and arguments, and where to write. Its own
 * module so that commands and main.ts share these types without importing each other.
 */
import type { LoadedConfig } from './config/load.ts';

export interface CommandContext extends LoadedConfig {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

/** A command's module exports one of these as its default; it resolves to the exit code. */
export type Command = (ctx: CommandContext) => Promise<number>;
