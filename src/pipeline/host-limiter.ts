/**
 * Politeness towards providers' servers: per remote host, at most `maxConcurrent` requests at once
 * and at most `ratePerSecond` request starts per second (a token bucket of one second's burst).
 * Every request to a remote host goes through the limiter of its process: OAI-PMH listings and
 * GetRecords (harvest processors), archive downloads, media fetches and link checks (the ports
 * pass `gate` to the archive reader and the safe fetcher, which hold a request until its body ends).
 *
 * Across workers the concurrency limit is held by shared slots, not by dividing it: a request first
 * takes a turn in its own process, then one of the host's `maxConcurrent` slots in the database
 * (`SharedSlots`, PostgreSQL advisory locks in `host-slots.ts`), held until the request ends (and
 * then handed to this worker's next request to the host for a short lease: `host-slots.ts`). The sum
 * over workers therefore never exceeds the limit, whatever the partition assignment, during a
 * rebalance (a worker whose partitions moved may still finish requests it started: they keep their
 * slots) and with a zombie worker (its slots are freed only when its database session ends). A
 * division cannot do that: integer shares summing to at most the limit leave a worker with a share of
 * 0 when workers (or partitions) outnumber the limit, and its records would wait forever; shares
 * rounded up to 1 (as before) sum above the limit; and a share that shrinks on a rebalance cannot stop
 * requests already in flight while the new owner starts its own ("peak concurrency 5 > 4" in CI).
 *
 * What stays divided is what needs no strictness: the local turn, `ceil(maxConcurrent × share)`, keeps
 * one worker from holding every slot while another's records wait, and the rate, `ratePerSecond ×
 * share` (fractional, no floor), splits the token bucket so the workers' rates sum to the limit
 * exactly (each bucket holds at least one token, so the bursts may add up to one request per worker
more). `share` is the worker's part of the partitions that make requests (`setShare`). Without
 * shared slots (embedded mode: one process) the share is 1 and the local turn is the limit.
 */
import { linkSignal } from '../steps/http/linked-signal.ts';
import { once, type RequestGate } from '../steps/http/request-gate.ts';

export interface HostLimits {
  maxConcurrent: number;
  ratePerSecond: number;
}

export const DEFAULT_HOST_LIMITS: HostLimits = { maxConcurrent: 32, ratePerSecond: 1000 };

/** Slots shared by every worker: at most `limit` held for one host at any time, over all processes. */
export interface SharedSlots {
  /** Resolves with the release of one of `host`'s `limit` slots; waits while all are held. */
  acquire(host: string, limit: number, signal?: AbortSignal): Promise<() => void>;
  close(): Promise<void>;
}

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
    private readonly shared?: SharedSlots,
  ) {}

  /** This worker's part of every host's rate and of its local turns (0 ≤ share ≤ 1). */
  setShare(share: number): void {
    this.share = Math.min(1, Math.max(share, 0));
    for (const host of this.hosts.keys()) this.pump(host);
  }

  /** The configured limits of a host (all workers together). */
  configuredFor(host: string): HostLimits {
    return { ...this.limits, ...this.perHost[host] };
  }

  /** What this process enforces locally: its turns (see the class comment) and its part of the rate. */
  limitsFor(host: string): HostLimits {
    const l = this.configuredFor(host);
    return {
      maxConcurrent: this.shared ? Math.max(1, Math.ceil(l.maxConcurrent * this.share)) : l.maxConcurrent,
      ratePerSecond: l.ratePerSecond * this.share,
    };
  }

  /** The gate the steps' fetchers take (`RequestGate`): `acquire` for a URL. */
  readonly gate: RequestGate = (url, signal) => this.acquire(url, signal);

  /**
   * Waits for a request to `urlOrHost` (a URL or a host name) to be allowed; resolves with its
   * release, to be called when the request has ended. Rejects with the signal's reason on abort.
   */
  async acquire(urlOrHost: string, signal?: AbortSignal): Promise<() => void> {
    const host = hostOf(urlOrHost);
    await this.takeTurn(host, signal);
    const endTurn = () => {
      const s = this.hosts.get(host)!;
      s.active--;
      this.pump(host);
    };
    if (!this.shared) return once(endTurn);
    let releaseSlot: () => void;
    try {
      releaseSlot = await this.shared.acquire(host, this.configuredFor(host).maxConcurrent, signal);
    } catch (err) {
      endTurn();
      throw err;
    }
    return once(() => {
      releaseSlot();
      endTurn();
    });
  }

  /** Runs `fn` when the host's budget allows; `url` or a host name identifies the host. */
  async run<T>(urlOrHost: string, fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(urlOrHost, signal);
    try {
      return await fn();
    } finally {
      release();
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

  private takeTurn(host: string, signal?: AbortSignal): Promise<void> {
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
    // One second's burst, and at least one token (a share below 1 request/s still gets its turn).
    const burst = Math.max(1, limits.ratePerSecond);
    s.tokens = Math.min(burst, s.tokens + ((now - s.refilledAt) / 1000) * limits.ratePerSecond);
    s.refilledAt = now;
    while (s.waiters.length > 0 && s.active < limits.maxConcurrent && s.tokens >= 1) {
      s.tokens -= 1;
      s.active++;
      s.waiters.shift()!();
    }
    // A share of 0 (no partition that makes requests) refills nothing: the next setShare pumps.
    if (s.waiters.length > 0 && s.active < limits.maxConcurrent && !s.timer && limits.ratePerSecond > 0) {
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
