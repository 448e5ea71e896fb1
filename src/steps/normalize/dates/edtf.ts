/**
 * The EDTF date model used by date normalization (Metis `dates/edtf/*`): instants with year, decade or
 * century precision, intervals of two instants, their EDTF notation, their first and last day, and the
 * validation rules Metis applies when it builds a date (no future dates, valid month/day, a "strict"
 * profile for generic properties such as dc:subject).
 */

/** How much of the year is known: `1989`, `198X` (decade) or `19XX` (century). */
export type YearPrecision = 'year' | 'decade' | 'century';

export interface Qualifiers {
  uncertain: boolean;
  approximate: boolean;
}

/** One point in time. `boundary` other than `declared` is an open (`..`) end of an interval. */
export interface EdtfInstant {
  kind: 'instant';
  boundary: 'declared' | 'open';
  /** The full year (a century-precision `18XX` stores 1800, a decade `180X` stores 1800). */
  year: number;
  month?: number;
  day?: number;
  precision: YearPrecision;
  qualifiers: Qualifiers;
}

export interface EdtfInterval {
  kind: 'interval';
  start: EdtfInstant;
  end: EdtfInstant;
}

export type EdtfDate = EdtfInstant | EdtfInterval;

/** Thrown by the builders when a value cannot become a valid date; extractors turn it into "no match". */
export class DateRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DateRejected';
  }
}

/** Years with more than four digits must be written with EDTF's `Y` prefix. */
export const MAX_FOUR_DIGIT_YEAR = 9999;

const PRECISION_YEARS: Record<YearPrecision, number> = { year: 1, decade: 10, century: 100 };

export interface InstantSpec {
  /** The year prefix: 1989, or 198 with decade precision, or 18 with century precision. */
  year: number;
  month?: number;
  day?: number;
  precision?: YearPrecision;
  uncertain?: boolean;
  /** Metis's "flexible build": swap an invalid month/day pair, and skip the strict profile. */
  flexible?: boolean;
  /** Allows |year| > 9999 (the `Y` notation and the long negative year extractors). */
  longYear?: boolean;
}

/** The "today" against which future dates are rejected. */
export interface DateClock {
  today: { year: number; month: number; day: number };
}

/** A clock for the given moment (UTC calendar date). */
export function clockAt(now: Date): DateClock {
  return { today: { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, day: now.getUTCDate() } };
}

/**
 * Builds a validated instant like Metis's InstantEdtfDateBuilder: year range, month 1–12, a day that
 * exists in that month (proleptic Gregorian), not in the future, and, unless `flexible`, the strict
 * profile (a complete, certain, year-precision date). When the first attempt fails and both month and
 * day are given, a flexible build retries with month and day swapped.
 * Throws DateRejected("Could not instantiate date") when no attempt succeeds.
 */
export function buildInstant(spec: InstantSpec, clock: DateClock): EdtfInstant {
  const flexible = spec.flexible ?? true;
  const first = tryBuild(spec, spec.month, spec.day, flexible, clock);
  if (first) return first;
  if (flexible && (spec.month ?? 0) > 0 && (spec.day ?? 0) > 0) {
    const swapped = tryBuild(spec, spec.day, spec.month, flexible, clock);
    if (swapped) return swapped;
  }
  throw new DateRejected('Could not instantiate date');
}

function tryBuild(
  spec: InstantSpec,
  month: number | undefined,
  day: number | undefined,
  flexible: boolean,
  clock: DateClock,
): EdtfInstant | undefined {
  const precision = spec.precision ?? 'year';
  const longYear = spec.longYear ?? false;
  if (!Number.isInteger(spec.year)) return undefined;
  if (!longYear && Math.abs(spec.year) > MAX_FOUR_DIGIT_YEAR) return undefined;
  if (longYear && Math.abs(spec.year) <= MAX_FOUR_DIGIT_YEAR) return undefined;
  const year = spec.year * PRECISION_YEARS[precision];
  const m = month !== undefined && month > 0 ? month : undefined;
  const d = m !== undefined && day !== undefined && day > 0 ? day : undefined;
  if (m !== undefined && m > 12) return undefined;
  if (d !== undefined && d > daysInMonth(year, m!)) return undefined;
  if (isInFuture(year, m, d, clock)) return undefined;
  const uncertain = spec.uncertain ?? false;
  // The strict profile (generic properties): only complete, certain, year-precision dates.
  if (!longYear && !flexible && (uncertain || precision !== 'year' || m === undefined || d === undefined))
    return undefined;
  return {
    kind: 'instant',
    boundary: 'declared',
    year,
    month: m,
    day: d,
    precision,
    qualifiers: { uncertain, approximate: false },
  };
}

function isInFuture(year: number, month: number | undefined, day: number | undefined, clock: DateClock): boolean {
  const t = clock.today;
  if (year !== t.year) return year > t.year;
  if (month === undefined) return false;
  if (month !== t.month) return month > t.month;
  return day !== undefined && day > t.day;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
}

/** The open boundary (`..`) of an interval. */
export function openInstant(): EdtfInstant {
  return {
    kind: 'instant',
    boundary: 'open',
    year: 0,
    precision: 'year',
    qualifiers: { uncertain: false, approximate: false },
  };
}

/**
 * Builds an interval like Metis's IntervalEdtfDateBuilder: at least one end declared; when both are,
 * the start must not be after the end. With `allowSwap` a reversed interval is swapped.
 * Throws DateRejected when invalid.
 */
