/**
 * The data enrichment writes after merging (EnrichmentUtils.setAdditionalData, metis-steps.md §8.3):
 * `edm:completeness` (0–10) on the Europeana aggregation and `edm:year` on the Europeana proxy.
 */
import { readFile } from 'node:fs/promises';
import { NS } from '../../edm/namespaces.ts';
import { childElements, createText, textContent, type XmlElement } from '../../edm/xml.ts';
import { createInRecord, insertOrdered, removeChild, resourceOf, type RecordParts } from './record.ts';

/** Era words: years written with an AD word stay positive, with a BC word become negative. */
export interface EraWords {
  ad: string[];
  bc: string[];
}

/**
 * A small default list. Metis ships longer multilingual lists (`adList`, `bcList` in
 * metis-enrichment-client's resources); load those with `loadEraWords`.
 */
export const DEFAULT_ERA_WORDS: EraWords = {
  ad: ['AD', 'A.D.', 'CE', 'C.E.', 'after christ'],
  bc: ['BC', 'B.C.', 'BCE', 'B.C.E.', 'before christ'],
};

/** Reads era word files in Metis's format: one word per line, trimmed, blank lines skipped. */
export async function loadEraWords(adPath: string | URL, bcPath: string | URL): Promise<EraWords> {
  const lines = (t: string) => [
    ...new Set(
      t
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length > 0),
    ),
  ];
  return { ad: lines(await readFile(adPath, 'utf8')), bc: lines(await readFile(bcPath, 'utf8')) };
}

// Java's \s and \d (ASCII only), and Pattern.CASE_INSENSITIVE (ASCII-only case folding).
const S = '[ \\t\\n\\x0B\\f\\r]*';
const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
const quote = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Parses year strings as Metis's YearParser does: `-?digits`, or digits with an era word before or after. */
export class YearParser {
  private readonly ad: RegExp[];
  private readonly bc: RegExp[];

  constructor(words: EraWords = DEFAULT_ERA_WORDS) {
    const patterns = (list: string[]) =>
      list.flatMap((w) => {
        const q = quote(asciiLower(w));
        return [new RegExp(`^${S}${q}${S}([0-9]+)${S}$`), new RegExp(`^${S}([0-9]+)${S}${q}${S}$`)];
      });
    this.ad = patterns(words.ad);
    this.bc = patterns(words.bc);
  }

  /** The year, or undefined when the whole string is not a year. */
  parse(input: string): number | undefined {
    const plain = new RegExp(`^${S}(-?[0-9]+)${S}$`).exec(input);
    if (plain) return toInt(plain[1]);
    const lower = asciiLower(input);
    for (const p of this.ad) {
      const m = p.exec(lower);
      if (m) return toInt(m[1]);
    }
    for (const p of this.bc) {
      const m = p.exec(lower);
      const y = m ? toInt(m[1]) : undefined;
      if (y !== undefined) return -y;
    }
    return undefined;
  }
}

/** Java Integer.valueOf: out-of-range values fail (and are skipped). */
function toInt(s: string): number | undefined {
  const v = Number(s);
  return Number.isSafeInteger(v) && v >= -2147483648 && v <= 2147483647 ? v : undefined;
}

/**
 * Distinct values in the iteration order of a java.util.HashSet<Integer> built from them (the
 * order Metis writes edm:year in): by bucket of the final table, insertion order within a bucket.
 */
export function javaHashSetOrder(values: number[]): number[] {
  const distinct = [...new Set(values)];
  let capacity = 16;
  while (distinct.length > capacity * 0.75) capacity *= 2;
  const bucket = (v: number) => (v ^ (v >>> 16)) & (capacity - 1);
  return distinct
    .map((v, i) => ({ v, i, b: bucket(v) }))
    .sort((a, b) => a.b - b.b || a.i - b.i)
    .map((x) => x.v);
}

const TAG_FIELDS: Array<[string, string]> = [
  ...[
    'alternative',
    'conformsTo',
    'created',
    'extent',
    'hasFormat',
    'hasPart',
    'hasVersion',
    'isFormatOf',
    'isPartOf',
    'isReferencedBy',
    'isReplacedBy',
    'isRequiredBy',
    'issued',
    'isVersionOf',
    'medium',
    'provenance',
    'references',
    'replaces',
    'requires',
    'spatial',
    'tableOfContents',
    'temporal',
  ].map((l): [string, string] => [NS.dcterms, l]),
  ...[
    'identifier',
    'language',
    'coverage',
    'contributor',
    'creator',
    'date',
    'format',
    'publisher',
    'relation',
    'rights',
    'source',
    'subject',
  ].map((l): [string, string] => [NS.dc, l]),
];
const TAG_KEYS = new Set(TAG_FIELDS.map(([ns, l]) => ns + l));

