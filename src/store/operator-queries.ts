/**
 * What an operator reads about tasks and records, for the HTTP API and the CLI alike: plain
 * functions over a `Queryable` (a `Db` of either engine), each one question, each returning plain
 * JSON-ready objects (dates stay `Date`). Statements are in `sql/operator-queries.sql.ts`.
 *
 * - tasks: `listTasks` (filters, paging), `taskProgress` (per step counts, records per second, ETA,
 *   deleted at source), `recentTaskIds` (live ones and those just finished);
 * - error report: `errorGroups` (every group, filtered by step / level / text, paged),
 *   `errorReportCsv`, `errorReportMetisJson` (downloads);
 * - tiers: `tierSummary` (every record whose tiers were computed, tier 0 included), `recordTiers`;
 * - records: `listRecords` (status per step, filters), `recordJourney` (every step's status,
 *   messages and data), `recordContent` (the XML after a step), `recordDiff` (between two steps);
 * - `deletedAtSource` (records depublished because a full harvest no longer found them);
 * - `patternAnalysesStored` (whether the task has problem-pattern analyses to report).
 */
import { structuredPatch, createPatch } from 'diff';
import type { Queryable } from './db.ts';
import * as SQL from './sql/operator-queries.sql.ts';
import { toTaskRow, type TaskRow } from './task-repository.ts';
import { TERMINAL_TASK_STATES, type StepName, type TaskState } from '../model/index.ts';

export interface Page<T> {
  total: number;
  items: T[];
}

export interface PageOptions {
  /** Default 50, at most 500. */
  limit?: number;
  /** Default 0. */
  offset?: number;
}

const page = (o: PageOptions): [number, number] => [
  Math.min(Math.max(Math.trunc(o.limit ?? 50), 0), 500),
  Math.max(Math.trunc(o.offset ?? 0), 0),
];
const total = (rows: Array<{ total?: unknown }>): number => (rows.length ? Number(rows[0].total) : 0);

// ---- tasks ----

/** Tasks newest first, filtered by state(s) and dataset. */
export async function listTasks(
  db: Queryable,
  o: PageOptions & { states?: TaskState[]; datasetId?: string } = {},
): Promise<Page<TaskRow>> {
  const [limit, offset] = page(o);
  const states = o.states && o.states.length ? o.states : null;
  const r = await db.query<Record<string, any>>(SQL.listTasks, [states, o.datasetId ?? null, limit, offset]);
  let n = total(r.rows);
  if (r.rows.length === 0 && offset > 0)
    n = (await db.query<{ n: number }>(SQL.countTasks, [states, o.datasetId ?? null])).rows[0].n;
  return { total: n, items: r.rows.map(toTaskRow) };
}

/** Ids of the live tasks and of those finished within `seconds` (newest first, at most 200). */
export async function recentTaskIds(db: Queryable, seconds = 60): Promise<string[]> {
  const r = await db.query<{ task_id: string }>(SQL.recentTaskIds, [seconds]);
  return r.rows.map((x) => x.task_id);
}

export interface StepProgressView {
  step: StepName;
  success: number;
  warn: number;
  fail: number;
  cancelled: number;
  /** success + warn + fail + cancelled. */
  total: number;
  firstAt: Date | null;
  lastAt: Date | null;
  /** Records per second over the step's active time (first to last commit, at least one second). */
  ratePerSecond: number | null;
  /** While the task runs and its size is known: the records still expected at this step / the rate. */
  etaSeconds: number | null;
}

export interface TaskProgress {
  taskId: string;
  state: TaskState;
  reason: string | null;
  expectedTotal: number | null;
  listingDone: boolean;
  /** Records that reached their end (failed, cancelled or past the last step). */
  processed: number;
  /** Records a full harvest no longer found at the source, depublished (params.detectDeleted). */
  deletedAtSource: number;
  /** From start (or creation) to finish (or now). */
  durationSeconds: number;
  steps: StepProgressView[];
}

/**
 * A task's progress: counters per step in plan order with a rate and an ETA. The rate is the
 * step's records over its active time (from its first to its last committed batch, at least one
 * second, so a first batch committed in a few milliseconds does not read as 300,000 rec/s). A step's
 * ETA counts the records still expected there: the task's expected total less the records that
 * failed or were cancelled at earlier steps.
 */