export function buildInterval(start: EdtfInstant, end: EdtfInstant, allowSwap: boolean): EdtfInterval {
  if (isValidInterval(start, end)) return { kind: 'interval', start, end };
  if (allowSwap && isValidInterval(end, start)) return { kind: 'interval', start: end, end: start };
  throw new DateRejected('Could not instantiate date');
}

function isValidInterval(start: EdtfInstant, end: EdtfInstant): boolean {
  const startDeclared = start.boundary === 'declared';
  const endDeclared = end.boundary === 'declared';
  if (startDeclared && endDeclared) return compareInstants(start, end) <= 0;
  return startDeclared || endDeclared;
}

/** Compares by year, then month when both have one, then day when both have one. */
function compareInstants(a: EdtfInstant, b: EdtfInstant): number {
  if (a.year !== b.year) return a.year < b.year ? -1 : 1;
  if (a.month === undefined || b.month === undefined || a.month === b.month) {
    if (a.month === undefined || b.month === undefined || a.day === undefined || b.day === undefined) return 0;
    return Math.sign(a.day - b.day);
  }
  return Math.sign(a.month - b.month);
}

/** Adds a qualifier to an instant or to both ends of an interval (used for circa → approximate). */
export function addQualifier(date: EdtfDate, q: keyof Qualifiers): void {
  if (date.kind === 'instant') date.qualifiers[q] = true;
  else {
    date.start.qualifiers[q] = true;
    date.end.qualifiers[q] = true;
  }
}

/** The union of the qualifiers of a date (both ends for an interval). */
export function qualifiersOf(date: EdtfDate): Qualifiers {
  if (date.kind === 'instant') return { ...date.qualifiers };
  return {
    uncertain: date.start.qualifiers.uncertain || date.end.qualifiers.uncertain,
    approximate: date.start.qualifiers.approximate || date.end.qualifiers.approximate,
  };
}

/** EDTF notation: `1989-11-01`, `-0500`, `18XX`, `180X?`, `1950~`, `Y-12345`, `1426/1450`, `../1989`. */
export function formatEdtf(date: EdtfDate): string {
  if (date.kind === 'interval') return `${formatEdtf(date.start)}/${formatEdtf(date.end)}`;
  let s: string;
  if (date.boundary !== 'declared') s = '..';
  else if (Math.abs(date.year) > MAX_FOUR_DIGIT_YEAR) s = `Y${date.year}`;
  else {
    const padded = String(Math.abs(date.year)).padStart(4, '0');
    const unknownDigits = date.precision === 'century' ? 2 : date.precision === 'decade' ? 1 : 0;
    s = (date.year < 0 ? '-' : '') + padded.slice(0, 4 - unknownDigits) + 'X'.repeat(unknownDigits);
    if (date.month !== undefined) s += '-' + String(date.month).padStart(2, '0');
    if (date.day !== undefined) s += '-' + String(date.day).padStart(2, '0');
  }
  const { uncertain, approximate } = date.qualifiers;
  return s + (uncertain && approximate ? '%' : uncertain ? '?' : approximate ? '~' : '');
}

/**
 * The first day of a date: a complete date as is, `1989-11` → 1989-11-01, `1900` → 1900-01-01,
 * decade `190X` → 1900-01-01, century `19XX` → 1901-01-01 (numbered-century convention: 19XX is the
 * 20th century). Undefined for an open end, or when that day would be rejected (in the future).
 */
export function firstDay(date: EdtfDate, clock: DateClock): EdtfInstant | undefined {
  if (date.kind === 'interval') return firstDay(date.start, clock);
  if (date.boundary !== 'declared') return undefined;
  if (date.year < -MAX_FOUR_DIGIT_YEAR) return safeBuild({ year: date.year, longYear: true }, clock);
  if (date.day !== undefined) return safeBuild({ year: date.year, month: date.month, day: date.day }, clock);
  if (date.month !== undefined) return safeBuild({ year: date.year, month: date.month, day: 1 }, clock);
  return safeBuild({ year: date.year + (date.precision === 'century' ? 1 : 0), month: 1, day: 1 }, clock);
}

/**
 * The last day of a date: `1989-11` → 1989-11-30, `1900` → 1900-12-31, decade `190X` → 1909-12-31,
 * century `19XX` → 2000-12-31. Undefined for an open end or when that day is in the future (as in
 * Metis, the current year's last day is rejected, so such a TimeSpan has no edm:end).
 */
export function lastDay(date: EdtfDate, clock: DateClock): EdtfInstant | undefined {
  if (date.kind === 'interval') return lastDay(date.end, clock);
  if (date.boundary !== 'declared') return undefined;
  if (date.year < -MAX_FOUR_DIGIT_YEAR) return safeBuild({ year: date.year, longYear: true }, clock);
  if (date.day !== undefined) return safeBuild({ year: date.year, month: date.month, day: date.day }, clock);
  if (date.month !== undefined)
    return safeBuild({ year: date.year, month: date.month, day: daysInMonth(date.year, date.month) }, clock);
  const extra = date.precision === 'century' ? 100 : date.precision === 'decade' ? 9 : 0;
  return safeBuild({ year: date.year + extra, month: 12, day: 31 }, clock);
}

function safeBuild(spec: InstantSpec, clock: DateClock): EdtfInstant | undefined {
  try {
    return buildInstant(spec, clock);
  } catch {
    return undefined;
  }
}

/** The numbered century of a (boundary) year: 1900 → 19, 1901 → 20, -5300 → -53. */
export function centuryOf(instant: EdtfInstant): number {
  const division = Math.trunc(instant.year / 100);
  return instant.year % 100 === 0 ? division : division + 1;
}
