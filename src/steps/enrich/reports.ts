/**
 * Enrichment reports as Metis keeps them (`Report`: IGNORE / WARN / ERROR, with the mode, message and
 * value), and how they become a step outcome (metis-steps.md §8 "Record outcome").
 */
import type { StepMessage, StepOutcome } from '../outcome.ts';
import { HttpStatusError } from './types.ts';

export type ReportLevel = 'IGNORE' | 'WARN' | 'ERROR';
export type ReportMode = 'DEREFERENCE' | 'ENRICHMENT';

export interface Report {
  level: ReportLevel;
  mode: ReportMode;
  message: string;
  /** The URI or text the report is about. */
  value: string;
  /** HTTP status involved, when there was one. */
  status?: number;
  detail?: string;
}

/** The HTTP status behind an error (the error's own, or its cause's), if any. */
export function statusOf(err: unknown): number | undefined {
  for (let e = err as { status?: unknown; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e instanceof HttpStatusError) return e.status;
    if (typeof e.status === 'number') return e.status;
  }
  return undefined;
}

const CODES: Record<ReportMode, Record<'WARN' | 'ERROR', string>> = {
  DEREFERENCE: { WARN: 'DEREFERENCE_WARN', ERROR: 'DEREFERENCE_ERROR' },
  ENRICHMENT: { WARN: 'ENRICHMENT_WARN', ERROR: 'ENRICHMENT_ERROR' },
};

/** A WARN/ERROR report as a step message: "<message> Value: <value>", as the Sandbox shows it. */
export function toStepMessage(r: Report): StepMessage {
  const level = r.level === 'ERROR' ? 'error' : 'warn';
  return {
    level,
    code: CODES[r.mode][r.level === 'ERROR' ? 'ERROR' : 'WARN'],
    message: `${r.message} Value: ${r.value}`,
    detail: r.detail,
  };
}

/**
 * The outcome of a record from its reports: any ERROR fails it (the first ERROR leads the messages),
 * WARNs keep it with warnings, IGNOREs are dropped.
 */
export function outcomeFromReports<D>(recordId: string, content: string, reports: Report[], data: D): StepOutcome<D> {
  const errors = reports.filter((r) => r.level === 'ERROR').map(toStepMessage);
  const warnings = reports.filter((r) => r.level === 'WARN').map(toStepMessage);
  if (errors.length > 0) return { status: 'fail', recordId, messages: [...errors, ...warnings], data };
  return { status: warnings.length > 0 ? 'warn' : 'success', recordId, content, messages: warnings, data };
}