export async function taskProgress(db: Queryable, taskId: string, now = new Date()): Promise<TaskProgress | undefined> {
  const t = await db.query<Record<string, any>>('SELECT * FROM task WHERE task_id = $1', [taskId]);
  if (!t.rows[0]) return undefined;
  const task = toTaskRow(t.rows[0]);
  const [p, d] = await Promise.all([
    db.query<Record<string, any>>('SELECT * FROM step_progress WHERE task_id = $1', [taskId]),
    db.query<{ n: number }>(SQL.countDeletedAtSource, [taskId]),
  ]);
  const order = task.plan;
  const rows = p.rows.sort((a, b) => rank(order, a.step) - rank(order, b.step));
  const running = !TERMINAL_TASK_STATES.includes(task.state);
  let stoppedBefore = 0;
  const steps: StepProgressView[] = rows.map((x) => {
    const totalHere = x.success + x.warn + x.fail + x.cancelled;
    const firstAt = x.first_at ? new Date(x.first_at) : null;
    const lastAt = x.last_at ? new Date(x.last_at) : null;
    const span = firstAt && lastAt ? Math.max((lastAt.getTime() - firstAt.getTime()) / 1000, 1) : null;
    const rate = span && totalHere > 0 ? totalHere / span : null;
    const expectedHere = task.expectedTotal === null ? null : Math.max(task.expectedTotal - stoppedBefore, 0);
    const eta =
      running && rate && expectedHere !== null && task.listingDone ? Math.max(expectedHere - totalHere, 0) / rate : null;
    stoppedBefore += x.fail + x.cancelled;
    return {
      step: x.step,
      success: x.success,
      warn: x.warn,
      fail: x.fail,
      cancelled: x.cancelled,
      total: totalHere,
      firstAt,
      lastAt,
      ratePerSecond: rate === null ? null : Math.round(rate * 10) / 10,
      etaSeconds: eta === null ? null : Math.round(eta),
    };
  });
  const start = new Date(task.startedAt ?? task.createdAt).getTime();
  const end = task.finishedAt ? new Date(task.finishedAt).getTime() : now.getTime();
  return {
    taskId,
    state: task.state,
    reason: task.reason,
    expectedTotal: task.expectedTotal,
    listingDone: task.listingDone,
    processed: task.terminalCount,
    deletedAtSource: d.rows[0].n,
    durationSeconds: Math.max((end - start) / 1000, 0),
    steps,
  };
}

const rank = (order: readonly string[], step: string) => {
  const i = order.indexOf(step);
  return i < 0 ? order.length : i;
};

/** Records depublished because a full harvest no longer found them at the source. */
export async function deletedAtSource(
  db: Queryable,
  taskId: string,
  o: PageOptions = {},
): Promise<Page<{ recordId: string; status: string }>> {
  const [limit, offset] = page(o);
  const r = await db.query<Record<string, any>>(SQL.pageDeletedAtSource, [taskId, limit, offset]);
  return { total: total(r.rows), items: r.rows.map((x) => ({ recordId: x.record_id, status: x.status })) };
}

// ---- the error report ----

export interface ErrorGroupView {
  step: StepName;
  level: 'warn' | 'error';
  message: string;
  /** Records with this message at this step. */
  count: number;
  /** Up to 100 of them. */
  sampleIds: string[];
}

export interface ErrorFilter {
  step?: StepName;
  level?: 'warn' | 'error';
  /** Text the message contains (case-insensitive). */
  text?: string;
}

export interface ErrorReportPage extends Page<ErrorGroupView> {
  /** Records over the matching groups (a record with two messages counts twice). */
  totalRecords: number;
  /** Matching groups and records per step and level (every group, not only this page). */
  bySteps: Array<{ step: StepName; level: 'warn' | 'error'; groups: number; records: number }>;
}

