/** A task row read with the store's own repository (the reading commands need its plan). */
import type { Db } from '../store/db.ts';
import { PipelineStore, type TaskRow } from '../store/pipeline-store.ts';

export const getTaskRow = (db: Db, taskId: string): Promise<TaskRow | undefined> =>
  new PipelineStore(db).getTask(taskId);
