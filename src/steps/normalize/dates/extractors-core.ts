/**
 * Date extractors for compact notations (Metis `dates/extraction/extractors/*`): brief ranges, EDTF and
 * EDTF ranges, numeric and Roman centuries, decades, and long negative years.
 */
import {
  buildInstant,
  buildInterval,
  DateRejected,
  MAX_FOUR_DIGIT_YEAR,
  openInstant,
  type DateClock,
  type EdtfInstant,
} from './edtf.ts';
import { instantOf, isUncertain, S, splitInTwo, type DateExtractor, type ExtractContext } from './extractor-support.ts';

const Q = '\\??';

// ---- brief range: 1857-90, 1989/90? ----

const BRIEF_YEAR = new RegExp(`^${Q}(-?\\d{2,4})${Q}$`);

function briefYear(value: string, ctx: ExtractContext): EdtfInstant | undefined {
  const m = BRIEF_YEAR.exec(value);
  if (!m) return undefined;
  return buildInstant({ year: parseInt(m[1], 10), uncertain: isUncertain(value), flexible: ctx.flexible }, ctx.clock);
}

const digitCount = (n: number) => String(Math.abs(n)).length;

/**
 * A range whose end has only two digits (`1857-90` → 1857/1890). The end must be above 12 (so that
 * `1989-11` stays a month) and above the start's last two digits. Date properties only.
 */
export const briefRange: DateExtractor = {
  id: 'BRIEF_RANGE',
  extract(value, ctx) {
    for (const separator of ['/', '-']) {
      const parts = splitInTwo(value, separator);
      if (!parts) continue;
      const start = briefYear(parts[0], ctx);
      if (!start || digitCount(start.year) <= 2) continue;
      const endShort = briefYear(parts[1], ctx);
      if (!endShort) continue;
      const startLastTwo = start.year % 100;
      if (digitCount(endShort.year) !== 2 || Math.abs(endShort.year) <= 12 || !(startLastTwo < endShort.year)) continue;
      const endYear = Math.trunc(start.year / 100) * 100 + endShort.year;
      const end = buildInstant(
        { year: endYear, uncertain: endShort.qualifiers.uncertain, flexible: ctx.flexible },
        ctx.clock,
      );
      return { extractor: 'BRIEF_RANGE', date: buildInterval(start, end, ctx.flexible) };
    }
    return undefined;
  },
};

// ---- EDTF (level 0/1 subset) and ISO 8601 date part ----

const ISO_DATE = /^([+-]?\d{4,})(?:-(\d{2})(?:-(\d{2}))?)?$/;
const LONG_YEAR = /^Y(-?\d+)$/;

/**
 * One EDTF date: `1989`, `1989-11`, `1989-11-01` (a time part after `T` is discarded), `-0050`, with one
 * trailing qualifier `?` (uncertain), `~` (approximate) or `%` (both); `Y-12345` for long years.
 * Seasons and unspecified digits (`19XX`) are not EDTF here (other extractors take them).
 */
export function parseEdtfInstant(value: string, ctx: ExtractContext): EdtfInstant | undefined {
  const long = LONG_YEAR.exec(value);
  if (long) {
    const year = Number(long[1]);
    if (!Number.isSafeInteger(year) || Math.abs(year) <= MAX_FOUR_DIGIT_YEAR) return undefined;
    return buildInstant({ year, longYear: true, flexible: ctx.flexible }, ctx.clock);
  }
  let body = value;
  const last = value.charAt(value.length - 1);
  const qualifier = last === '?' || last === '~' || last === '%' ? last : '';
  if (qualifier) body = value.slice(0, -1);
  const t = body.indexOf('T');
  if (t >= 0) {
    body = body.slice(0, t);
    if (body === '') return undefined;
  }
  const m = ISO_DATE.exec(body);
  if (!m) return undefined;
  const year = parseInt(m[1], 10);
  if (Math.abs(year) > MAX_FOUR_DIGIT_YEAR)
    throw new DateRejected('EDTF years with more than four digits require the Y prefix');
  const month = m[2] === undefined ? undefined : parseInt(m[2], 10);
  const day = m[3] === undefined ? undefined : parseInt(m[3], 10);
  // ISO parsing is strict: month 00 or day 00 is not a date (no swap either).
  if (month !== undefined && (month < 1 || month > 12)) return undefined;
  if (day !== undefined && day < 1) return undefined;
  const instant = buildInstant(
    { year, month, day, uncertain: qualifier === '?' || qualifier === '%', flexible: ctx.flexible },
    ctx.clock,
  );
  if (month !== undefined && day !== undefined && instant.month !== month) return undefined; // ISO never swaps
  instant.qualifiers.approximate = qualifier === '~' || qualifier === '%';
  return instant;
}

