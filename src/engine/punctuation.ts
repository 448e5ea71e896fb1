/**
 * A task's punctuators: `context.schedule(ms, 'stream-time' | 'wall-clock', fn)`. Stream-time ones fire
 * on interval boundaries as record timestamps advance; wall-clock ones `intervalMs` after the last firing.
 */
import { EngineError } from './errors.ts';
import type { NodeInstance } from './node-context.ts';
import type { Cancellable, PunctuationType, Punctuator } from './processor.ts';

interface Schedule {
  intervalMs: number;
  type: PunctuationType;
  punctuator: Punctuator;
  next: number | undefined;
  cancelled: boolean;
  node: NodeInstance;
}

const nextBoundary = (timestamp: number, intervalMs: number) => (Math.floor(timestamp / intervalMs) + 1) * intervalMs;

export class Punctuations {
  private readonly schedules: Schedule[] = [];

  /** Registers a punctuator; `now` is the wall clock, `streamTime` the task's (-Infinity before any record). */
  add(
    node: NodeInstance,
    intervalMs: number,
    type: PunctuationType,
    punctuator: Punctuator,
    now: number,
    streamTime: number,
  ): Cancellable {
    if (!(intervalMs > 0)) throw new EngineError('ENGINE_ILLEGAL_STATE', 'schedule interval must be > 0');
    const s: Schedule = { intervalMs, type, punctuator, next: undefined, cancelled: false, node };
    if (type === 'wall-clock') s.next = now + intervalMs;
    else if (streamTime > -Infinity) s.next = nextBoundary(streamTime, intervalMs);
    this.schedules.push(s);
    return { cancel: () => void (s.cancelled = true) };
  }

  /** Fires due punctuators of `type` at `timestamp`; a throwing one is reported to `onError`. */
  fire(
    type: PunctuationType,
    timestamp: number,
    isClosed: () => boolean,
    onError: (err: unknown, node: NodeInstance) => void,
  ): void {
    for (const s of this.schedules) {
      if (s.cancelled || s.type !== type || isClosed()) continue;
      if (s.next === undefined) {
        s.next = type === 'stream-time' ? nextBoundary(timestamp, s.intervalMs) : timestamp + s.intervalMs;
        continue;
      }
      if (timestamp < s.next) continue;
      s.next = type === 'stream-time' ? nextBoundary(timestamp, s.intervalMs) : timestamp + s.intervalMs;
      try {
        s.punctuator(timestamp);
      } catch (err) {
        onError(err, s.node);
      }
    }
  }

  cancelAll(): void {
    for (const s of this.schedules) s.cancelled = true;
  }
}
