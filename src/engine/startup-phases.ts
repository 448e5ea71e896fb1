/**
 * Where a KafkaRuntime's start-up time goes: the time of each phase from `start()` to the first
 * commit that made outputs visible (to read_committed readers), reported once through the `startup`
 * hook and logged at info level.
 */
import type { Logger } from 'pino';
import type { RuntimeHooks } from './runtime.ts';

export interface StartupPhase {
  /** What completed, e.g. 'transactions initialized'. */
  phase: string;
  /** Milliseconds from `start()` to its completion. */
  atMs: number;
}

export class StartupPhases {
  private readonly t0 = performance.now();
  private readonly phases: StartupPhase[] = [];
  private finished = false;

  constructor(
    private readonly logger: Logger,
    private readonly hooks: RuntimeHooks,
  ) {}

  /** Records that `phase` completed now (only until the first visible output, and once per phase). */
  mark(phase: string): void {
    if (this.finished || this.phases.some((p) => p.phase === phase)) return;
    this.phases.push({ phase, atMs: Math.round((performance.now() - this.t0) * 10) / 10 });
  }

  /** The first commit carrying outputs completed: report the phases. */
  finish(): void {
    if (this.finished) return;
    this.mark('first output committed');
    this.finished = true;
    this.logger.info({ phases: this.phases }, 'start-up phases');
    this.hooks.startup?.({ phases: [...this.phases] });
  }
}
