/**
 * Matching language values to codes with a confidence (Metis `LanguageMatcher` +
 * `AbstractLanguageNormalizer`).
 */
import { normalizeLanguageValue } from './language-tags.ts';
import { languageVocabulary, type LanguageVocabulary } from './vocabulary.ts';

export type MatchType = 'CODE_MATCH' | 'LABEL_MATCH' | 'NO_MATCH';

export interface LanguageMatch {
  /** The normalized word. */
  input: string;
  /** The language code (with the subtag for a code match), undefined for NO_MATCH. */
  match?: string;
  type: MatchType;
}

/**
 * Matches each word of a value: a known code (subtag kept: `eng-GB` → `en-GB`), else an unambiguous
 * label, else NO_MATCH (an ambiguous label is NO_MATCH, Metis's default ambiguity handling).
 */
export function matchLanguages(value: string, vocabulary: LanguageVocabulary = languageVocabulary()): LanguageMatch[] {
  return normalizeLanguageValue(value).map((tag) => {
    const code = vocabulary.codes.get(tag.code);
    if (code !== undefined) return { input: tag.normalizedInput, match: code + (tag.subtag ?? ''), type: 'CODE_MATCH' };
    const label = vocabulary.unambiguousLabels.get(tag.normalizedInput);
    if (label !== undefined) return { input: tag.normalizedInput, match: label, type: 'LABEL_MATCH' };
    return { input: tag.normalizedInput, type: 'NO_MATCH' };
  });
}

/**
 * Confidence of a set of word matches: undefined when there is none or any word failed; 1.0 for one
 * code equal to its output (`en`); 0.98 for one code that differs (`eng` → `en`); 0.95 for only codes
 * or only labels; 0.85 for a mix of codes and labels.
 */
export function matchConfidence(matches: LanguageMatch[]): number | undefined {
  if (matches.length === 0 || matches.some((m) => m.type === 'NO_MATCH')) return undefined;
  const types = new Set(matches.map((m) => m.type));
  if (types.size === 1 && types.has('CODE_MATCH') && matches.length === 1)
    return matches[0].input === matches[0].match ? 1.0 : 0.98;
  return types.size === 1 ? 0.95 : 0.85;
}

export interface LanguageNormalization {
  /** The distinct codes, in order of appearance. */
  codes: string[];
  confidence: number;
}

/**
 * Normalizes a language value: all distinct matched codes when the confidence reaches `minimumConfidence`
 * (default 0.95), else undefined. `"English; French"` → en, fr (0.95); `"eng"` → en (0.98).
 */
export function normalizeLanguage(
  value: string,
  minimumConfidence = 0.95,
  vocabulary?: LanguageVocabulary,
): LanguageNormalization | undefined {
  const matches = matchLanguages(value, vocabulary);
  const confidence = matchConfidence(matches);
  if (confidence === undefined || confidence < minimumConfidence) return undefined;
  return { codes: [...new Set(matches.map((m) => m.match!))], confidence };
}
