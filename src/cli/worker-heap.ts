/**
 * The V8 heap sizing of a pipeline worker process (`metis-streams worker`; issue #13 target 3, docs/
 * BENCHMARKS.md "Worker memory").
 *
 * A worker's main thread holds ~30–40 MB of live JavaScript objects, but V8 let its old space grow to
 * 3–4× that between full collections (its growing factor is chosen from the collector's speed, up to
 * 4×): 90–160 MB committed at the peak, most of it garbage or sparsely used pages. A fixed growing
 * factor of 1 + HEAP_GROWING_PERCENT/100 keeps the old space near its live size, at the price of more
 * full collections (mostly concurrent marking, on the other core).
 *
 * Set with `v8.setFlagsFromString` when the command starts: V8 reads the factor each time it sets a
 * new limit after a collection, so it applies to the main thread from its next collection and to every
 * step thread started afterwards (the flag is process-wide). Node does not accept it in NODE_OPTIONS.
 * The young generation's size is fixed when the isolate is created: the image sets it with
 * NODE_OPTIONS=--max-semi-space-size=4 (Dockerfile).
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 50;

/** Applies the worker's heap sizing (idempotent). */
export function tuneWorkerHeap(): void {
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
