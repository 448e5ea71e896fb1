/**
 * Progress display for the command line: one bar per step of the task's plan, redrawn in place on a
 * terminal, printed as plain lines every few seconds otherwise (CI logs, pipes), and the final
 * summary: counts per step, each step's error groups (messages that differ only by a URL are one
 * group: cause and host, the URL as a sample), every tier including 0, and a line saying what kept
 * records from being published.
 */
import type { TaskStatus } from '../pipeline/service.ts';
import type { ErrorGroup } from '../store/pipeline-store.ts';
import { groupByCause, type CauseGroup } from './error-groups.ts';

const BAR = 24;
/** Rates are measured over about this long a window (a division by a tiny interval says nothing). */
const RATE_WINDOW_MS = 5_000;
/** A rate over less than this is not shown. */
const MIN_RATE_SPAN_MS = 1_000;

const doneOf = (p: TaskStatus['progress'][number] | undefined): number =>
  p ? p.success + p.warn + p.fail + p.cancelled : 0;

/** Records per second of each step over a sliding window of the counts seen by `update`. */
export class RateWindow {
  private readonly samples = new Map<string, Array<{ at: number; done: number }>>();

  constructor(private readonly windowMs = RATE_WINDOW_MS) {}

  /** Adds a sample and returns the rate over the window, or undefined while the window is too short. */
  sample(step: string, done: number, at: number): number | undefined {
    const list = this.samples.get(step) ?? [];
    list.push({ at, done });
    // Keep one sample at or before the window's start, so the window spans the whole interval.
    while (list.length > 2 && list[1].at <= at - this.windowMs) list.shift();
    this.samples.set(step, list);
    const first = list[0];
    const span = at - first.at;
    if (span < MIN_RATE_SPAN_MS) return undefined;
    return ((done - first.done) * 1000) / span;
  }
}

/** A step's average rate from its first to its last outcome; undefined when that span is under a second. */
export function averageRate(p: TaskStatus['progress'][number] | undefined): number | undefined {
  if (!p?.firstAt || !p.lastAt) return undefined;
  const span = new Date(p.lastAt).getTime() - new Date(p.firstAt).getTime();
  return span >= MIN_RATE_SPAN_MS ? (doneOf(p) * 1000) / span : undefined;
}

const formatRate = (rate: number | undefined): string =>
  rate === undefined ? '' : `  ${rate >= 10 ? rate.toFixed(0) : rate.toFixed(1)} rec/s`;

/** The bars: a title line, then one line per step of the plan. `rates`: each step's current rate (else its average). */
export function renderProgress(s: TaskStatus, rates?: Map<string, number | undefined>): string[] {
  const total = s.task.expectedTotal;
  const lines = [
    `task ${s.task.taskId}  dataset ${s.task.datasetId}  ${s.task.state}${s.task.listingDone ? '' : ' (listing)'}  ${s.durationSeconds?.toFixed(1)} s`,
  ];
  const byStep = new Map(s.progress.map((p) => [p.step, p]));
  for (const step of s.task.plan) {
    const p = byStep.get(step);
    const done = doneOf(p);
    const frac = total ? Math.min(1, done / total) : 0;
    const filled = Math.round(frac * BAR);
    const bar = total ? '█'.repeat(filled) + '░'.repeat(BAR - filled) : '·'.repeat(BAR);
    const rate = rates ? rates.get(step) : averageRate(p);
    lines.push(
      `  ${step.padEnd(18)} ${bar} ${String(done).padStart(6)}/${total ?? '?'}  ok ${p?.success ?? 0}  warn ${p?.warn ?? 0}  fail ${p?.fail ?? 0}${p?.cancelled ? `  cancelled ${p.cancelled}` : ''}${formatRate(rate)}`,
    );
  }
  return lines;
}

