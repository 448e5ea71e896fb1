/**
 * Our stand-in for the EU Language Authority Table that Metis's LanguageMatcher indexes (languages.xml,
 * not available): the ISO 639-3 table (with its ISO 639-1 and 639-2 B/T codes and English reference
 * names, npm `iso-639-3`) plus language names from CLDR through `Intl.DisplayNames`: every language with
 * an ISO 639-1 or 639-2 code named in the 24 official EU languages, and the autonym of every language
 * with an ISO 639-1 code. Built once on first use (about 0.3 s) and cached.
 *
 * Index rules as in Metis: a language's id is its ISO 639-1 code, else its ISO 639-3 code; all its codes
 * map to the id; labels shorter than 4 characters and labels of several words are not indexed; a label
 * shared by two languages is ambiguous.
 */
import { iso6393 } from 'iso-639-3';
import { EU_LANGUAGES } from '../dates/locale-words.ts';
import { normalizeLanguageValue } from './language-tags.ts';

export interface LanguageVocabulary {
  /** Normalized code (any ISO 639 variant) → language id. */
  codes: Map<string, string>;
  /** Normalized label → language id, for labels of one language only. */
  unambiguousLabels: Map<string, string>;
  /** Normalized label → the ids of all languages that have it. */
  ambiguousLabels: Map<string, string[]>;
}

/** Labels shorter than this are not indexed (Metis `minLanguageLabelLength`). */
export const MIN_LABEL_LENGTH = 4;

let cached: LanguageVocabulary | undefined;

/** The vocabulary, built on first call. */
export function languageVocabulary(): LanguageVocabulary {
  cached ??= buildVocabulary();
  return cached;
}

function buildVocabulary(): LanguageVocabulary {
  const vocabulary: LanguageVocabulary = { codes: new Map(), unambiguousLabels: new Map(), ambiguousLabels: new Map() };
  const namers = EU_LANGUAGES.map((l) => new Intl.DisplayNames([l], { type: 'language', fallback: 'none' }));
  for (const language of iso6393) {
    const id = language.iso6391 ?? language.iso6393;
    for (const code of [language.iso6391, language.iso6392B, language.iso6392T, language.iso6393]) {
      if (code) addCode(vocabulary, code, id);
    }
    addLabel(vocabulary, language.name, id);
    if (!language.iso6391 && !language.iso6392B) continue;
    for (const namer of namers) addLabel(vocabulary, namer.of(id), id);
    if (language.iso6391) addLabel(vocabulary, autonym(language.iso6391), id);
  }
  return vocabulary;
}

function autonym(code: string): string | undefined {
  try {
    return new Intl.DisplayNames([code], { type: 'language', fallback: 'none' }).of(code);
  } catch {
    return undefined; // no CLDR locale for this language
  }
}

function addCode(vocabulary: LanguageVocabulary, code: string, id: string): void {
  const key = code.toLowerCase();
  // ISO keeps its code sets disjoint; should a code repeat, the first language keeps it.
  if (!vocabulary.codes.has(key)) vocabulary.codes.set(key, id);
}

function addLabel(vocabulary: LanguageVocabulary, label: string | undefined, id: string): void {
  if (!label || label.length < MIN_LABEL_LENGTH) return;
  const words = normalizeLanguageValue(label);
  if (words.length !== 1) return; // a label of several words can never match one word
  const key = words[0].normalizedInput;
  const ambiguous = vocabulary.ambiguousLabels.get(key);
  if (ambiguous) {
    if (!ambiguous.includes(id)) ambiguous.push(id);
    return;
  }
  const existing = vocabulary.unambiguousLabels.get(key);
  if (existing === undefined) vocabulary.unambiguousLabels.set(key, id);
  else if (existing !== id) {
    vocabulary.unambiguousLabels.delete(key);
    vocabulary.ambiguousLabels.set(key, [existing, id]);
  }
}