/** Literal text (trimmed) or, when there is none, the resource: Metis's value of a field. */
function fieldValue(el: XmlElement): string | undefined {
  const text = textContent(el).trim();
  return text || resourceOf(el);
}

/** Java `split("\\W")` words of at least 3 characters, lower-cased. */
function words(fields: string[]): number {
  let n = 0;
  for (const f of fields) for (const w of f.split(/[^A-Za-z0-9_]/)) if (w.length >= 3) n++;
  return n;
}

/** Europeana completeness of the provider proxy and aggregation: 0–10. */
export function computeCompleteness(providerProxy: XmlElement, aggregation: XmlElement | undefined): number {
  const tags = new Map<string, string>();
  const titles: string[] = [];
  const descriptions: string[] = [];
  for (const el of childElements(providerProxy)) {
    const key = el.ns + el.local;
    if (TAG_KEYS.has(key) && !tags.has(key)) {
      const v = fieldValue(el);
      if (v) tags.set(key, v);
    } else if (key === `${NS.dc}title`) titles.push(textContent(el).trim());
    else if (key === `${NS.dc}description`) descriptions.push(fieldValue(el) ?? '');
  }
  const object = aggregation ? childElements(aggregation, NS.edm, 'object')[0] : undefined;
  const thumbnail = object ? resourceOf(object) : undefined;
  const blank = (l: string[]) => l.every((s) => s.trim() === '');
  if (!thumbnail || (blank(titles) && blank(descriptions))) return 0;
  const tagPoints = Math.min(5, words([...tags.values()]));
  const textPoints = Math.min(5, Math.floor(words([...descriptions, ...titles]) / 5));
  return tagPoints + textPoints;
}

const YEAR_FIELDS = new Set([`${NS.dc}date`, `${NS.dcterms}temporal`, `${NS.dcterms}created`, `${NS.dcterms}issued`]);
const AFTER_YEAR = new Set([
  `${NS.ore}proxyFor`,
  `${NS.ore}proxyIn`,
  `${NS.ore}lineage`,
  `${NS.edm}type`,
  `${NS.owl}sameAs`,
]);
const AFTER_COMPLETENESS = new Set([`${NS.dcterms}created`, `${NS.dcterms}modified`, `${NS.dqv}hasQualityAnnotation`]);

/**
 * Writes edm:completeness and edm:year. Like Metis, does nothing unless the record has both a
 * provider proxy and a Europeana proxy; replaces earlier values. Returns what it wrote.
 */
export function setAdditionalData(
  parts: RecordParts,
  yearParser: YearParser,
): { completeness?: number; years: number[] } {
  const provider = parts.providerProxies[0];
  const europeana = parts.europeanaProxy;
  if (!provider || !europeana) return { years: [] };
  let completeness: number | undefined;
  if (parts.europeanaAggregation) {
    completeness = computeCompleteness(provider, parts.aggregations[0]);
    const agg = parts.europeanaAggregation;
    for (const old of childElements(agg, NS.edm, 'completeness')) removeChild(agg, old);
    const el = createInRecord(parts.root, NS.edm, 'completeness');
    el.children.push(createText(String(completeness)));
    insertOrdered(agg, el, (c) => AFTER_COMPLETENESS.has(c.ns + c.local));
  }
  const found: number[] = [];
  for (const el of childElements(provider)) {
    if (!YEAR_FIELDS.has(el.ns + el.local)) continue;
    const y = yearParser.parse(textContent(el));
    if (y !== undefined) found.push(y);
  }
  const years = javaHashSetOrder(found);
  for (const old of childElements(europeana, NS.edm, 'year')) removeChild(europeana, old);
  for (const y of years) {
    const el = createInRecord(parts.root, NS.edm, 'year');
    el.children.push(createText(String(y)));
    insertOrdered(europeana, el, (c) => AFTER_YEAR.has(c.ns + c.local));
  }
  return { completeness, years };
}
