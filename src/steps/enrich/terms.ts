/**
 * What enrichment and dereferencing look up in a record (metis-steps.md §8.1 and §8.2): the URIs to
 * dereference, the literal search terms per field type, and the link reference terms.
 */
import { iso6393To1 } from 'iso-639-3/iso6393-to-1.js';
import { NS } from '../../edm/namespaces.ts';
import { childElements, getAttr, textContent, type XmlElement } from '../../edm/xml.ts';
import { resourceOf, type FieldName, type RecordParts } from './record.ts';
import type { EntityType } from './types.ts';

/** An enrichment field: where it lives and which entity type it takes. */
export interface EnrichmentField extends FieldName {
  type: EntityType;
  /** Proxy fields get links in the Europeana proxy; aggregation fields are replaced in place. */
  on: 'proxy' | 'aggregation';
}

const f = (ns: string, local: string, type: EntityType, on: 'proxy' | 'aggregation' = 'proxy'): EnrichmentField => ({
  ns,
  local,
  type,
  on,
});

/** The field → entity-type table (ProxyFieldType and AggregationFieldType). */
export const ENRICHMENT_FIELDS: readonly EnrichmentField[] = [
  f(NS.dc, 'creator', 'agent'),
  f(NS.dc, 'contributor', 'agent'),
  f(NS.dc, 'date', 'timespan'),
  f(NS.dcterms, 'issued', 'timespan'),
  f(NS.dcterms, 'created', 'timespan'),
  f(NS.dcterms, 'temporal', 'timespan'),
  f(NS.dc, 'coverage', 'place'),
  f(NS.dcterms, 'spatial', 'place'),
  f(NS.dc, 'type', 'concept'),
  f(NS.dc, 'subject', 'concept'),
  f(NS.dcterms, 'medium', 'concept'),
  f(NS.dc, 'format', 'concept'),
  f(NS.edm, 'provider', 'organization', 'aggregation'),
  f(NS.edm, 'dataProvider', 'organization', 'aggregation'),
  f(NS.edm, 'intermediateProvider', 'organization', 'aggregation'),
];

const PROXY_FIELDS = ENRICHMENT_FIELDS.filter((x) => x.on === 'proxy');
const AGGREGATION_FIELDS = ENRICHMENT_FIELDS.filter((x) => x.on === 'aggregation');

/** Literal values found in the record, merged per (value, language). */
export interface SearchTerm {
  text: string;
  /** xml:lang as written ('' when absent). */
  lang: string;
  fields: EnrichmentField[];
}

/** Links found in the record (or sameAs links of linked entities), with the fields they came from. */
export interface ReferenceTerm {
  uri: string;
  fields: EnrichmentField[];
}

function addField(list: EnrichmentField[], field: EnrichmentField): void {
  if (!list.includes(field)) list.push(field);
}

/** Literal search terms of the provider proxies and provider aggregations (MetisRecordParser.parseSearchTerms). */
export function searchTerms(parts: RecordParts): SearchTerm[] {
  const terms = new Map<string, SearchTerm>();
  const collect = (holders: XmlElement[], fields: readonly EnrichmentField[]) => {
    const byName = new Map(fields.map((x) => [x.ns + x.local, x]));
    // Document order, so lookups and merges follow the record.
    for (const holder of holders) {
      for (const el of childElements(holder)) {
        const field = byName.get(el.ns + el.local);
        if (!field) continue;
        const text = textContent(el).trim();
        if (!text) continue;
        const lang = getAttr(el, NS.xml, 'lang') ?? '';
        const key = `${text}\u0000${lang}`;
        let term = terms.get(key);
        if (!term) terms.set(key, (term = { text, lang, fields: [] }));
        addField(term.fields, field);
      }
    }
  };
  collect(parts.providerProxies, PROXY_FIELDS);
  collect(parts.aggregations, AGGREGATION_FIELDS);
  return [...terms.values()];
}

/**
 * Link reference terms (MetisRecordParser.parseReferences): links of the enrichment fields on all
 * proxies, aggregation links that are not entities of the record, plus the owl:sameAs /
 * skos:exactMatch links of record entities that one of those links points to.
 */
