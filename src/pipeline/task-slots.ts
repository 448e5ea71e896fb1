/**
 * Per task, at most `limits.maxInFlight` of its records in work at once in this worker (a task's
 * throttle, on top of the per-host limits): a record waits for a slot of its task, other tasks'
 * records go on meanwhile.
 */
export class TaskSlots {
  private readonly tasks = new Map<string, { active: number; waiters: Array<() => void> }>();

  /** Runs `fn` holding one of the task's `max` slots (no limit when `max` is undefined). */
  async run<T>(taskId: string, max: number | undefined, fn: () => Promise<T>): Promise<T> {
    if (max === undefined) return fn();
    let t = this.tasks.get(taskId);
    if (!t) this.tasks.set(taskId, (t = { active: 0, waiters: [] }));
    const slot = t;
    if (slot.active >= max) await new Promise<void>((resolve) => slot.waiters.push(resolve));
    slot.active++;
    try {
      return await fn();
    } finally {
      slot.active--;
      const next = slot.waiters.shift();
      if (next) next();
      else if (slot.active === 0) this.tasks.delete(taskId);
    }
  }

  active(taskId: string): number {
    return this.tasks.get(taskId)?.active ?? 0;
  }
}
