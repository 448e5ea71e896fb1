/** The JSON shapes the API answers with (docs/API.md, "Shapes"), made from store rows; the task lookup every route starts with. */
import { errors } from '../errors/index.ts';
import type { TaskRow } from '../store/task-repository.ts';
import type { ApiBackend } from './backend.ts';

/** The task, or `404 TASK_NOT_FOUND`. */
export async function requireTask(b: ApiBackend, taskId: string): Promise<TaskRow> {
  const t = await b.service.store.getTask(taskId);
  if (!t) throw errors.TASK_NOT_FOUND({ taskId });
  return t;
}

/** A task as the API shows it. */
export function taskView(t: TaskRow) {
  return {
    taskId: t.taskId,
    datasetId: t.datasetId,
    datasetName: t.spec.dataset.name,
    state: t.state,
    reason: t.reason,
    plan: t.plan,
    spec: t.spec,
    origin: t.origin,
    expectedTotal: t.expectedTotal,
    listingDone: t.listingDone,
    processed: t.terminalCount,
    createdAt: t.createdAt,
    startedAt: t.startedAt,
    finishedAt: t.finishedAt,
  };
}

/** Strings under a `thumbnails` key anywhere in a step's data (the media step lists stored names). */
export function thumbnailNames(data: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(data)) for (const x of data) thumbnailNames(x, into);
  else if (data && typeof data === 'object')
    for (const [k, v] of Object.entries(data)) {
      if (k === 'thumbnails' && Array.isArray(v)) {
        for (const n of v) if (typeof n === 'string') into.add(n);
      } else thumbnailNames(v, into);
    }
  return into;
}
