/**
 * Sanitizing of date values that no extractor matched (Metis `DateFieldSanitizer` + `SanitizeOperation`):
 * each round tries its operations in order and applies only the first that matches and succeeds.
 */
import { cleanSpacesAndTrim, S } from './extractor-support.ts';

export type SanitizeOperationId =
  | 'STARTING_TEXT_UNTIL_FIRST_COLON'
  | 'STARTING_PARENTHESES'
  | 'ENDING_PARENTHESES'
  | 'ENDING_SQUARE_BRACKETS'
  | 'ENDING_DOT'
  | 'CAPTURE_VALUE_IN_SQUARE_BRACKETS'
  | 'STARTING_CIRCA'
  | 'CAPTURE_VALUE_IN_SQUARE_BRACKETS_WITH_CIRCA'
  | 'ENDING_CLOSING_SQUARE_BRACKET'
  | 'CAPTURE_VALUE_IN_PARENTHESES'
  | 'CAPTURE_VALUE_IN_PARENTHESES_WITH_CIRCA';

interface SanitizeOperation {
  pattern: RegExp;
  /** `find` looks anywhere; `matches` needs the whole value. */
  check: 'find' | 'matches';
  /** Replace only the first occurrence, or all. */
  replace: 'first' | 'all';
  replacement: string;
  /** Whether an empty result still counts as success. */
  allowEmpty: boolean;
}

const CIRCA = `(?:(?:circa|CA|C)${S}|(?:CA\\.|C\\.)${S}?)`;

const OPERATIONS: Record<SanitizeOperationId, SanitizeOperation> = {
  STARTING_TEXT_UNTIL_FIRST_COLON: {
    pattern: new RegExp(`^[^:]*:${S}?`),
    check: 'find',
    replace: 'first',
    replacement: '',
    allowEmpty: false,
  },
  STARTING_PARENTHESES: {
    pattern: new RegExp(`^\\(.+\\)${S}?`),
    check: 'find',
    replace: 'first',
    replacement: '',
    allowEmpty: false,
  },
  ENDING_PARENTHESES: {
    pattern: new RegExp(`${S}?\\(.+\\)$`),
    check: 'find',
    replace: 'first',
    replacement: '',
    allowEmpty: false,
  },
  ENDING_SQUARE_BRACKETS: {
    pattern: new RegExp(`${S}?\\[.+]$`),
    check: 'find',
    replace: 'first',
    replacement: '',
    allowEmpty: true,
  },
  ENDING_DOT: { pattern: new RegExp(`${S}?\\.$`), check: 'find', replace: 'first', replacement: '', allowEmpty: false },
  CAPTURE_VALUE_IN_SQUARE_BRACKETS: {
    pattern: /\[([^\]]+)]/g,
    check: 'find',
    replace: 'all',
    replacement: '$1',
    allowEmpty: true,
  },
  STARTING_CIRCA: {
    pattern: new RegExp(`^${CIRCA}`, 'gi'),
    check: 'find',
    replace: 'all',
    replacement: '',
    allowEmpty: true,
  },
  CAPTURE_VALUE_IN_SQUARE_BRACKETS_WITH_CIRCA: {
    pattern: new RegExp(`\\[${CIRCA}([^\\]]+)]`, 'gi'),
    check: 'find',
    replace: 'all',
    replacement: '$1',
    allowEmpty: true,
  },
  ENDING_CLOSING_SQUARE_BRACKET: {
    pattern: new RegExp(`${S}?]$`, 'g'),
    check: 'find',
    replace: 'all',
    replacement: '',
    allowEmpty: true,
  },
  CAPTURE_VALUE_IN_PARENTHESES: {
    pattern: new RegExp(`^${S}?\\((.+)\\)${S}?$`),
    check: 'matches',
    replace: 'all',
    replacement: '$1',
    allowEmpty: true,
  },
  CAPTURE_VALUE_IN_PARENTHESES_WITH_CIRCA: {
    pattern: new RegExp(`^${S}?\\(${CIRCA}(.+)\\)${S}?$`, 'i'),
    check: 'matches',
    replace: 'all',
    replacement: '$1',
    allowEmpty: true,
  },
};

/** First round for date properties. */
export const DATE_ROUND_1: SanitizeOperationId[] = [
  'STARTING_TEXT_UNTIL_FIRST_COLON',
  'STARTING_PARENTHESES',
  'ENDING_PARENTHESES',
  'CAPTURE_VALUE_IN_SQUARE_BRACKETS_WITH_CIRCA',
  'CAPTURE_VALUE_IN_SQUARE_BRACKETS',
  'STARTING_CIRCA',
  'ENDING_CLOSING_SQUARE_BRACKET',
  'ENDING_DOT',
];

/** Second round for date properties. */
export const DATE_ROUND_2: SanitizeOperationId[] = [
  'ENDING_SQUARE_BRACKETS',
  'CAPTURE_VALUE_IN_PARENTHESES_WITH_CIRCA',
  'CAPTURE_VALUE_IN_PARENTHESES',
];

/** The single round for generic properties (dc:subject, dc:coverage). */
export const GENERIC_ROUND: SanitizeOperationId[] = [
  'CAPTURE_VALUE_IN_SQUARE_BRACKETS_WITH_CIRCA',
  'CAPTURE_VALUE_IN_SQUARE_BRACKETS',
  'STARTING_CIRCA',
  'ENDING_PARENTHESES',
];

/** Operations after which a match is APPROXIMATE ("circa"). */
export const APPROXIMATE_FOR_DATE = new Set<SanitizeOperationId>([
  'STARTING_CIRCA',
  'CAPTURE_VALUE_IN_SQUARE_BRACKETS_WITH_CIRCA',
  'CAPTURE_VALUE_IN_PARENTHESES_WITH_CIRCA',
]);
export const APPROXIMATE_FOR_GENERIC = new Set<SanitizeOperationId>([
  'STARTING_CIRCA',
  'CAPTURE_VALUE_IN_SQUARE_BRACKETS_WITH_CIRCA',
]);

export interface SanitizedValue {
  operation: SanitizeOperationId;
  value: string;
}

/**
 * Applies the first operation of `round` that matches the (space-cleaned) value and succeeds.
 * Returns undefined when none does. E.g. `ca. 1950` → {STARTING_CIRCA, "1950"}.
 */
export function sanitize(value: string, round: SanitizeOperationId[]): SanitizedValue | undefined {
  const cleaned = cleanSpacesAndTrim(value);
  for (const id of round) {
    const op = OPERATIONS[id];
    op.pattern.lastIndex = 0;
    if (!op.pattern.test(cleaned)) continue;
    op.pattern.lastIndex = 0;
    const result =
      op.replace === 'first'
        ? cleaned.replace(new RegExp(op.pattern.source, op.pattern.flags.replace('g', '')), op.replacement)
        : cleaned.replace(op.pattern, op.replacement);
    if (op.allowEmpty || result.length > 0) return { operation: id, value: result };
  }
  return undefined;
}
