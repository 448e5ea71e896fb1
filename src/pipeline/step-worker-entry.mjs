// Entry of a step-pool thread when the sources run through tsx (tests, benchmarks): threads do not
// inherit the main thread's loader, so this registers tsx, then runs the thread body. The compiled
// build (dist/) starts dist/pipeline/step-worker.js directly instead (see step-pool.ts).
import { register } from 'tsx/esm/api';

register();
await import('./step-worker.ts');
