/**
 * Dataset-level problem-pattern analysis: collects the record analyses of one execution point
 * and computes P1 "Systematic use of the same title" (the same title, ignoring case, in more than
 * one record; titles compared truncated to 255 characters), plus per-pattern record counts with
 * sample record ids, as the Sandbox's dataset pattern view shows them.
 */
import { abbreviate, PROBLEM_PATTERN_TITLES, type ProblemPatternId, type RecordPatternAnalysis } from './problem-patterns.ts';

export interface DatasetPatternRecord {
  recordId: string;
  occurrences: string[];
}

export interface DatasetProblemPattern {
  id: ProblemPatternId;
  title: string;
  severity: 'WARNING';
  /** Records showing the pattern. */
  recordOccurrences: number;
  /** The first `maxRecordsPerPattern` of them. */
  records: DatasetPatternRecord[];
}

export interface PatternAggregatorOptions {
  /** Sample records kept per pattern. Default 10. */
  maxRecordsPerPattern?: number;
}

const TITLE_KEY_LENGTH = 255;
const ORDER: ProblemPatternId[] = ['P1', 'P2', 'P3', 'P5', 'P6', 'P7', 'P9', 'P12'];

export class PatternAggregator {
  private readonly max: number;
  private readonly byPattern = new Map<ProblemPatternId, { count: number; records: DatasetPatternRecord[] }>();
  /** lower-cased, truncated title → record ids using it (in arrival order, distinct). */
  private readonly titles = new Map<string, { title: string; records: string[] }>();

  constructor(opts: PatternAggregatorOptions = {}) {
    this.max = opts.maxRecordsPerPattern ?? 10;
  }

  /** Adds one record's analysis (its record-level patterns and its titles). */
  add(recordId: string, analysis: RecordPatternAnalysis): void {
    for (const p of analysis.patterns) this.count(p.id, { recordId, occurrences: p.occurrences });
    for (const title of new Set(analysis.titles.map((t) => t.trim()).filter((t) => t.length > 0))) {
      const key = title.slice(0, TITLE_KEY_LENGTH).toLowerCase();
      const entry = this.titles.get(key) ?? { title: title.slice(0, TITLE_KEY_LENGTH), records: [] };
      if (!entry.records.includes(recordId)) entry.records.push(recordId);
      this.titles.set(key, entry);
    }
  }

  private count(id: ProblemPatternId, record: DatasetPatternRecord, into = this.byPattern): void {
    const entry = into.get(id) ?? { count: 0, records: [] };
    entry.count++;
    if (entry.records.length < this.max) entry.records.push(record);
    into.set(id, entry);
  }

  /** The dataset's patterns, P1 included, in pattern order; patterns nobody shows are left out. */
  result(): DatasetProblemPattern[] {
    const all = new Map(this.byPattern);
    // P1: one occurrence per shared title, reported on every record that uses it.
    const p1 = new Map<string, string[]>();
    for (const { title, records } of this.titles.values()) {
      if (records.length < 2) continue;
      for (const r of records) {
        const list = p1.get(r) ?? [];
        list.push(`Systematic use of the same title: ${abbreviate(title)}`);
        p1.set(r, list);
      }
    }
    for (const [recordId, occurrences] of p1) this.count('P1', { recordId, occurrences }, all);
    return ORDER.filter((id) => all.has(id)).map((id) => ({
      id,
      title: PROBLEM_PATTERN_TITLES[id],
      severity: 'WARNING' as const,
      recordOccurrences: all.get(id)!.count,
      records: all.get(id)!.records,
    }));
  }
}
