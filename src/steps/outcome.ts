/**
 * What every Metis step returns for one record (Metis's error model, metis-steps.md §0.4):
 * - `success`: the record continues with `content`;
 * - `warn`: the record continues with `content` but carries warning messages;
 * - `fail`: the record stops here; `messages` says why (the first error, as Metis reports it).
 * A step never throws for a bad record: it returns `fail`. It throws only for a broken setup
 * (a missing schema, a bad configuration), which fails the task, not the record.
 */
export type StepStatus = 'success' | 'warn' | 'fail';

export interface StepMessage {
  level: 'info' | 'warn' | 'error';
  /** Stable code, e.g. `XSD_INVALID`, `SCHEMATRON`, `ENRICH_NOT_FOUND`. */
  code: string;
  message: string;
  /** Optional stack or detail for operators. */
  detail?: string;
}

export interface StepOutcome<D = Record<string, unknown>> {
  status: StepStatus;
  /** Europeana record id (or the provider id when no Europeana id exists yet). */
  recordId: string;
  /** The record after the step (EDM XML). Absent on `fail`, and for report-only steps. */
  content?: string;
  messages: StepMessage[];
  /** Step-specific facts (tiers, media counts, link results) for reports. */
  data?: D;
}

export function success<D>(
  recordId: string,
  content: string | undefined,
  data?: D,
  messages: StepMessage[] = [],
): StepOutcome<D> {
  return { status: messages.some((m) => m.level === 'warn') ? 'warn' : 'success', recordId, content, messages, data };
}

export function fail<D>(recordId: string, code: string, message: string, detail?: string): StepOutcome<D> {
  return { status: 'fail', recordId, messages: [{ level: 'error', code, message, detail }] };
}

/** Error that fails a whole task (not a record): see the error catalogue (`src/errors/`). */
export { TaskError } from '../errors/index.ts';
