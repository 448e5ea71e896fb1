/**
 * What every date extractor shares: its result shape, the context it runs in, the Java whitespace
 * rules and the "split a range in exactly two" helper.
 */
import { DateRejected, type DateClock, type EdtfDate, type EdtfInstant } from './edtf.ts';

export type ExtractorId =
  | 'BRIEF_RANGE'
  | 'EDTF'
  | 'EDTF_RANGE'
  | 'CENTURY_NUMERIC'
  | 'CENTURY_ROMAN'
  | 'CENTURY_ROMAN_RANGE'
  | 'DECADE'
  | 'NUMERIC_PARTS_RANGE'
  | 'NUMERIC_PARTS'
  | 'DCMI_PERIOD'
  | 'MONTH_NAME'
  | 'FULL_DATE'
  | 'BC_AD'
  | 'BC_AD_RANGE'
  | 'LONG_NEGATIVE_YEAR'
  | 'LONG_NEGATIVE_YEAR_RANGE';

export interface Extraction {
  date: EdtfDate;
  extractor: ExtractorId;
  /** A label that comes with the value (the DCMI period name). */
  label?: string;
}

export interface ExtractContext {
  /** Date properties build flexibly (month/day and start/end swaps); generic properties strictly. */
  flexible: boolean;
  clock: DateClock;
}

export interface DateExtractor {
  id: ExtractorId;
  /** Returns the extraction, undefined for no match; may throw DateRejected (also "no match"). */
  extract(value: string, ctx: ExtractContext): Extraction | undefined;
}

/** Java's `\s` (ASCII whitespace only), for patterns that must not match Unicode spaces. */
export const S = '[ \\t\\n\\x0B\\f\\r]';

/** Java `String.trim()`: strips leading and trailing chars <= U+0020, nothing else. */
export function javaTrim(s: string): string {
  let start = 0;
  let end = s.length;
  while (start < end && s.charCodeAt(start) <= 0x20) start++;
  while (end > start && s.charCodeAt(end - 1) <= 0x20) end--;
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** Metis's `cleanSpacesAndTrim`: every ASCII whitespace char becomes a space, then Java trim. */
export function cleanSpacesAndTrim(s: string): string {
  return javaTrim(s.replace(/[ \t\n\x0B\f\r]/g, ' '));
}

/** `?` at the start or the end marks an uncertain date. */
export function isUncertain(value: string): boolean {
  return value.startsWith('?') || value.endsWith('?');
}

/** Runs an extractor on a cleaned value; a rejected date is "no match". */
export function runExtractor(extractor: DateExtractor, value: string, ctx: ExtractContext): Extraction | undefined {
  try {
    return extractor.extract(cleanSpacesAndTrim(value), ctx);
  } catch (err) {
    if (err instanceof DateRejected) return undefined;
    throw err;
  }
}

/** Java `split(regex, -1)` on a literal separator, each part cleaned; undefined unless exactly two parts. */
export function splitInTwo(value: string, separator: string): [string, string] | undefined {
  const parts = value.split(separator);
  if (parts.length !== 2) return undefined;
  return [cleanSpacesAndTrim(parts[0]), cleanSpacesAndTrim(parts[1])];
}

/** The instant of a single-date extraction (ranges reuse single extractors for their ends). */
export function instantOf(extraction: Extraction | undefined): EdtfInstant | undefined {
  return extraction && extraction.date.kind === 'instant' ? extraction.date : undefined;
}