export const edtf: DateExtractor = {
  id: 'EDTF',
  extract(value, ctx) {
    const date = parseEdtfInstant(value, ctx);
    return date && { extractor: 'EDTF', date };
  },
};

/** `a/b` with EDTF ends; an empty end is unknown and `..` is open (both written `..`). */
export const edtfRange: DateExtractor = {
  id: 'EDTF_RANGE',
  extract(value, ctx) {
    const parts = splitInTwo(value, '/');
    if (!parts) return undefined;
    const ends = parts.map((p) => (p === '' || p === '..' ? openInstant() : parseEdtfInstant(p, ctx)));
    if (!ends[0] || !ends[1]) return undefined;
    return { extractor: 'EDTF_RANGE', date: buildInterval(ends[0], ends[1], ctx.flexible) };
  },
};

// ---- centuries ----

/** A numbered century must be ≥ 1, fit in four digits and have started. */
function validateCentury(century: number, clock: DateClock): void {
  if (century < 1) throw new DateRejected('Century number must be positive');
  const firstYear = (century - 1) * 100 + 1;
  if (firstYear > MAX_FOUR_DIGIT_YEAR) throw new DateRejected('Century exceeds four-digit years');
  if (firstYear > clock.today.year) throw new DateRejected('Century has not started yet');
}

const CENTURY_DOTS = new RegExp(`^${Q}([1-9]\\d)\\.{2}${Q}$`);
const CENTURY_ENGLISH = new RegExp(`^${Q}([1-9]\\d*|0)(st|nd|rd|th)?${S}century${Q}$`, 'i');

function ordinalSuffix(n: string): string {
  if (/1[123]$/.test(n)) return 'th';
  return { '1': 'st', '2': 'nd', '3': 'rd' }[n.charAt(n.length - 1)] ?? 'th';
}

/** `18..` → 18XX; `19th century` → 18XX (the 19th century's year prefix is 18). */
export const centuryNumeric: DateExtractor = {
  id: 'CENTURY_NUMERIC',
  extract(value, ctx) {
    let prefix: number;
    const dots = CENTURY_DOTS.exec(value);
    if (dots) prefix = parseInt(dots[1], 10);
    else {
      const english = CENTURY_ENGLISH.exec(value);
      if (!english) return undefined;
      const n = parseInt(english[1], 10);
      if (!Number.isSafeInteger(n)) throw new DateRejected('Century number is too large');
      if (english[2] && english[2].toLowerCase() !== ordinalSuffix(english[1]))
        throw new DateRejected('Invalid ordinal suffix');
      validateCentury(n, ctx.clock);
      prefix = n - 1;
    }
    const date = buildInstant(
      { year: prefix, precision: 'century', uncertain: isUncertain(value), flexible: ctx.flexible },
      ctx.clock,
    );
    return { extractor: 'CENTURY_NUMERIC', date };
  },
};

const ROMAN_CENTURY = new RegExp(`^${Q}(?:(?:s|sec|saec)${S}|(?:s|sec|saec)\\.${S}?)?([MDCLXVI]+)${Q}$`, 'i');
const ROMAN_NUMERAL = /^M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})$/i;
const ROMAN_VALUES: Record<string, number> = { I: 1, V: 5, X: 10, L: 50, C: 100, D: 500, M: 1000 };