/** What the summary knows besides the task's status. */
export interface SummaryFacts {
  /** Entities in the built-in entity store (undefined: not known, e.g. the Entity API was used). */
  entityCount?: number;
  /** Most groups printed per step (default 6); `report` prints every one. */
  groupsPerStep?: number;
  /** Problem patterns of the task (Sandbox data-quality warnings), when stored. */
  patterns?: Array<{ patternId: string; title: string; recordCount: number; sampleIds: string[] }>;
}

export function renderSummary(s: TaskStatus, where: string, facts: SummaryFacts = {}): string {
  const out = ['', ...renderProgress(s), ''];
  if (s.task.reason) out.push(`reason: ${s.task.reason}`);
  out.push(...renderErrorGroups(s, facts.groupsPerStep ?? 6));
  out.push(...renderTiers(s.tiers));
  if (facts.patterns && facts.patterns.length > 0) {
    out.push('problem patterns (records):');
    for (const p of facts.patterns)
      out.push(`  ${p.patternId} ${p.title}: ${p.recordCount}   e.g. ${p.sampleIds.slice(0, 3).join(', ')}`);
  }
  const blocked = explainBlocked(s, facts);
  if (blocked.length > 0) out.push(...blocked);
  out.push(`results: ${where}`);
  return out.join('\n');
}

const cut = (text: string, max = 160): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Each step's groups (by cause and host), largest first, in the plan's order. */
export function renderErrorGroups(s: TaskStatus, perStep: number): string[] {
  if (s.errors.length === 0) return [];
  const groups = groupByCause(s.errors);
  const out = [
    `errors and warnings by step (${groups.length} groups; every group: metis-streams report ${s.task.taskId}):`,
  ];
  const steps = [...new Set([...s.task.plan, ...groups.map((g) => g.step)])];
  for (const step of steps) {
    const mine = groups.filter((g) => g.step === step);
    if (mine.length === 0) continue;
    out.push(`  ${step}:`);
    for (const g of mine.slice(0, perStep)) out.push(...renderGroup(g));
    if (mine.length > perStep)
      out.push(`    … ${mine.length - perStep} more groups (metis-streams report ${s.task.taskId} --step ${step})`);
  }
  return out;
}

function renderGroup(g: CauseGroup): string[] {
  const lines = [`    ${g.level} ×${g.count}: ${cut(g.cause)}`];
  const samples = [`e.g. ${g.sampleIds.slice(0, 3).join(', ')}`];
  if (g.sampleUrl) samples.push(`URL e.g. ${g.sampleUrl}`);
  lines.push(`        ${samples.join('; ')}`);
  return lines;
}

const CONTENT_TIERS = ['0', '1', '2', '3', '4'];
const METADATA_TIERS = ['0', 'A', 'B', 'C'];

/** Every content and metadata tier, zeros included, then the combinations found. */
export function renderTiers(tiers: TaskStatus['tiers']): string[] {
  if (tiers.length === 0) return ['tiers: no record reached the tier calculation (preview or publish)'];
  const sum = (pick: (t: TaskStatus['tiers'][number]) => string, value: string) =>
    tiers.filter((t) => pick(t) === value).reduce((n, t) => n + t.count, 0);
  const content = CONTENT_TIERS.map((t) => `${t}: ${sum((x) => x.contentTier, t)}`).join('  ');
  const metadata = METADATA_TIERS.map((t) => `${t}: ${sum((x) => x.metadataTier, t)}`).join('  ');
  return [
    `tiers of every record that reached the tier calculation (${tiers.reduce((n, t) => n + t.count, 0)}):`,
    `  content tier   ${content}`,
    `  metadata tier  ${metadata}`,
    `  content / metadata → records: ${tiers.map((t) => `${t.contentTier}/${t.metadataTier} → ${t.count}`).join(', ')}`,
  ];
}

const NOT_SUITABLE = /not suitable for publication/i;
const ENTITY_MISS = /Could not find an entity|entity does not exist/i;

/**
 * One line (or two) saying what kept records from being published: records that failed before the
 * publish step, tier 0 (and the media warnings that explain it), enrichment against an empty store.
 */