/** Error groups, largest first, filtered and paged (`limit: null` for every one). */
export async function errorGroups(
  db: Queryable,
  taskId: string,
  o: ErrorFilter & { limit?: number | null; offset?: number } = {},
): Promise<ErrorReportPage> {
  const filter = [taskId, o.step ?? null, o.level ?? null, o.text ?? null];
  const [size, offset] = page({ limit: o.limit ?? undefined, offset: o.offset });
  const limit = o.limit === null ? null : size;
  const [r, s] = await Promise.all([
    db.query<Record<string, any>>(SQL.pageErrors, [...filter, limit, offset]),
    db.query<Record<string, any>>(SQL.errorsBySteps, filter),
  ]);
  const bySteps = s.rows.map((x) => ({ step: x.step, level: x.level, groups: x.groups, records: x.records }));
  return {
    total: bySteps.reduce((a, x) => a + x.groups, 0),
    totalRecords: bySteps.reduce((a, x) => a + x.records, 0),
    bySteps,
    items: r.rows.map((x) => ({
      step: x.step,
      level: x.level,
      message: x.message,
      count: x.count,
      sampleIds: x.sample_ids,
    })),
  };
}

const csvCell = (v: string | number) => {
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** Every matching group as CSV: `step,level,message,count,sample_ids` (ids separated by spaces). */
export async function errorReportCsv(db: Queryable, taskId: string, f: ErrorFilter = {}): Promise<string> {
  const { items } = await errorGroups(db, taskId, { ...f, limit: null });
  const lines = ['step,level,message,count,sample_ids'];
  for (const g of items) lines.push([g.step, g.level, g.message, g.count, g.sampleIds.join(' ')].map(csvCell).join(','));
  return lines.join('\r\n') + '\r\n';
}

/**
 * Every matching group in the shape of eCloud's error report (`metis-steps.md` §15.1:
 * `{errors:[{errorType, message, occurrences, errorDetails:[{identifier}]}]}`), with our step and
 * level added. `errorType` is the group's stable key (step, level and message).
 */
export async function errorReportMetisJson(db: Queryable, taskId: string, f: ErrorFilter = {}) {
  const { items } = await errorGroups(db, taskId, { ...f, limit: null });
  return {
    taskId,
    errors: items.map((g) => ({
      errorType: `${g.step}/${g.level}/${g.message}`.slice(0, 200),
      step: g.step,
      level: g.level,
      message: g.message,
      occurrences: g.count,
      errorDetails: g.sampleIds.map((identifier) => ({ identifier })),
    })),
  };
}

// ---- tiers ----

export interface TierSummary {
  /** Records whose tiers were computed (at preview or publish), passed or failed. */
  total: number;
  content: Record<string, number>;
  metadata: Record<string, number>;
  matrix: Array<{ contentTier: string; metadataTier: string; count: number }>;
  tierZero: { content: { total: number; samples: string[] }; metadata: { total: number; samples: string[] } };
}

/**
 * Tiers of every record whose tiers were computed (the index step stores them on success and on
 * failure: a content tier 0 record fails publish and still counts here), tier 0 included, with up to
 * `samples` record ids of each tier 0.
 */
export async function tierSummary(db: Queryable, taskId: string, samples = 10): Promise<TierSummary> {
  const [m, c0, m0] = await Promise.all([
    db.query<{ content_tier: string; metadata_tier: string; n: number }>(SQL.tierMatrix, [taskId]),
    db.query<{ record_id: string }>(SQL.tierZeroSamples, [taskId, 'content', samples]),
    db.query<{ record_id: string }>(SQL.tierZeroSamples, [taskId, 'metadata', samples]),
  ]);
  const content: Record<string, number> = { '0': 0, '1': 0, '2': 0, '3': 0, '4': 0 };
  const metadata: Record<string, number> = { '0': 0, A: 0, B: 0, C: 0 };
  let n = 0;
  for (const x of m.rows) {
    content[x.content_tier] = (content[x.content_tier] ?? 0) + x.n;
    metadata[x.metadata_tier] = (metadata[x.metadata_tier] ?? 0) + x.n;
    n += x.n;
  }
  return {
    total: n,
    content,
    metadata,
    matrix: m.rows.map((x) => ({ contentTier: x.content_tier, metadataTier: x.metadata_tier, count: x.n })),
    tierZero: {
      content: { total: content['0'], samples: c0.rows.map((x) => x.record_id) },
      metadata: { total: metadata['0'], samples: m0.rows.map((x) => x.record_id) },
    },
  };
}

/** The tier facts the index step stored for a record (`data.tiers`). */
export interface RecordTierFacts {
  content: string;
  metadata: string;
  contentBeforeLicenseCorrection?: string;
  metadataAllProxies?: string;
  metadataLanguage?: string;
  metadataEnablingElements?: string;
  metadataContextualClasses?: string;
  license?: string;
}

/** Each record's tiers, by record id (the Sandbox's records-tiers). */
export async function recordTiers(
  db: Queryable,
  taskId: string,
  o: PageOptions = {},
): Promise<Page<{ recordId: string; step: StepName; status: string; tiers: RecordTierFacts }>> {
  const [limit, offset] = page(o);
  const r = await db.query<Record<string, any>>(SQL.pageRecordTiers, [taskId, limit, offset]);
  return {
    total: total(r.rows),
    items: r.rows.map((x) => ({ recordId: x.record_id, step: x.step, status: x.status, tiers: x.tiers })),
  };
}

// ---- records ----

export type RecordStatus = 'success' | 'warn' | 'fail' | 'cancelled';

export interface RecordRow {
  recordId: string;
  /** The status at the last step the record reached. */
  status: RecordStatus;
  lastStep: StepName;
  steps: Partial<Record<StepName, RecordStatus>>;
  contentTier: string | null;
  metadataTier: string | null;
}

export interface RecordFilter {
  /** The record's status at its last step, or at `step` when given. */
  status?: RecordStatus;
  /** Alone: records that reached this step. */
  step?: StepName;
  /** Text in any of its messages (case-insensitive). */
  error?: string;
  /** Text in its id (case-insensitive). */
  idContains?: string;
}

/** A task's records by id, with their status per step and their tiers. */
export async function listRecords(
  db: Queryable,
  taskId: string,
  o: RecordFilter & PageOptions = {},
): Promise<Page<RecordRow>> {
  const [limit, offset] = page(o);
  const sql = SQL.pageRecordIds({ status: o.status !== undefined, step: o.step !== undefined, error: o.error !== undefined });
  const ids = await db.query<{ record_id: string; total: string | number }>(sql, [
    taskId,
    o.status ?? null,
    o.step ?? null,
    o.error ?? null,
    o.idContains ?? null,
    limit,
    offset,
  ]);
  let n = total(ids.rows);
  if (ids.rows.length === 0) {
    // An empty page past the end still says how many there are.
    if (offset > 0) n = total((await db.query<{ total: number }>(sql, [taskId, o.status ?? null, o.step ?? null, o.error ?? null, o.idContains ?? null, 1, 0])).rows);
    return { total: n, items: [] };
  }
  const rows = await db.query<{ record_id: string; step: StepName; status: RecordStatus; tiers: RecordTierFacts | null }>(
    SQL.recordsSteps,
    [taskId, ids.rows.map((x) => x.record_id)],
  );
  const byId = new Map<string, RecordRow>();
  for (const r of rows.rows) {
    let row = byId.get(r.record_id);
    if (!row) {
      row = { recordId: r.record_id, status: r.status, lastStep: r.step, steps: {}, contentTier: null, metadataTier: null };
      byId.set(r.record_id, row);
    }
    // Rows come in Metis's order: the last one is the last step reached.
    row.steps[r.step] = r.status;
    row.status = r.status;
    row.lastStep = r.step;
    if (r.tiers && (r.step === 'publish' || row.contentTier === null)) {
      row.contentTier = r.tiers.content ?? null;
      row.metadataTier = r.tiers.metadata ?? null;
    }
  }
  return { total: n, items: ids.rows.map((x) => byId.get(x.record_id)!).filter(Boolean) };
}

export interface RecordStepView {
  step: StepName;
  status: RecordStatus;
  /** Whether the step kept the record's content (successes and warnings do). */
  hasContent: boolean;
  messages: Array<{ level: string; code: string; message: string; detail?: string }>;
  data: Record<string, unknown> | null;
}

export interface RecordJourney {
  recordId: string;
  status: RecordStatus;
  lastStep: StepName;
  steps: RecordStepView[];
  tiers: RecordTierFacts | null;
}

/** One record's way through a task: every step's status, messages and data, in Metis's order. */
export async function recordJourney(db: Queryable, taskId: string, recordId: string): Promise<RecordJourney | undefined> {
  const r = await db.query<Record<string, any>>(SQL.recordSteps, [taskId, recordId]);
  if (r.rows.length === 0) return undefined;
  const steps: RecordStepView[] = r.rows.map((x) => ({
    step: x.step,
    status: x.status,
    hasContent: x.has_content,
    messages: x.messages ?? [],
    data: x.data ?? null,
  }));
  const last = steps[steps.length - 1];
  const indexed = [...steps].reverse().find((s) => (s.step === 'publish' || s.step === 'preview') && s.data?.tiers);
  return {
    recordId,
    status: last.status,
    lastStep: last.step,
    steps,
    tiers: (indexed?.data?.tiers as RecordTierFacts | undefined) ?? null,
  };
}

/** The record's content after `step`; undefined when the record has no row there or the step kept none. */
export async function recordContent(
  db: Queryable,
  taskId: string,
  recordId: string,
  step: StepName,
): Promise<string | undefined> {
  const r = await db.query<{ content: string | null }>(SQL.recordContent, [taskId, recordId, step]);
  return r.rows[0]?.content ?? undefined;
}

export interface RecordDiff {
  recordId: string;
  from: StepName;
  to: StepName;
  added: number;
  removed: number;
  /** A unified diff (`--- from`, `+++ to`, 3 lines of context). */
  unified: string;
  /** Every line of both versions: unchanged (' '), removed ('-') or added ('+'), with line numbers. */
  lines: Array<{ op: ' ' | '+' | '-'; text: string; fromLine: number | null; toLine: number | null }>;
}

/**
 * The difference between a record's content after two steps; undefined when either step kept no
 * content for it (`missing` says which).
 */
export async function recordDiff(
  db: Queryable,
  taskId: string,
  recordId: string,
  from: StepName,
  to: StepName,
): Promise<RecordDiff | { missing: StepName }> {
  const [a, b] = await Promise.all([
    recordContent(db, taskId, recordId, from),
    recordContent(db, taskId, recordId, to),
  ]);
  if (a === undefined) return { missing: from };
  if (b === undefined) return { missing: to };
  return diffTexts(recordId, from, to, a, b);
}

/** The diff of two texts (recordDiff's work, without the database). */
export function diffTexts(recordId: string, from: StepName, to: StepName, a: string, b: string): RecordDiff {
  const patch = structuredPatch(from, to, a, b, '', '', { context: Number.MAX_SAFE_INTEGER });
  const lines: RecordDiff['lines'] = [];
  let added = 0;
  let removed = 0;
  let fromLine = 1;
  let toLine = 1;
  for (const h of patch.hunks) {
    fromLine = h.oldStart;
    toLine = h.newStart;
    for (const l of h.lines) {
      const op = l[0] as ' ' | '+' | '-' | '\\';
      if (op === '\\') continue;
      const text = l.slice(1);
      if (op === '+') {
        added++;
        lines.push({ op, text, fromLine: null, toLine: toLine++ });
      } else if (op === '-') {
        removed++;
        lines.push({ op, text, fromLine: fromLine++, toLine: null });
      } else lines.push({ op, text, fromLine: fromLine++, toLine: toLine++ });
    }
  }
  if (patch.hunks.length === 0) {
    // Equal texts: every line unchanged.
    a.split('\n').forEach((text, i) => lines.push({ op: ' ', text, fromLine: i + 1, toLine: i + 1 }));
  }
  return { recordId, from, to, added, removed, unified: createPatch(recordId, a, b, from, to), lines };
}

/** Whether internal validation stored problem-pattern analyses for the task (tasks that ran it do). */
export async function patternAnalysesStored(db: Queryable, taskId: string): Promise<boolean> {
  const r = await db.query<{ any: boolean }>(SQL.anyPatternAnalysis, [taskId]);
  return r.rows[0]?.any === true;
}
