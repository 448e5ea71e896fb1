/**
 * Problem patterns (metis-steps.md §6, metis-pattern-analysis `ProblemPatternAnalyzer`): data-quality
 * warnings from the provider proxies' dc:title, dc:description (grouped by xml:lang, `UNKNOWN` when
 * absent) and dc:identifier. Record level: P2, P3, P5, P6, P7, P9, P12. Dataset level: P1, see
 * `PatternAggregator`. Every pattern has severity WARNING; a record never fails on them.
 */
import type { XmlDocument } from '../../edm/xml.ts';
import { getAttr, textContent } from '../../edm/xml.ts';
import { NS } from '../../edm/namespaces.ts';
import { success, type StepOutcome } from '../outcome.ts';
import { canonicalName, createEdmView, isNotBlank, type EdmView } from '../tiers/edm-view.ts';

export type ProblemPatternId = 'P1' | 'P2' | 'P3' | 'P5' | 'P6' | 'P7' | 'P9' | 'P12';

export const PROBLEM_PATTERN_TITLES: Record<ProblemPatternId, string> = {
  P1: 'Systematic use of the same title',
  P2: 'Equal title and description fields',
  P3: 'Near-identical title and description',
  P5: 'Unrecognizable title',
  P6: 'Non-meaningful title',
  P7: 'Missing description fields',
  P9: 'Very short description',
  P12: 'Extremely long values',
};

export interface RecordProblemPattern {
  id: ProblemPatternId;
  title: string;
  severity: 'WARNING';
  /** One message per problem found (values abbreviated to 50 characters). */
  occurrences: string[];
}

export interface RecordPatternAnalysis {
  recordId: string | undefined;
  /** The record's provider titles (for the dataset-level P1). */
  titles: string[];
  patterns: RecordProblemPattern[];
}

const MIN_TITLE_LENGTH = 2;
const MAX_TITLE_LENGTH = 70;
const MIN_DESCRIPTION_LENGTH = 51;
const UNRECOGNIZABLE_THRESHOLD = 5;
const LCS_THRESHOLD = 0.9;
const UNRECOGNIZABLE = /[^\p{Alphabetic}\p{Nd} ]/gu;

/** Commons-lang `abbreviate(value, 50)`: at most 50 characters, "..." marking a cut. */
export function abbreviate(value: string, max = 50): string {
  return value.length <= max ? value : `${value.slice(0, max - 3)}...`;
}

