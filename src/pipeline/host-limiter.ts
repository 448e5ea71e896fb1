/**
 * Politeness towards providers' servers: per remote host, at most `maxConcurrent` requests at once
 * and at most `ratePerSecond` request starts per second (a token bucket of one second's burst).
 *
 * Across workers the budget is shared by division: each worker enforces `share` of the configured
 * limits, where share = (partitions of the requesting topics, tasks and fetch, this worker owns) /
 * (all their partitions), updated on every rebalance. A host's fetches spread over all partitions
 * (keys are record identifiers), so each worker's part of the traffic matches its part of the budget,
 * and the sum over workers does not exceed the limits, with no coordination service on the request
 * path. Two known excesses: a worker always may send one request at a time (so with more workers
 * owning such partitions than `maxConcurrent`, the sum exceeds it), and right after a rebalance a
 * worker whose share shrank finishes the requests it already started. (Partitioning by host instead would
 * put one big provider on a single worker and lose the parallelism a dataset needs.)
 */
import { linkSignal } from '../steps/http/linked-signal.ts';

export interface HostLimits {
  maxConcurrent: number;
  ratePerSecond: number;
}

export const DEFAULT_HOST_LIMITS: HostLimits = { maxConcurrent: 32, ratePerSecond: 1000 };

interface HostState {
  active: number;
  tokens: number;
  refilledAt: number;
  waiters: Array<() => void>;
  timer?: NodeJS.Timeout;
}

export class HostLimiter {
  private readonly hosts = new Map<string, HostState>();
  private share = 1;

  constructor(
    private readonly limits: HostLimits = DEFAULT_HOST_LIMITS,
    private readonly perHost: Record<string, Partial<HostLimits>> = {},
  ) {}

  /** This worker's part of every host's budget (0 < share ≤ 1). */
  setShare(share: number): void {
    this.share = Math.min(1, Math.max(share, 1e-6));
    for (const host of this.hosts.keys()) this.pump(host);
  }

  limitsFor(host: string): HostLimits {
    const l = { ...this.limits, ...this.perHost[host] };
    return {
      maxConcurrent: Math.max(1, Math.floor(l.maxConcurrent * this.share)),
      ratePerSecond: Math.max(0.1, l.ratePerSecond * this.share),
    };
  }

  /** Runs `fn` when the host's budget allows; `url` or a host name identifies the host. */
  async run<T>(urlOrHost: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const host = hostOf(urlOrHost);
    await this.acquire(host, signal);
    try {
      return await fn();
    } finally {
      const s = this.hosts.get(host)!;
      s.active--;
      this.pump(host);
    }
  }

  private state(host: string): HostState {
    let s = this.hosts.get(host);
    if (!s) {
      s = { active: 0, tokens: this.limitsFor(host).ratePerSecond, refilledAt: Date.now(), waiters: [] };
      this.hosts.set(host, s);
    }
    return s;
  }

  private acquire(host: string, signal?: AbortSignal): Promise<void> {
    const s = this.state(host);
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
      // One listener on the task's shared signal however many waiters queue (linked-signal.ts).
      const link = linkSignal(signal);
      const onAbort = () => {
        const i = s.waiters.indexOf(go);
        if (i >= 0) s.waiters.splice(i, 1);
        reject(signal!.reason ?? new Error('aborted'));
      };
      const go = () => {
        link.dispose();
        resolve();
      };
      link.signal?.addEventListener('abort', onAbort, { once: true });
      s.waiters.push(go);
      this.pump(host);
    });
  }

  /** Lets waiters through while both the concurrency and the rate budget allow. */
  private pump(host: string): void {
    const s = this.hosts.get(host);
    if (!s) return;
    const limits = this.limitsFor(host);
    const now = Date.now();
    s.tokens = Math.min(limits.ratePerSecond, s.tokens + ((now - s.refilledAt) / 1000) * limits.ratePerSecond);
    s.refilledAt = now;
    while (s.waiters.length > 0 && s.active < limits.maxConcurrent && s.tokens >= 1) {
      s.tokens -= 1;
      s.active++;
      s.waiters.shift()!();
    }
    if (s.waiters.length > 0 && s.active < limits.maxConcurrent && !s.timer) {
      const waitMs = Math.ceil(((1 - s.tokens) / limits.ratePerSecond) * 1000);
      s.timer = setTimeout(
        () => {
          s.timer = undefined;
          this.pump(host);
        },
        Math.max(1, waitMs),
      );
    }
  }
}

function hostOf(urlOrHost: string): string {
  try {
    return new URL(urlOrHost).host;
  } catch {
    return urlOrHost;
  }
}
