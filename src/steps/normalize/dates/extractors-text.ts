/**
 * Date extractors for written-out notations (Metis `dates/extraction/extractors/*`): numeric dates with
 * various separators (and their ranges), DCMI periods, month names in the 24 EU languages, full
 * date-times, and years with a BC/AD era (and their ranges). One file, though over 300 lines: each
 * extractor is a short regex-and-build pair in Metis's order, and the order is part of the rule.
 */
import {
  buildInstant,
  buildInterval,
  DateRejected,
  MAX_FOUR_DIGIT_YEAR,
  openInstant,
  type EdtfInstant,
  type YearPrecision,
} from './edtf.ts';
import { instantOf, S, splitInTwo, type DateExtractor, type ExtractContext } from './extractor-support.ts';
import { parseEdtfInstant } from './extractors-core.ts';
import { alternation, localeWords } from './locale-words.ts';

// ---- numeric parts: 1989-11-01, 01.11.1989, 1989/11, 18XX, 1989 11 01 ----

type Variant = 'all' | 'xx' | 'spaces';
interface NumericPattern {
  regex: RegExp;
  ymd: boolean;
}

function numericPattern(delimiters: string, variant: Variant, ymd: boolean): NumericPattern {
  let year: string;
  let delimDigits: string;
  let digitsDelim: string;
  if (variant === 'all') {
    year = '(\\d{3}(?!\\?)|\\d{4})';
    delimDigits = `(?:${delimiters}(\\d{1,2}))?`;
    digitsDelim = `(?:(\\d{1,2})${delimiters})?`;
  } else if (variant === 'xx') {
    year = '(\\d{2}(?:XX|UU|--|\\?\\?)|\\d{3}(?!\\?)[XU]|\\d{4})';
    delimDigits = `(?:${delimiters}(\\d{2}|XX|UU|(?<!-)--|\\?\\?))?`;
    digitsDelim = `(?:(\\d{2}|XX|UU|--(?!-)|\\?\\?)${delimiters})?`;
  } else {
    year = '(\\d{4})';
    delimDigits = `${delimiters}(\\d{1,2})`;
    digitsDelim = `(\\d{1,2})${delimiters}`;
  }
  const body = ymd ? year + delimDigits + delimDigits : digitsDelim + digitsDelim + year;
  return { regex: new RegExp(`^\\??${body}\\??$`, 'i'), ymd };
}

const ANY_DELIMITER = '[\\-./]';
/** The single-date patterns, in Metis's order: YMD, DMY, their XX variants, then space-separated. */
const NUMERIC_PATTERNS: NumericPattern[] = [
  numericPattern(ANY_DELIMITER, 'all', true),
  numericPattern(ANY_DELIMITER, 'all', false),
  numericPattern(ANY_DELIMITER, 'xx', true),
  numericPattern(ANY_DELIMITER, 'xx', false),
  numericPattern(' ', 'spaces', true),
  numericPattern(' ', 'spaces', false),
];

/** Range separators, the date delimiters allowed inside each end, and what marks an open end. */
const RANGE_SEPARATORS: Array<{
  separator: string;
  delimiters: string;
  open: RegExp | undefined;
  patterns: NumericPattern[];
}> = [
  { separator: ' - ', delimiters: ANY_DELIMITER, open: /^(?:\?|-|\.\.)$/ },
  { separator: ' ', delimiters: ANY_DELIMITER, open: undefined },
  { separator: '-', delimiters: '[./]', open: /^(?:\?|\.\.)$/ },
  { separator: '/', delimiters: '[\\-.]', open: /^(?:\?|-|\.\.)$/ },
].map((r) => ({
  ...r,
  patterns: [
    numericPattern(r.delimiters, 'all', true),
    numericPattern(r.delimiters, 'all', false),
    numericPattern(r.delimiters, 'xx', true),
    numericPattern(r.delimiters, 'xx', false),
  ],
}));

const STARTS_UNCERTAIN = /^(?:\?(?!\?)|\?{3})/;
const ENDS_UNCERTAIN = /(?:(?<!\?)\?|\?{3})$/;
const PRECISION_BY_UNKNOWN_DIGITS: YearPrecision[] = ['year', 'decade', 'century'];

/** Digits of a part without the unknown markers X, U, ?, - ("0" when nothing is left). */
const known = (part: string | undefined) => (part ?? '').toUpperCase().replace(/[XU?-]/g, '') || '0';

function numericParts(value: string, patterns: NumericPattern[], ctx: ExtractContext): EdtfInstant | undefined {
  for (const { regex, ymd } of patterns) {
    const m = regex.exec(value);
    if (!m) continue;
    // The first pattern that matches decides, whether or not its date is valid (as in Metis).
    const [yearPart, monthPart, dayPart] = ymd
      ? [m[1], m[2], m[3]]
      : [m[3], m[2] ?? m[1], m[2] !== undefined ? m[1] : undefined];
    const yearDigits = known(yearPart);
    const precision = PRECISION_BY_UNKNOWN_DIGITS[yearPart.length - yearDigits.length];
    if (!precision) throw new DateRejected('Too many unknown year digits');
    return buildInstant(
      {
        year: parseInt(yearDigits, 10),
        precision,
        month: parseInt(known(monthPart), 10),
        day: parseInt(known(dayPart), 10),
        uncertain: STARTS_UNCERTAIN.test(value) || ENDS_UNCERTAIN.test(value),
        flexible: ctx.flexible,
      },
      ctx.clock,
    );
  }
  return undefined;
}

