/**
 * Many requests, one abort signal. A task's signal is shared by every record of the task in flight
 * (tens at once), and one `abort` listener per request on it trips Node's
 * MaxListenersExceededWarning (limit 10) although each is removed when its request settles.
 * `linkSignal()` puts ONE listener on the shared signal and fans its abort out to a per-request
 * signal, which the request drops (`dispose()`) when it settles: the shared signal never holds more
 * than one listener from here, and nothing stays behind per request.
 */

export interface LinkedSignal {
  /** Aborts (with the parent's reason) when the parent does; undefined without a parent. */
  readonly signal: AbortSignal | undefined;
  /** Stops following the parent. Call when the request settles; idempotent. */
  dispose(): void;
}

const children = new WeakMap<AbortSignal, Set<AbortController>>();
const NONE: LinkedSignal = { signal: undefined, dispose() {} };

/** A signal that follows `parent` until disposed (see the module comment). */
export function linkSignal(parent: AbortSignal | undefined): LinkedSignal {
  if (!parent) return NONE;
  const child = new AbortController();
  if (parent.aborted) {
    child.abort(parent.reason);
    return { signal: child.signal, dispose() {} };
  }
  let set = children.get(parent);
  if (!set) {
    const own = new Set<AbortController>();
    children.set(parent, own);
    parent.addEventListener(
      'abort',
      () => {
        children.delete(parent);
        for (const c of own) c.abort(parent.reason);
        own.clear();
      },
      { once: true },
    );
    set = own;
  }
  set.add(child);
  const followers = set;
  return { signal: child.signal, dispose: () => void followers.delete(child) };
}

/** Number of live followers of `parent` (for tests: 0 once every request settled). */
export function linkedCount(parent: AbortSignal): number {
  return children.get(parent)?.size ?? 0;
}
