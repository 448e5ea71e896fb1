// Entry of a media thread when the sources run through tsx (tests, benchmarks): threads do not
// inherit the main thread's loader, so this registers tsx, then runs the thread body. The compiled
// build (dist/) starts dist/steps/media/media-thread.js directly instead (see media-threads.ts).
import { register } from 'tsx/esm/api';

register();
await import('./media-thread.ts');