export function referenceTerms(parts: RecordParts): ReferenceTerm[] {
  const terms = new Map<string, ReferenceTerm>();
  const add = (uri: string, field: EnrichmentField) => {
    let term = terms.get(uri);
    if (!term) terms.set(uri, (term = { uri, fields: [] }));
    addField(term.fields, field);
  };
  const proxies = [...parts.providerProxies, ...(parts.europeanaProxy ? [parts.europeanaProxy] : [])];
  for (const proxy of proxies) {
    for (const field of PROXY_FIELDS) {
      for (const el of childElements(proxy, field.ns, field.local)) {
        const uri = resourceOf(el);
        if (uri) add(uri, field);
      }
    }
  }
  for (const agg of parts.aggregations) {
    for (const field of AGGREGATION_FIELDS) {
      for (const el of childElements(agg, field.ns, field.local)) {
        const uri = resourceOf(el);
        if (uri && !parts.entities.has(uri)) add(uri, field);
      }
    }
  }
  for (const direct of [...terms.values()]) {
    const entity = parts.entities.get(direct.uri);
    if (!entity || entity.ns + entity.local === `${NS.foaf}Organization`) continue;
    const links =
      entity.ns === NS.skos ? childElements(entity, NS.skos, 'exactMatch') : childElements(entity, NS.owl, 'sameAs');
    for (const link of links) {
      const uri = resourceOf(link);
      if (uri) for (const field of direct.fields) add(uri, field);
    }
  }
  return [...terms.values()];
}

const n = (ns: string, locals: string[]): FieldName[] => locals.map((local) => ({ ns, local }));

const DEREF_PROXY_FIELDS: FieldName[] = [
  ...n(NS.edm, [
    'hasMet',
    'hasType',
    'incorporates',
    'isDerivativeOf',
    'isRelatedTo',
    'isSimilarTo',
    'isSuccessorOf',
    'realizes',
    'currentLocation',
  ]),
  ...n(NS.dc, [
    'contributor',
    'coverage',
    'creator',
    'date',
    'format',
    'publisher',
    'relation',
    'source',
    'subject',
    'type',
  ]),
  ...n(NS.dcterms, [
    'created',
    'extent',
    'hasFormat',
    'hasVersion',
    'isFormatOf',
    'isReferencedBy',
    'isReplacedBy',
    'isRequiredBy',
    'isVersionOf',
    'medium',
    'references',
    'replaces',
    'spatial',
    'temporal',
    'issued',
  ]),
];
const DEREF_ENTITY_FIELDS = new Map<string, FieldName[]>([
  [
    `${NS.edm}Agent`,
    [
      { ns: NS.rdaGr2, local: 'professionOrOccupation' },
      { ns: NS.dcterms, local: 'isPartOf' },
    ],
  ],
  [`${NS.skos}Concept`, [{ ns: NS.skos, local: 'broader' }]],
  [`${NS.edm}Place`, [{ ns: NS.dcterms, local: 'isPartOf' }]],
  [`${NS.edm}TimeSpan`, [{ ns: NS.dcterms, local: 'isPartOf' }]],
  [`${NS.edm}WebResource`, n(NS.dcterms, ['created', 'extent', 'format', 'isFormatOf', 'issued'])],
]);
const DEREF_AGGREGATION_FIELDS = n(NS.edm, ['dataProvider', 'provider', 'intermediateProvider']);

/**
 * URIs to dereference (DereferenceUtils.extractReferencesForDereferencing), in document order,
 * without those already present as an Agent, Concept, Place or TimeSpan of the record.
 */
export function dereferenceUris(parts: RecordParts): string[] {
  const uris = new Set<string>();
  const collect = (holder: XmlElement, fields: FieldName[]) => {
    for (const field of fields)
      for (const el of childElements(holder, field.ns, field.local)) {
        const uri = resourceOf(el);
        if (uri) uris.add(uri);
      }
  };
  for (const proxy of parts.providerProxies) collect(proxy, DEREF_PROXY_FIELDS);
  for (const el of childElements(parts.root)) {
    const fields = DEREF_ENTITY_FIELDS.get(el.ns + el.local);
    if (fields) collect(el, fields);
  }
  for (const agg of parts.aggregations) collect(agg, DEREF_AGGREGATION_FIELDS);
  const present = new Set<string>();
  for (const [about, el] of parts.entities) if (el.ns + el.local !== `${NS.foaf}Organization`) present.add(about);
  return [...uris].filter((u) => !present.has(u));
}

/**
 * The language parameter for the Entity API (LanguageCodeConverter): a two-letter code is kept, a
 * three-letter ISO 639-2/T code becomes its two-letter one, anything else is dropped.
 */
export function entityApiLanguage(lang: string): string | undefined {
  const code = lang.trim().toLowerCase();
  if (/^[a-z]{2}$/.test(code)) return TWO_LETTER.has(code) ? code : undefined;
  if (/^[a-z]{3}$/.test(code)) return (iso6393To1 as Record<string, string>)[code];
  return undefined;
}

const TWO_LETTER = new Set(Object.values(iso6393To1 as Record<string, string>));
