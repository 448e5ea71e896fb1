// Entry of a step-pool thread: loads the TypeScript sources through tsx (threads do not inherit the
// main thread's loader), then runs the thread body.
import { register } from 'tsx/esm/api';

register();
await import('./step-worker.ts');
