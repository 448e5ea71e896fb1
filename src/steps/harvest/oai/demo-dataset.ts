/**
 * A generated EDM external dataset for demos, tests and benchmarks: record `i` is a pure function of
 * `i` and the options. The structure follows the valid fixture records (metis-sandbox
 * `zip/Record1.xml`: WebResources, one ProvidedCHO, one ore:Aggregation with dataProvider, provider,
 * isShownAt/By, object and rights). A configurable share of records is broken on purpose, in ways
 * the later steps must catch:
 *   - `no-about`: the ProvidedCHO has no rdf:about → "Could not find provider ID in source.";
 *   - `no-rights`: the Aggregation has no edm:rights → fails XSD validation;
 *   - `no-type`: the ProvidedCHO has no edm:type → fails XSD validation.
 */
import { escapeAttr, escapeText } from '../../../edm/xml.ts';

export type DemoDefect = 'no-about' | 'no-rights' | 'no-type';

export interface DemoDatasetOptions {
  /** Share of records broken on purpose, 0..1 (default 0.1). */
  invalidRatio?: number;
  /** Changes which records are broken and the texts (default 1). */
  seed?: number;
  /** Prefix of OAI identifiers (default `oai:demo.metis-streams:`). */
  identifierPrefix?: string;
  /** Base of the media URLs (default `https://media.demo.invalid/`: `.invalid` never resolves). */
  mediaBaseUrl?: string;
  /** Base of the edm:isShownAt landing pages (default `http://demo.metis-streams.invalid/details/`).
   *  Tests that compare runs point it at a local server: a name lookup that fails is timing-dependent. */
  landingPageBaseUrl?: string;
}

export interface DemoRecord {
  index: number;
  /** OAI identifier. */
  identifier: string;
  /** ProvidedCHO rdf:about (also present, as the intended one, for `no-about` records). */
  about: string;
  /** OAI datestamp (day granularity). */
  datestamp: string;
  xml: string;
  defect?: DemoDefect;
}

const DEFECTS: DemoDefect[] = ['no-about', 'no-rights', 'no-type'];
const TYPES = ['TEXT', 'IMAGE', 'SOUND', 'VIDEO'] as const;
const LANGS = ['sl', 'en', 'de', 'fr', 'it', 'pl'];
const SUBJECTS = ['poezija', 'molitve', 'maps', 'photographs', 'music', 'architecture', 'manuscripts', 'costume'];
const RIGHTS = [
  'http://creativecommons.org/publicdomain/mark/1.0/',
  'http://creativecommons.org/licenses/by/4.0/',
  'http://rightsstatements.org/vocab/InC/1.0/',
];
const MIME_EXT: Record<(typeof TYPES)[number], string> = { TEXT: 'pdf', IMAGE: 'jpg', SOUND: 'mp3', VIDEO: 'mp4' };

