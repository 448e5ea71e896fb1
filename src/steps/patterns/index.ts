/** Problem patterns (metis-steps.md §6): public entry points. */
export { detectRecordPatterns, patternOutcome, PROBLEM_PATTERN_TITLES, longestCommonSubsequence, abbreviate, type ProblemPatternId, type RecordPatternAnalysis, type RecordProblemPattern } from './problem-patterns.ts';
export { withProblemPatterns, type StoredPatternAnalysis } from './with-patterns.ts';
export { PatternAggregator, type DatasetProblemPattern, type PatternAggregatorOptions } from './pattern-aggregator.ts';