/** Numeric dates: `1989-11-01`, `01.11.1989`, `11/1989`, `1989 11 01`, `18XX`, `198-?`… */
export const numericPartsExtractor: DateExtractor = {
  id: 'NUMERIC_PARTS',
  extract(value, ctx) {
    const date = numericParts(value, NUMERIC_PATTERNS, ctx);
    return date && { extractor: 'NUMERIC_PARTS', date };
  },
};

/** Numeric ranges: `1989-11-01 - 1990`, `01.11.1989-02.12.1990`, `1900?-1910?`, `1989/?` (open end). */
export const numericPartsRange: DateExtractor = {
  id: 'NUMERIC_PARTS_RANGE',
  extract(value, ctx) {
    for (const range of RANGE_SEPARATORS) {
      const parts = splitInTwo(value, range.separator);
      if (!parts) continue;
      const [start, end] = parts.map((p) =>
        range.open && range.open.test(p) ? openInstant() : numericParts(p, range.patterns, ctx),
      );
      if (!start || !end) continue;
      // `198-?` is ambiguous (a decade, or an open range from 198): not a date.
      if (
        range.separator === '-' &&
        start.boundary === 'declared' &&
        /^\d{3}$/.test(String(start.year)) &&
        end.boundary === 'open'
      )
        continue;
      return { extractor: 'NUMERIC_PARTS_RANGE', date: buildInterval(start, end, ctx.flexible) };
    }
    return undefined;
  },
};

// ---- DCMI period: name=…; start=…; end=…; scheme=W3C-DTF ----

const FIELD = `${S}?=${S}?([^\\s;]*|[^\\s$]*)${S}?(?:;|$)`;
const DCMI_SCHEME = new RegExp(`scheme${FIELD}`, 'g');
const DCMI_START = new RegExp(`start${FIELD}`, 'g');
const DCMI_END = new RegExp(`end${FIELD}`, 'g');
const DCMI_NAME = new RegExp(`name${S}?=${S}?([^;]*|[^$]*)(?:;|$)`, 'g');

/** All captures of a field; more than one occurrence of a field is invalid. */
function dcmiField(pattern: RegExp, value: string): string | undefined {
  const found = [...value.matchAll(pattern)];
  if (found.length > 1) throw new DateRejected('Found duplicate field');
  return found[0]?.[1];
}

function dcmiDate(field: string | undefined, ctx: ExtractContext): EdtfInstant {
  if (field === undefined || field.trim() === '') return openInstant();
  const m = /^([+-]?\d{4,})(?:-(\d{2})(?:-(\d{2}))?)?(?:T.*)?$/.exec(field);
  if (!m) throw new DateRejected('Not a W3C-DTF date');
  const year = parseInt(m[1], 10);
  if (Math.abs(year) > MAX_FOUR_DIGIT_YEAR) throw new DateRejected('DCMI periods do not support long years');
  const instant = parseEdtfInstant(field.replace(/T.*$/, ''), ctx);
  if (!instant) throw new DateRejected('Not a W3C-DTF date');
  return instant;
}

/** A DCMI period; its `name` becomes the TimeSpan's label. A scheme other than W3C-DTF is no match. */
export const dcmiPeriod: DateExtractor = {
  id: 'DCMI_PERIOD',
  extract(value, ctx) {
    const scheme = dcmiField(DCMI_SCHEME, value);
    if (scheme !== undefined && !/^W3C-?DTF$/i.test(scheme)) return undefined;
    const start = dcmiDate(dcmiField(DCMI_START, value), ctx);
    const end = dcmiDate(dcmiField(DCMI_END, value), ctx);
    const name = dcmiField(DCMI_NAME, value)?.trim();
    if (start.boundary !== 'declared' && end.boundary !== 'declared') return undefined;
    return { extractor: 'DCMI_PERIOD', date: buildInterval(start, end, ctx.flexible), label: name || undefined };
  },
};

// ---- month names: 01 November 1989, November 01 1989, November 1989 ----

let monthPatterns: Array<{ regex: RegExp; order: 'dmy' | 'mdy' | 'my' }> | undefined;

function getMonthPatterns() {
  if (!monthPatterns) {
    const months = `(${alternation(localeWords().months.keys())})`;
    const join = (...parts: string[]) => new RegExp(`^${parts.join('[ .,]')}$`, 'iu');
    monthPatterns = [
      { regex: join('(\\d{1,2})', months, '(\\d{4})'), order: 'dmy' },
      { regex: join(months, '(\\d{1,2})', '(\\d{4})'), order: 'mdy' },
      { regex: join(months, '(\\d{4})'), order: 'my' },
    ];
  }
  return monthPatterns;
}

