/**
 * A concurrency limit shared by every remote call of one record (lookups, parents, dereferencing),
 * so nested fan-out (parents of entities of terms) never exceeds it.
 */
export type Limiter = <T>(task: () => Promise<T>) => Promise<T>;

/** Creates a limiter that runs at most `max` tasks at a time, in the order they were queued. */
export function createLimiter(max: number): Limiter {
  let active = 0;
  const queue: Array<() => void> = [];
  const next = () => {
    if (active >= max) return;
    const start = queue.shift();
    if (start) {
      active++;
      start();
    }
  };
  return <T>(task: () => Promise<T>) =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        task()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}
