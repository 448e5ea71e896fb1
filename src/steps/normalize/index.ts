/** Normalization step (Metis §7): the public surface. */
export {
  createNormalizer,
  normalizeTree,
  type NormalizerOptions,
  type Normalizer,
  type NormalizerInput,
  type NormalizationReport,
} from './normalizer.ts';
export { normalizeDateValue, type DateMatch, type PropertyKind } from './dates/normalize-date.ts';
export {
  normalizeLanguage,
  matchLanguages,
  matchConfidence,
  type LanguageMatch,
  type LanguageNormalization,
} from './languages/language-matcher.ts';
export { stripHtmlTags, cleanIri } from './clean-values.ts';
export { javaTrim } from './dates/extractor-support.ts';