/** A date with a month name in one of the 24 EU languages (long or short form). */
export const monthName: DateExtractor = {
  id: 'MONTH_NAME',
  extract(value, ctx) {
    for (const { regex, order } of getMonthPatterns()) {
      const m = regex.exec(value);
      if (!m) continue;
      const [dayPart, monthPart, yearPart] =
        order === 'dmy' ? [m[1], m[2], m[3]] : order === 'mdy' ? [m[2], m[1], m[3]] : [undefined, m[1], m[2]];
      const month = localeWords().months.get(monthPart.toLowerCase());
      if (month === undefined) continue;
      try {
        // Metis builds month-name dates flexibly whatever the property.
        const date = buildInstant(
          { year: parseInt(yearPart, 10), month, day: dayPart ? parseInt(dayPart, 10) : undefined },
          ctx.clock,
        );
        return { extractor: 'MONTH_NAME', date };
      } catch (err) {
        if (!(err instanceof DateRejected)) throw err;
      }
    }
    return undefined;
  },
};

// ---- full date-times: Wed Nov 01 01:00:00 CEST 1989, 1989-11-01 04:05:06 UTC+01 ----

const FULL_TEXTUAL =
  /^(\S+) (\S+) (\d{2}) (\d{2}):(\d{2}):(\d{2}) [A-Za-z][A-Za-z_/]*(?:[+-]\d{2}(?::?\d{2})?)? (\d{4})$/u;
const FULL_ISO =
  /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.\d{1,3})?(?: [A-Za-z][A-Za-z_/]*(?:[+-]\d{2}(?::?\d{2})?)?)?$/;

function validTime(h: string, mi: string, s: string): boolean {
  return Number(h) < 24 && Number(mi) < 60 && Number(s) < 60;
}

/** ISO weekday (1 = Monday) of a proleptic Gregorian date. */
function weekdayOf(year: number, month: number, day: number): number {
  const d = new Date(Date.UTC(2000, month - 1, day));
  d.setUTCFullYear(year);
  return ((d.getUTCDay() + 6) % 7) + 1;
}

/** A date-time in Java's `Date.toString()` form or `yyyy-MM-dd HH:mm:ss[.SSS][ zone]`; the zone is ignored. */
export const fullDate: DateExtractor = {
  id: 'FULL_DATE',
  extract(value, ctx) {
    let year: number;
    let month: number;
    let day: number;
    const iso = FULL_ISO.exec(value);
    if (iso) {
      if (!validTime(iso[4], iso[5], iso[6])) return undefined;
      [year, month, day] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
    } else {
      const text = FULL_TEXTUAL.exec(value);
      if (!text || !validTime(text[4], text[5], text[6])) return undefined;
      const words = localeWords();
      const weekday = words.weekdays.get(text[1].toLowerCase());
      const m = words.months.get(text[2].toLowerCase());
      if (weekday === undefined || m === undefined) return undefined;
      [year, month, day] = [Number(text[7]), m, Number(text[3])];
      if (month < 1 || day < 1) return undefined;
      // Java cross-checks the weekday against the date.
      if (day <= 31 && weekdayOf(year, month, day) !== weekday) return undefined;
    }
    if (month < 1 || month > 12 || day < 1) return undefined;
    const date = buildInstant({ year, month, day, flexible: ctx.flexible }, ctx.clock);
    if (date.month !== month) return undefined; // a parsed date-time never swaps month and day
    return { extractor: 'FULL_DATE', date };
  },
};

// ---- BC/AD: 1989 BC, 1989 π.Χ., 44 av. J.-C. ----

let eraPattern: RegExp | undefined;

function bcAdYear(value: string, ctx: ExtractContext): EdtfInstant | undefined {
  eraPattern ??= new RegExp(`^(\\d{1,4}) (${alternation(localeWords().eras.keys())})$`, 'i');
  const m = eraPattern.exec(value);
  if (!m) return undefined;
  const year = parseInt(m[1], 10);
  if (year === 0) return undefined; // there is no year 0 in an era
  const isAd = localeWords().eras.get(m[2].toLowerCase()) === true;
  // 1 BC is astronomical year 0, 2 BC is -1.
  return buildInstant({ year: isAd ? year : -(year - 1) }, ctx.clock);
}

/** A year with an era in one of the 24 EU languages: `1989 BC` → -1988, `1989 AD` → 1989. */
export const bcAd: DateExtractor = {
  id: 'BC_AD',
  extract(value, ctx) {
    const date = bcAdYear(value, ctx);
    return date && { extractor: 'BC_AD', date };
  },
};

/** `500 BC - 100 AD` (dash or slash between two BC/AD years). */
export const bcAdRange: DateExtractor = {
  id: 'BC_AD_RANGE',
  extract(value, ctx) {
    for (const separator of ['-', '/']) {
      const parts = splitInTwo(value, separator);
      if (!parts) continue;
      const start = instantOf(bcAd.extract(parts[0], ctx));
      const end = start && instantOf(bcAd.extract(parts[1], ctx));
      if (start && end) return { extractor: 'BC_AD_RANGE', date: buildInterval(start, end, ctx.flexible) };
    }
    return undefined;
  },
};