/** A 32-bit integer hash (Murmur3 finalizer); deterministic spread of defects and values. */
function mix(n: number): number {
  let h = n | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Which defect record `index` has, if any. */
export function demoDefect(index: number, options: DemoDatasetOptions = {}): DemoDefect | undefined {
  const ratio = options.invalidRatio ?? 0.1;
  const h = mix(index * 2654435761 + (options.seed ?? 1));
  if (h / 0x1_0000_0000 >= ratio) return undefined;
  return DEFECTS[(h >>> 3) % DEFECTS.length];
}

/** The OAI identifier of record `index`. */
export function demoIdentifier(index: number, options: DemoDatasetOptions = {}): string {
  return `${options.identifierPrefix ?? 'oai:demo.metis-streams:'}record-${index}`;
}

/** The OAI datestamp of record `index` (cheap: no XML is built). */
export function demoDatestamp(index: number, options: DemoDatasetOptions = {}): string {
  const h = mix(index + (options.seed ?? 1) * 7919);
  const month = String(1 + ((h >>> 20) % 12)).padStart(2, '0');
  const day = String(1 + ((h >>> 24) % 28)).padStart(2, '0');
  return `20${String(10 + ((h >>> 6) % 15))}-${month}-${day}`;
}

/** Generates record `index` (0-based). Pure: the same inputs give the same bytes. */
export function demoRecord(index: number, options: DemoDatasetOptions = {}): DemoRecord {
  const seed = options.seed ?? 1;
  const h = mix(index + seed * 7919);
  const defect = demoDefect(index, options);
  const type = TYPES[h % TYPES.length];
  const lang = LANGS[(h >>> 4) % LANGS.length];
  const year = 1500 + ((h >>> 8) % 520);
  const media = (options.mediaBaseUrl ?? 'https://media.demo.invalid/').replace(/\/?$/, '/');
  const about = `URN:NBN:DEMO:doc-${seed}-${index}`;
  const shownBy = `${media}${index}/main.${MIME_EXT[type]}`;
  const subjects = [SUBJECTS[(h >>> 12) % SUBJECTS.length], SUBJECTS[(h >>> 16) % SUBJECTS.length]];
  const t = (s: string) => escapeText(s);
  const a = (s: string) => escapeAttr(s);

  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:ore="http://www.openarchives.org/ore/terms/" xmlns:dcterms="http://purl.org/dc/terms/" xmlns:skos="http://www.w3.org/2004/02/skos/core#">',
    `<edm:WebResource rdf:about="${a(shownBy)}">`,
    `<dcterms:extent>${(h >>> 5) % 90000} KB</dcterms:extent>`,
    '</edm:WebResource>',
    defect === 'no-about' ? '<edm:ProvidedCHO>' : `<edm:ProvidedCHO rdf:about="${a(about)}">`,
    `<dcterms:issued>${year}</dcterms:issued>`,
    `<dc:creator>Demo Creator ${h % 97}</dc:creator>`,
    `<dc:description xml:lang="${lang}">${t(`Generated demo record ${index} & friends <${type.toLowerCase()}>`)}</dc:description>`,
    `<dc:identifier>DEMO:${index}</dc:identifier>`,
    `<dc:language>${lang}</dc:language>`,
    ...subjects.map((s) => `<dc:subject xml:lang="${lang}">${t(s)}</dc:subject>`),
    `<dc:title xml:lang="${lang}">${t(`Demo object ${index}: ${subjects[0]}, ${year}`)}</dc:title>`,
    `<dc:type xml:lang="${lang}">${t(type.toLowerCase())}</dc:type>`,
    defect === 'no-type' ? '' : `<edm:type>${type}</edm:type>`,
    '</edm:ProvidedCHO>',
    `<ore:Aggregation rdf:about="${a(`http://demo.metis-streams.invalid/aggregation/${index}`)}">`,
    `<edm:aggregatedCHO rdf:resource="${a(about)}"/>`,
    '<edm:dataProvider xml:lang="en">Metis Streams Demo Library</edm:dataProvider>',
    `<edm:isShownAt rdf:resource="${a(`${options.landingPageBaseUrl ?? 'http://demo.metis-streams.invalid/details/'}${index}`)}"/>`,
    `<edm:isShownBy rdf:resource="${a(shownBy)}"/>`,
    `<edm:object rdf:resource="${a(`${media}${index}/thumb.jpg`)}"/>`,
    '<edm:provider>Metis Streams Demo Aggregator</edm:provider>',
    defect === 'no-rights' ? '' : `<edm:rights rdf:resource="${RIGHTS[(h >>> 2) % RIGHTS.length]}"/>`,
    '</ore:Aggregation>',
    '</rdf:RDF>',
  ];
  return {
    index,
    identifier: demoIdentifier(index, options),
    about,
    datestamp: demoDatestamp(index, options),
    xml: lines.filter((l) => l !== '').join('\n') + '\n',
    defect,
  };
}