export function explainBlocked(s: TaskStatus, facts: SummaryFacts = {}): string[] {
  const out: string[] = [];
  const byStep = new Map(s.progress.map((p) => [p.step, p]));
  const last = s.task.plan.filter((p) => p !== 'linkcheck').at(-1);
  const end = last ? byStep.get(last) : undefined;
  if (!last || !end) return out;
  const processed = s.task.expectedTotal ?? doneOf(byStep.get(s.task.plan[0]));
  const reached = end.success + end.warn;
  if (reached < processed && s.task.state === 'completed') {
    const failedBefore = s.task.plan
      .filter((step) => step !== last)
      .map((step) => [step, byStep.get(step)?.fail ?? 0] as const)
      .filter(([, n]) => n > 0);
    const parts: string[] = [];
    if (failedBefore.length > 0) parts.push(`${failedBefore.map(([step, n]) => `${n} failed at ${step}`).join(', ')}`);
    const tier0 = s.errors
      .filter((e) => e.step === last && NOT_SUITABLE.test(e.message))
      .reduce((n, e) => n + e.count, 0);
    if (tier0 > 0) {
      const media = groupByCause(s.errors.filter((e) => e.step === 'media'));
      const cause = media[0]
        ? `; the commonest media problem: ${cut(media[0].cause, 100)} (${media[0].count} records)`
        : '';
      parts.push(`${tier0} in content tier 0 (no media that could be fetched and processed${cause})`);
    }
    const otherFails = end.fail - tier0;
    if (otherFails > 0) parts.push(`${otherFails} failed at ${last}`);
    if (parts.length > 0)
      out.push(
        `not ${last === 'publish' ? 'published' : `past ${last}`}: ${processed - reached} of ${processed} records: ${parts.join('; ')}`,
      );
  }
  const misses = s.errors
    .filter((e) => e.step === 'enrich' && ENTITY_MISS.test(e.message))
    .reduce((n, e) => n + e.count, 0);
  if (facts.entityCount === 0 && s.task.plan.includes('enrich'))
    out.push(
      `enrichment ran against an empty entity store${misses > 0 ? ` (${misses} lookups found nothing)` : ''}: give --entities FILE or --entity-api URL`,
    );
  return out;
}

/** Draws progress until stopped. */
export function startProgressDisplay(stream: NodeJS.WriteStream = process.stderr): {
  update(s: TaskStatus): void;
  /** Ends the display; on a terminal the last frame shows the final counts (and no stale lines stay). */
  stop(final?: TaskStatus): void;
} {
  const tty = stream.isTTY === true;
  const rates = new RateWindow();
  let drawn = 0;
  let lastPrint = 0;
  let stopped = false;
  const frame = (s: TaskStatus): string[] => {
    const now = Date.now();
    const current = new Map<string, number | undefined>();
    for (const step of s.task.plan)
      current.set(step, rates.sample(step, doneOf(s.progress.find((p) => p.step === step)), now));
    return renderProgress(s, current);
  };
  const draw = (lines: string[]) => {
    // A line wider than the terminal wraps into two, and the cursor would go back too few lines: cut it.
    const width = Math.max(20, (stream.columns ?? 200) - 1);
    const fitted = lines.map((l) => (l.length > width ? l.slice(0, width - 1) + '…' : l));
    // Back to the frame's first line, clear from there to the end of the screen, draw.
    stream.write(`${drawn > 0 ? `\x1b[${drawn}F` : ''}\x1b[J${fitted.join('\n')}\n`);
    drawn = fitted.length;
  };
  return {
    update(s) {
      if (stopped) return;
      const lines = frame(s);
      if (tty) draw(lines);
      else if (Date.now() - lastPrint > 3000) {
        lastPrint = Date.now();
        stream.write(lines.join('\n') + '\n');
      }
    },
    stop() {
      if (stopped) return;
      stopped = true;
      // The summary repeats the final bars: the live frame is cleared so no frame is left half drawn.
      if (tty && drawn > 0) stream.write(`\x1b[${drawn}F\x1b[J`);
      drawn = 0;
    },
  };
}

export type { ErrorGroup };
