/**
 * A request gate: politeness towards a remote host, applied where a request is made. `gate(url)`
 * resolves when a request to `url`'s host may start, with the function that ends it (call it once,
 * when the response is read or dropped, or the request failed). The pipeline's `HostLimiter`
 * implements it (per-host concurrency and rate); steps take it as an option and never know the
 * limits. Aborting `signal` while waiting rejects with its reason.
 */
export type RequestGate = (url: string, signal?: AbortSignal) => Promise<() => void>;

/** Calls `release` once, however often the returned function is called. */
export function once(release: () => void): () => void {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    release();
  };
}