/** Value of a well-formed Roman numeral. */
export function romanToNumber(roman: string): number {
  let total = 0;
  const s = roman.toUpperCase();
  for (let i = 0; i < s.length; i++) {
    const v = ROMAN_VALUES[s[i]];
    const next = ROMAN_VALUES[s[i + 1]] ?? 0;
    total += v < next ? -v : v;
  }
  return total;
}

function romanCentury(value: string, ctx: ExtractContext): EdtfInstant | undefined {
  const m = ROMAN_CENTURY.exec(value);
  if (!m || !ROMAN_NUMERAL.test(m[1])) return undefined;
  const n = romanToNumber(m[1]);
  validateCentury(n, ctx.clock);
  // Metis builds Roman centuries without the strict profile, even for generic properties.
  return buildInstant({ year: n - 1, precision: 'century', uncertain: isUncertain(value) }, ctx.clock);
}

/** `XIX`, `s. XIX`, `saec. XIX` → 18XX (centuries I–XXI that have started). */
export const centuryRoman: DateExtractor = {
  id: 'CENTURY_ROMAN',
  extract(value, ctx) {
    const date = romanCentury(value, ctx);
    return date && { extractor: 'CENTURY_ROMAN', date };
  },
};

/** `XVIII-XIX` → 17XX/18XX. */
export const centuryRomanRange: DateExtractor = {
  id: 'CENTURY_ROMAN_RANGE',
  extract(value, ctx) {
    const parts = splitInTwo(value, '-');
    if (!parts) return undefined;
    const start = romanCentury(parts[0], ctx);
    const end = start && romanCentury(parts[1], ctx);
    if (!start || !end) return undefined;
    return { extractor: 'CENTURY_ROMAN_RANGE', date: buildInterval(start, end, ctx.flexible) };
  },
};

// ---- decades ----

const DECADE = /^\??(\d{3})(?:[XU]\??|\?\?)$/i;

/** `180u`, `180x`, `?180x`, `180x?`, `180??` → 180X (with `?` → uncertain). */
export const decade: DateExtractor = {
  id: 'DECADE',
  extract(value, ctx) {
    const m = DECADE.exec(value);
    if (!m) return undefined;
    const date = buildInstant(
      { year: parseInt(m[1], 10), precision: 'decade', uncertain: isUncertain(value), flexible: ctx.flexible },
      ctx.clock,
    );
    return { extractor: 'DECADE', date };
  },
};

// ---- long negative years ----

const LONG_NEGATIVE = /^(-?\d{5,9})$/;

function longNegativeYear(value: string, ctx: ExtractContext): EdtfInstant | undefined {
  const m = LONG_NEGATIVE.exec(value);
  if (!m) return undefined;
  const year = parseInt(m[1], 10);
  if (Math.abs(year) <= MAX_FOUR_DIGIT_YEAR) throw new DateRejected('Long years must be beyond four digits');
  return buildInstant({ year, longYear: true, flexible: ctx.flexible }, ctx.clock);
}

/** A year of 5–9 digits (archaeology): `-12345` → Y-12345. Positive ones are in the future. */
export const longNegativeYearExtractor: DateExtractor = {
  id: 'LONG_NEGATIVE_YEAR',
  extract(value, ctx) {
    const date = longNegativeYear(value, ctx);
    return date && { extractor: 'LONG_NEGATIVE_YEAR', date };
  },
};

/** `-12345/-12344` → Y-12345/Y-12344 (slash only: a dash would be ambiguous with the sign). */
export const longNegativeYearRange: DateExtractor = {
  id: 'LONG_NEGATIVE_YEAR_RANGE',
  extract(value, ctx) {
    const parts = splitInTwo(value, '/');
    if (!parts) return undefined;
    const start = longNegativeYear(parts[0], ctx);
    const end = start && instantOf(longNegativeYearExtractor.extract(parts[1], ctx));
    if (!start || !end) return undefined;
    return { extractor: 'LONG_NEGATIVE_YEAR_RANGE', date: buildInterval(start, end, ctx.flexible) };
  },
};
