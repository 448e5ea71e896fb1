/**
 * Problem-pattern analysis inside internal validation, as the Sandbox runs it
 * (`InternalValidationServiceImpl.generateAnalysis`): every record that passes internal validation is
 * analysed, and its record-level patterns and titles (P1 is computed per dataset, from the titles)
 * travel in the outcome's `data.problemPatterns`, stored with the record's result. The analysis is a
 * report only: it never changes the record's status, content or messages.
 */
import type { StepOutcome } from '../outcome.ts';
import { detectRecordPatterns, type RecordProblemPattern } from './problem-patterns.ts';

/** What a record's result keeps of its analysis (`data.problemPatterns`). */
export interface StoredPatternAnalysis {
  titles: string[];
  patterns: RecordProblemPattern[];
}

export function withProblemPatterns<R extends { recordId: string; content: string }, D>(
  step: (record: R) => StepOutcome<D>,
): (record: R) => StepOutcome<D & { problemPatterns?: StoredPatternAnalysis }> {
  return (record) => {
    const outcome = step(record) as StepOutcome<D & { problemPatterns?: StoredPatternAnalysis }>;
    if (outcome.status === 'fail') return outcome;
    let analysis: StoredPatternAnalysis;
    try {
      const a = detectRecordPatterns(outcome.content ?? record.content);
      analysis = { titles: a.titles, patterns: a.patterns };
    } catch {
      // A record internal validation accepted is well-formed EDM; if the analysis still cannot read
      // it, the record simply has no analysis (a report must not fail a record).
      return outcome;
    }
    return { ...outcome, data: { ...(outcome.data as D), problemPatterns: analysis } };
  };
}