/** Length of the longest common subsequence (UTF-16 units, as Java counts them). */
export function longestCommonSubsequence(a: string, b: string): number {
  if (a.length < b.length) [a, b] = [b, a];
  let prev = new Uint32Array(b.length + 1);
  let cur = new Uint32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      cur[j] = ca === b.charCodeAt(j - 1) ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

interface LangValue {
  text: string;
  lang: string;
}

function groupByLanguage(values: LangValue[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const v of values) {
    const list = groups.get(v.lang);
    if (list) list.push(v.text);
    else groups.set(v.lang, [v.text]);
  }
  return groups;
}

/** Titles, descriptions and identifiers of the provider proxies, as written (not trimmed). */
function readValues(view: EdmView): { titles: LangValue[]; descriptions: LangValue[]; identifiers: string[] } {
  const titles: LangValue[] = [];
  const descriptions: LangValue[] = [];
  const identifiers: string[] = [];
  for (const proxy of view.providerProxies) {
    for (const c of proxy.el.children) {
      if (c.kind !== 'element') continue;
      const lang = getAttr(c, NS.xml, 'lang')?.trim() || 'UNKNOWN';
      const text = textContent(c);
      const name = canonicalName(c);
      if (name === 'dc:title') titles.push({ text, lang });
      else if (name === 'dc:description') descriptions.push({ text, lang });
      else if (name === 'dc:identifier') identifiers.push(text);
    }
  }
  return { titles, descriptions, identifiers };
}

function pattern(id: ProblemPatternId, occurrences: string[]): RecordProblemPattern[] {
  return occurrences.length === 0 ? [] : [{ id, title: PROBLEM_PATTERN_TITLES[id], severity: 'WARNING', occurrences }];
}

function uniqueLower(values: string[]): string[] {
  return [...new Set(values.map((v) => v.toLowerCase()))];
}

/** Analyzes one record for the record-level problem patterns. */
export function detectRecordPatterns(record: string | Buffer | XmlDocument | EdmView): RecordPatternAnalysis {
  const view = typeof record === 'object' && 'proxies' in record ? record : createEdmView(record as string | Buffer | XmlDocument);
  const { titles, descriptions, identifiers } = readValues(view);
  const titleGroups = groupByLanguage(titles);
  const descriptionGroups = groupByLanguage(descriptions);

  const p2: string[] = [];
  const p3: string[] = [];
  for (const [lang, groupTitles] of titleGroups) {
    const groupDescriptions = descriptionGroups.get(lang) ?? [];
    const lowerDescriptions = new Set(groupDescriptions.map((d) => d.toLowerCase()));
    for (const t of uniqueLower(groupTitles)) if (lowerDescriptions.has(t)) p2.push(`Equal(lower cased) title and description: ${abbreviate(t)}`);
    for (const title of new Set(groupTitles.filter(isNotBlank))) {
      for (const d of groupDescriptions) {
        if (!isNotBlank(d) || d.toLowerCase() === title.toLowerCase()) continue;
        const min = Math.min(title.length, d.length);
        // The cheap length rule first: most pairs fail it and skip the quadratic LCS.
        if (Math.abs(title.length - d.length) > 5 + 0.1 * min) continue;
        if (longestCommonSubsequence(title, d) / min >= LCS_THRESHOLD) {
          p3.push(`Near-Identical title and description fields: ${abbreviate(title)} | ${abbreviate(d)}`);
        }
      }
    }
  }

  const usableIdentifiers = identifiers.filter(isNotBlank);
  const p5 = titles
    .map((t) => t.text)
    .filter((t) => (t.match(UNRECOGNIZABLE)?.length ?? 0) > UNRECOGNIZABLE_THRESHOLD || usableIdentifiers.some((id) => t.includes(id)))
    .map((t) => `Unrecognized title: ${abbreviate(t)}`);
  const p6 = titles.filter((t) => t.text.length <= MIN_TITLE_LENGTH).map((t) => `Non meaningful title: ${abbreviate(t.text)}`);
  const p7 = descriptions.every((d) => !isNotBlank(d.text)) ? ['Missing description fields'] : [];
  const p9: string[] = [];
  for (const group of descriptionGroups.values()) {
    const nonBlank = group.filter(isNotBlank);
    if (nonBlank.length === 0 || nonBlank.some((d) => d.length >= MIN_DESCRIPTION_LENGTH)) continue;
    for (const d of nonBlank) p9.push(`Very short description: ${abbreviate(d)}`);
  }
  const p12 = titles.filter((t) => t.text.length > MAX_TITLE_LENGTH).map((t) => `Extremely long title: ${abbreviate(t.text)}`);

  return {
    recordId: view.about,
    titles: titles.map((t) => t.text),
    patterns: [
      ...pattern('P2', p2),
      ...pattern('P3', p3),
      ...pattern('P5', p5),
      ...pattern('P6', p6),
      ...pattern('P7', p7),
      ...pattern('P9', p9),
      ...pattern('P12', p12),
    ],
  };
}

/** The analysis as a step outcome: the record continues, each pattern is a warning (content untouched). */
export function patternOutcome(recordId: string, analysis: RecordPatternAnalysis): StepOutcome<RecordPatternAnalysis> {
  return success(
    recordId,
    undefined,
    analysis,
    analysis.patterns.map((p) => ({ level: 'warn' as const, code: `PATTERN_${p.id}`, message: `${p.id} ${p.title}: ${p.occurrences.join('; ')}` })),
  );
}
