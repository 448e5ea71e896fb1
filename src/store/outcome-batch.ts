/**
 * A sink batch's outcome events folded in memory into the rows the counters and reports receive,
 * one statement per table. Rows come out sorted by key, so two sinks lock rows in the same order
 * (no deadlocks).
 */
import { MAX_SAMPLE_IDS } from './sql/outcomes.sql.ts';
import type { OutcomeEvent, RecordOutcomeEvent } from '../model/index.ts';

export interface ProgressRow {
  task_id: string;
  step: string;
  success: number;
  warn: number;
  fail: number;
  cancelled: number;
}
export interface ErrorRow {
  task_id: string;
  step: string;
  level: string;
  message: string;
  count: number;
  sample_ids: string[];
}
export interface TierRow {
  task_id: string;
  content_tier: string;
  metadata_tier: string;
  count: number;
}

export interface BatchTotals {
  progress: ProgressRow[];
  errors: ErrorRow[];
  tiers: TierRow[];
  /** Records per task that go no further. */
  terminal: Map<string, number>;
}

/** Longer messages are cut in the error report. */
const MAX_MESSAGE_LENGTH = 2000;

const key = (...parts: string[]) => parts.join('\u0000');
const sorted = <T>(m: Map<string, T>): T[] => [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v);

/** One outcome per (task, step, record): the last one wins (a multi-row upsert may touch a row once). */
export function lastOutcomes(events: OutcomeEvent[]): RecordOutcomeEvent[] {
  const byKey = new Map<string, RecordOutcomeEvent>();
  for (const e of events) if (e.kind === 'record') byKey.set(resultKey(e.taskId, e.step, e.recordId), e);
  return [...byKey.values()];
}

export function resultKey(taskId: string, step: string, recordId: string): string {
  return key(taskId, step, recordId);
}

/** Counter increments, error groups, tier counts and terminal counts of new result rows. */
export function totals(records: RecordOutcomeEvent[]): BatchTotals {
  const progress = new Map<string, ProgressRow>();
  const errors = new Map<string, ErrorRow>();
  const tiers = new Map<string, TierRow>();
  const terminal = new Map<string, number>();
  for (const e of records) {
    const k = key(e.taskId, e.step);
    const p = progress.get(k) ?? { task_id: e.taskId, step: e.step, success: 0, warn: 0, fail: 0, cancelled: 0 };
    if (e.status === 'success') p.success++;
    else if (e.status === 'warn') p.warn++;
    else if (e.status === 'fail') p.fail++;
    else p.cancelled++;
    progress.set(k, p);
    for (const m of e.messages) {
      if (m.level === 'info') continue;
      // Grouped by the stored (cut) message: two groups must not land on one row in one statement.
      const message = m.message.slice(0, MAX_MESSAGE_LENGTH);
      const ek = key(k, m.level, message);
      const g = errors.get(ek) ?? {
        task_id: e.taskId,
        step: e.step,
        level: m.level,
        message,
        count: 0,
        sample_ids: [],
      };
      g.count++;
      if (g.sample_ids.length < MAX_SAMPLE_IDS) g.sample_ids.push(e.recordId);
      errors.set(ek, g);
    }
    const t = e.data?.tiers as { content?: unknown; metadata?: unknown } | undefined;
    // Every record whose tiers were calculated, tier 0 refused by publish included.
    if (t && e.terminal) {
      const tk = key(e.taskId, String(t.content), String(t.metadata));
      const g = tiers.get(tk) ?? {
        task_id: e.taskId,
        content_tier: String(t.content),
        metadata_tier: String(t.metadata),
        count: 0,
      };
      g.count++;
      tiers.set(tk, g);
    }
    if (e.terminal) terminal.set(e.taskId, (terminal.get(e.taskId) ?? 0) + 1);
  }
  return { progress: sorted(progress), errors: sorted(errors), tiers: sorted(tiers), terminal };
}
