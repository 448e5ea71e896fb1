/**
 * Turns one literal into an EDTF date the way Metis's DatesNormalizer does: pre-clean, try the extractors
 * in order (first match wins), and when nothing matches, sanitize and retry (two rounds for date
 * properties, one for generic ones); a match through a "circa" operation is APPROXIMATE.
 */
import { addQualifier, clockAt, formatEdtf, type DateClock, type EdtfDate } from './edtf.ts';
import {
  cleanSpacesAndTrim,
  javaTrim,
  runExtractor,
  type DateExtractor,
  type ExtractorId,
} from './extractor-support.ts';
import {
  briefRange,
  centuryNumeric,
  centuryRoman,
  centuryRomanRange,
  decade,
  edtf,
  edtfRange,
  longNegativeYearExtractor,
  longNegativeYearRange,
} from './extractors-core.ts';
import {
  bcAd,
  bcAdRange,
  dcmiPeriod,
  fullDate,
  monthName,
  numericPartsExtractor,
  numericPartsRange,
} from './extractors-text.ts';
import {
  APPROXIMATE_FOR_DATE,
  APPROXIMATE_FOR_GENERIC,
  DATE_ROUND_1,
  DATE_ROUND_2,
  GENERIC_ROUND,
  sanitize,
  type SanitizeOperationId,
} from './sanitize.ts';

/** Extractors for date properties, in Metis's order. */
const DATE_EXTRACTORS: DateExtractor[] = [
  briefRange,
  edtf,
  edtfRange,
  centuryNumeric,
  centuryRoman,
  centuryRomanRange,
  decade,
  numericPartsRange,
  numericPartsExtractor,
  dcmiPeriod,
  monthName,
  fullDate,
  bcAd,
  bcAdRange,
  longNegativeYearExtractor,
  longNegativeYearRange,
];

/** Generic properties (dc:subject, dc:coverage) skip the brief range. */
const GENERIC_EXTRACTORS = DATE_EXTRACTORS.filter((e) => e !== briefRange);

export interface DateMatch {
  date: EdtfDate;
  /** EDTF notation, e.g. `1426/1450`, `1950~`. */
  edtf: string;
  extractor: ExtractorId;
  label?: string;
  /** The sanitize operation that made the value match, if one was needed. */
  sanitizeOperation?: SanitizeOperationId;
}

export type PropertyKind = 'date' | 'generic';

/**
 * Normalizes one value of a date property (dcterms:created/issued/temporal, dc:date) or of a generic
 * property (dc:subject, dc:coverage: strict, only complete dates). Returns undefined for no match.
 * `now` decides what "in the future" means (default: the current time).
 */
export function normalizeDateValue(
  input: string,
  kind: PropertyKind,
  now: Date | DateClock = new Date(),
): DateMatch | undefined {
  const clock = now instanceof Date ? clockAt(now) : now;
  const flexible = kind === 'date';
  const extractors = flexible ? DATE_EXTRACTORS : GENERIC_EXTRACTORS;
  const rounds = flexible ? [DATE_ROUND_1, DATE_ROUND_2] : [GENERIC_ROUND];
  const approximateOps = flexible ? APPROXIMATE_FOR_DATE : APPROXIMATE_FOR_GENERIC;
  const ctx = { flexible, clock };
  const value = preClean(input);

  const first = extractFirst(extractors, value, ctx);
  if (first) return first;
  for (const round of rounds) {
    const sanitized = sanitize(value, round);
    if (!sanitized || sanitized.value === '') continue;
    const match = extractFirst(extractors, sanitized.value, ctx);
    if (!match) continue;
    if (approximateOps.has(sanitized.operation)) {
      addQualifier(match.date, 'approximate');
      match.edtf = formatEdtf(match.date);
    }
    return { ...match, sanitizeOperation: sanitized.operation };
  }
  return undefined;
}

/** Trim, NBSP → space, en dash → `-`. */
function preClean(input: string): string {
  return javaTrim(input)
    .replace(/\u00a0/g, ' ')
    .replace(/\u2013/g, '-');
}

/**
 * A cheap necessary condition per extractor, so that long free-text values (dc:subject) skip the costly
 * patterns (the month-name alternation has hundreds of names). Purely an optimization: each extractor's
 * own pattern implies its condition here.
 */
const PRECONDITION: Partial<Record<ExtractorId, RegExp>> = {
  BRIEF_RANGE: /\d\d/,
  EDTF: /\d\d\d/,
  EDTF_RANGE: /\//,
  CENTURY_NUMERIC: /\.\.|centur/i,
  CENTURY_ROMAN: /[IVXLCDM]/i,
  CENTURY_ROMAN_RANGE: /-/,
  DECADE: /\d\d\d/,
  NUMERIC_PARTS_RANGE: /\d\d/,
  NUMERIC_PARTS: /\d\d/,
  DCMI_PERIOD: /=/,
  MONTH_NAME: /\d{4}$/,
  FULL_DATE: /:/,
  BC_AD: /^\d{1,4} /,
  BC_AD_RANGE: /\d \S/,
  LONG_NEGATIVE_YEAR: /\d{5}/,
  LONG_NEGATIVE_YEAR_RANGE: /\d{5}/,
};

function extractFirst(
  extractors: DateExtractor[],
  value: string,
  ctx: { flexible: boolean; clock: DateClock },
): DateMatch | undefined {
  const cleaned = cleanSpacesAndTrim(value); // what each extractor sees
  for (const extractor of extractors) {
    if (PRECONDITION[extractor.id]?.test(cleaned) === false) continue;
    const result = runExtractor(extractor, value, ctx);
    if (result)
      return { date: result.date, edtf: formatEdtf(result.date), extractor: result.extractor, label: result.label };
  }
  return undefined;
}
