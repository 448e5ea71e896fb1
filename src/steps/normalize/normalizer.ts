/**
 * The normalization step: Metis's seven default normalizers, in order, on one parsed record
 * (parse once, apply all operations on the tree, serialize once).
 */
import { parseXml, serializeXml, XmlParseError, type XmlElement } from '../../edm/xml.ts';
import { fail, success, type StepOutcome } from '../outcome.ts';
import { cleanIriViolations, cleanMarkupTags, cleanSpaceCharacters } from './clean-values.ts';
import { normalizeDates } from './date-references.ts';
import { clockAt } from './dates/edtf.ts';
import { NormalizationError } from './edm-tree.ts';
import { removeDuplicateStatements } from './duplicate-statements.ts';
import { normalizeDcLanguage, normalizeXmlLang } from './language-references.ts';
import { languageVocabulary } from './languages/vocabulary.ts';

export interface NormalizerOptions {
  /** Minimum confidence for a language match (Metis default 0.95). */
  minimumConfidence?: number;
  /** The clock for "dates in the future are rejected" (default: the current time at each record). */
  now?: () => Date;
}

/** Changes per operation, like Metis's NormalizationReport (which Metis does not surface either). */
export interface NormalizationReport {
  cleanSpaceCharacters: number;
  cleanMarkupTags: number;
  cleanIriViolations: number;
  dcLanguageReferences: number;
  xmlLangReferences: number;
  duplicateStatements: number;
  dateReferences: number;
}

export interface NormalizerInput {
  recordId: string;
  content: string;
}

export type Normalizer = (record: NormalizerInput) => StepOutcome<NormalizationReport>;

/**
 * Creates the normalization step. The returned function never throws for a bad record:
 * - unparsable XML → `fail` with code `NORMALIZE_XML_PARSE` and message "Error parsing XML: …";
 * - a record without a unique Europeana proxy → `fail` with code `NORMALIZE_FAILED`;
 * - any other error → `fail` with code `NORMALIZE_UNEXPECTED` and "Unexpected problem: …".
 * On success the outcome carries the normalized EDM internal XML and a NormalizationReport as `data`.
 * The language vocabulary is built on the first call of the first normalizer (then cached).
 */
export function createNormalizer(options: NormalizerOptions = {}): Normalizer {
  const minimumConfidence = options.minimumConfidence ?? 0.95;
  const now = options.now ?? (() => new Date());
  return (record) => {
    let root: XmlElement;
    try {
      root = parseXml(record.content).root;
    } catch (err) {
      if (err instanceof XmlParseError)
        return fail(record.recordId, 'NORMALIZE_XML_PARSE', `Error parsing XML: ${err.message}`);
      throw err;
    }
    try {
      languageVocabulary();
      const report = normalizeTree(root, minimumConfidence, now());
      return success(record.recordId, serializeXml({ root }), report);
    } catch (err) {
      if (err instanceof NormalizationError) return fail(record.recordId, 'NORMALIZE_FAILED', err.message);
      const e = err as Error;
      return fail(record.recordId, 'NORMALIZE_UNEXPECTED', `Unexpected problem: ${e.message}`, e.stack);
    }
  };
}

/** Applies the seven operations in Metis's order to a parsed `rdf:RDF` tree, in place. */
export function normalizeTree(root: XmlElement, minimumConfidence = 0.95, now: Date = new Date()): NormalizationReport {
  return {
    cleanSpaceCharacters: cleanSpaceCharacters(root),
    cleanMarkupTags: cleanMarkupTags(root),
    cleanIriViolations: cleanIriViolations(root),
    dcLanguageReferences: normalizeDcLanguage(root, minimumConfidence),
    xmlLangReferences: normalizeXmlLang(root, minimumConfidence),
    duplicateStatements: removeDuplicateStatements(root),
    dateReferences: normalizeDates(root, clockAt(now)),
  };
}
