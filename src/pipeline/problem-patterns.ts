/**
 * A task's problem-pattern report (the Sandbox's dataset pattern analysis, metis-steps.md §6): the
 * record analyses internal validation stored, aggregated with P1 "Systematic use of the same title"
 * computed across the task's records. Read by the CLI (`run`, `status`, `report`) and the API.
 */
import type { Queryable } from '../store/db.ts';
import { patternAnalyses } from '../store/problem-patterns.ts';
import { PatternAggregator, type DatasetProblemPattern, type RecordPatternAnalysis } from '../steps/patterns/index.ts';

export async function taskProblemPatterns(
  db: Queryable,
  taskId: string,
  opts: { maxRecordsPerPattern?: number } = {},
): Promise<DatasetProblemPattern[]> {
  const aggregator = new PatternAggregator(opts);
  for await (const r of patternAnalyses(db, taskId))
    aggregator.add(r.recordId, {
      recordId: r.recordId,
      titles: r.titles,
      patterns: r.patterns,
    } as RecordPatternAnalysis);
  return aggregator.result();
}
