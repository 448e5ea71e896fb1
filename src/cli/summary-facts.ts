/**
 * What the summary says besides the task's own counters: how many entities the built-in entity store
 * holds (an empty store explains enrichment that found nothing) and the task's problem patterns.
 */
import type { Db } from '../store/db.ts';
import { EntityStore } from '../store/entity-store.ts';
import { taskProblemPatterns } from '../pipeline/problem-patterns.ts';
import type { TaskStatus } from '../pipeline/service.ts';
import type { SummaryFacts } from './progress.ts';

export async function summaryFacts(db: Db, s: TaskStatus, opts: { entityApi?: boolean } = {}): Promise<SummaryFacts> {
  // With the Entity API the built-in store was not used: say nothing about it.
  const entityCount = opts.entityApi ? undefined : await new EntityStore(db).count().catch(() => undefined);
  const patterns = await taskProblemPatterns(db, s.task.taskId, { maxRecordsPerPattern: 3 }).catch(() => []);
  return {
    ...(entityCount !== undefined && { entityCount }),
    patterns: patterns.map((p) => ({
      patternId: p.id,
      title: p.title,
      recordCount: p.recordOccurrences,
      sampleIds: p.records.map((r) => r.recordId),
    })),
  };
}
