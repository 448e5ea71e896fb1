/**
 * Metadata tier (0, A, B, C) = min(language, enabling elements, contextual classes)
 * (metis-steps.md §14.2; Metis `LanguageClassifier`, `EnablingElementsClassifier`,
 * `ContextualClassesClassifier`). Computed over the provider proxies (the record's metadata tier)
 * or over all proxies (with Europeana-proxy enrichment links; the Europeana quality annotation).
 * One file, though over 300 lines: the three classifiers share one proxy walk and are read side by
 * side with Metis's; splitting them would scatter one rule set.
 */
import { isNotBlank, type EdmView, type Entity, type EntityClass, type PropertyValue, type Proxy } from './edm-view.ts';

export type MetadataTier = '0' | 'A' | 'B' | 'C';
export type ProxyMode = 'PROVIDER_PROXIES' | 'ALL_PROXIES';

const ORDER: MetadataTier[] = ['0', 'A', 'B', 'C'];

/** The lower of metadata tiers. */
export function minMetadataTier(...tiers: MetadataTier[]): MetadataTier {
  return tiers.reduce((a, b) => (ORDER.indexOf(a) <= ORDER.indexOf(b) ? a : b));
}

export interface LanguageBreakdown {
  tier: MetadataTier;
  /** Distinct candidate property types with a value. */
  qualifiedElements: number;
  qualifiedElementsWithLanguage: number;
  /** Percentage of qualified elements with language (0 when none qualify), unrounded as in Metis. */
  qualifiedElementsWithLanguagePercentage: number;
  qualifiedElementsWithoutLanguage: string[];
}

export interface EnablingElementsBreakdown {
  tier: MetadataTier;
  distinctEnablingElements: string[];
  /** Contextual classes of the groups reached (`edm:TimeSpan`, `skos:Concept`, `edm:Agent`, `edm:Place`). */
  metadataGroups: string[];
}

export interface ContextualClassesBreakdown {
  tier: MetadataTier;
  /** Referenced entities that meet their class's completeness rule. */
  completeContextualResources: number;
  distinctClassesOfCompleteContextualResources: EntityClass[];
}

export interface MetadataTierResult {
  tier: MetadataTier;
  language: LanguageBreakdown;
  enablingElements: EnablingElementsBreakdown;
  contextualClasses: ContextualClassesBreakdown;
}

// ---- language ----

const LANGUAGE_PROPERTIES = [
  'dc:coverage',
  'dc:description',
  'dc:format',
  'dc:relation',
  'dc:rights',
  'dc:source',
  'dc:subject',
  'dc:title',
  'dc:type',
  'dcterms:alternative',
  'dcterms:hasPart',
  'dcterms:isPartOf',
  'dcterms:isReferencedBy',
  'dcterms:medium',
  'dcterms:provenance',
  'dcterms:references',
  'dcterms:spatial',
  'dcterms:tableOfContents',
  'dcterms:temporal',
  'edm:currentLocation',
  'edm:hasType',
  'edm:isRelatedTo',
];
/** Literal-only properties in the EDM model: an rdf:resource on them is not read. */
const LITERAL_ONLY = new Set(['dc:title', 'dcterms:alternative']);
const LANGUAGE_ENTITY_CLASSES = new Set<EntityClass>(['edm:Place', 'edm:TimeSpan', 'skos:Concept']);

function languageTier(ratio: number): MetadataTier {
  if (ratio < 0.25) return '0';
  if (ratio < 0.5) return 'A';
  if (ratio < 0.75) return 'B';
  return 'C';
}

export function classifyLanguage(view: EdmView, proxies: Proxy[]): LanguageBreakdown {
  // Places, TimeSpans and Concepts with a prefLabel carrying both text and a language.
  const entitiesWithLanguage = new Set<string>();
  for (const e of view.entities) {
    if (!LANGUAGE_ENTITY_CLASSES.has(e.cls)) continue;
    if (e.values.some((v) => v.name === 'skos:prefLabel' && v.text && isNotBlank(v.lang)))
      entitiesWithLanguage.add(e.about);
  }
  const qualified = new Set<string>();
  const withLanguage = new Set<string>();
  for (const p of proxies) {
    for (const v of p.values) {
      if (!LANGUAGE_PROPERTIES.includes(v.name)) continue;
      if (v.text) {
        qualified.add(v.name);
        if (v.lang) withLanguage.add(v.name);
      }
      if (v.resource && !LITERAL_ONLY.has(v.name)) {
        qualified.add(v.name);
        if (entitiesWithLanguage.has(v.resource)) withLanguage.add(v.name);
      }
    }
  }
  const ratio = qualified.size === 0 ? 0 : withLanguage.size / qualified.size;
  return {
    tier: languageTier(ratio),
    qualifiedElements: qualified.size,
    qualifiedElementsWithLanguage: withLanguage.size,
    qualifiedElementsWithLanguagePercentage: ratio * 100,
    qualifiedElementsWithoutLanguage: LANGUAGE_PROPERTIES.filter((n) => qualified.has(n) && !withLanguage.has(n)),
  };
}

// ---- enabling elements ----

type Group = 'TEMPORAL' | 'CONCEPTUAL' | 'PERSONAL' | 'GEOGRAPHICAL';
const GROUP_CLASS: Record<Group, EntityClass> = {
  TEMPORAL: 'edm:TimeSpan',
  CONCEPTUAL: 'skos:Concept',
  PERSONAL: 'edm:Agent',
  GEOGRAPHICAL: 'edm:Place',
};

/** Enabling elements in Metis's enum order: a fixed group, or groups decided by the linked entity's class. */
const ENABLING_ELEMENTS: Array<{ name: string; fixed?: Group; candidates?: Group[] }> = [
  { name: 'dcterms:created', fixed: 'TEMPORAL' },
  { name: 'dcterms:issued', fixed: 'TEMPORAL' },
  { name: 'dcterms:temporal', fixed: 'TEMPORAL' },
  { name: 'dc:format', fixed: 'CONCEPTUAL' },
  { name: 'dc:type', fixed: 'CONCEPTUAL' },
  { name: 'dcterms:medium', fixed: 'CONCEPTUAL' },
  { name: 'dc:creator', fixed: 'PERSONAL' },
  { name: 'dc:contributor', fixed: 'PERSONAL' },
  { name: 'dc:publisher', fixed: 'PERSONAL' },
  { name: 'dcterms:spatial', fixed: 'GEOGRAPHICAL' },
  { name: 'edm:currentLocation', fixed: 'GEOGRAPHICAL' },
  { name: 'edm:hasMet', candidates: ['TEMPORAL', 'PERSONAL'] },
  { name: 'dc:subject', candidates: ['CONCEPTUAL', 'PERSONAL', 'GEOGRAPHICAL'] },
];
/** edm:hasMet is a resource-only property: a literal on it is not read. */
const RESOURCE_ONLY = new Set(['edm:hasMet']);

function enablingTier(groups: number, elements: number): MetadataTier {
  if (groups >= 2 && elements >= 4) return 'C';
  if (groups >= 2 && elements >= 3) return 'B';
  if (groups >= 1 && elements >= 1) return 'A';
  return '0';
}

export function classifyEnablingElements(view: EdmView, proxies: Proxy[]): EnablingElementsBreakdown {
  const values = proxies.flatMap((p) => p.values);
  const elements: string[] = [];
  const groups = new Set<Group>();
  for (const el of ENABLING_ELEMENTS) {
    const own = values.filter((v) => v.name === el.name);
    const found = new Set<Group>();
    if (el.fixed) {
      if (own.some((v) => v.resource || (v.text && !RESOURCE_ONLY.has(v.name)))) found.add(el.fixed);
    } else {
      for (const v of own) {
        if (!v.resource) continue;
        const classes = new Set((view.entitiesByAbout.get(v.resource) ?? []).map((e) => e.cls));
        for (const g of el.candidates ?? []) if (classes.has(GROUP_CLASS[g])) found.add(g);
      }
    }
    if (found.size > 0) {
      elements.push(el.name);
      for (const g of found) groups.add(g);
    }
  }
  return {
    tier: enablingTier(groups.size, elements.length),
    distinctEnablingElements: elements,
    metadataGroups: (Object.keys(GROUP_CLASS) as Group[]).filter((g) => groups.has(g)).map((g) => GROUP_CLASS[g]),
  };
}

// ---- contextual classes ----

/** Proxy properties whose rdf:resource counts as an entity reference (`ResourceLinkFromProxy`). */
const LINK_PROPERTIES = new Set([
  'ore:proxyFor',
  'ore:proxyIn',
  'owl:sameAs',
  'edm:currentLocation',
  'edm:hasMet',
  'edm:hasType',
  'edm:incorporates',
  'edm:isDerivativeOf',
  'edm:isNextInSequence',
  'edm:isRelatedTo',
  'edm:isRepresentationOf',
  'edm:isSimilarTo',
  'edm:isSuccessorOf',
  'edm:realizes',
  ...[
    'contributor',
    'coverage',
    'creator',
    'date',
    'description',
    'format',
    'publisher',
    'relation',
    'rights',
    'source',
    'subject',
    'type',
  ].map((l) => `dc:${l}`),
  ...[
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
  ].map((l) => `dcterms:${l}`),
]);

const has = (
  values: PropertyValue[],
  names: string[],
  opts: { literal?: boolean; resource?: boolean } = { literal: true, resource: true },
) => values.some((v) => names.includes(v.name) && ((opts.literal && !!v.text) || (opts.resource && !!v.resource)));

/** Whether a contextual entity is "complete" enough to count for its class. */
export function entityQualifies(e: Entity): boolean {
  const v = e.values;
  const prefLabel = has(v, ['skos:prefLabel'], { literal: true });
  switch (e.cls) {
    case 'edm:Agent':
      return (
        prefLabel &&
        (has(v, ['edm:begin', 'rdaGr2:dateOfBirth'], { literal: true }) ||
          has(v, ['rdaGr2:placeOfBirth']) ||
          has(v, ['edm:end', 'rdaGr2:dateOfDeath'], { literal: true }) ||
          has(v, ['rdaGr2:placeOfDeath']) ||
          has(v, ['rdaGr2:professionOrOccupation']))
      );
    case 'skos:Concept':
      return (
        prefLabel &&
        (has(v, ['skos:note'], { literal: true }) ||
          has(v, ['skos:broader', 'skos:narrower', 'skos:exactMatch', 'skos:closeMatch', 'skos:related'], {
            resource: true,
          }))
      );
    case 'edm:Place': {
      const num = (n: string) => v.some((x) => x.name === n && x.text !== '' && Number.isFinite(Number(x.text)));
      return prefLabel && num('wgs84_pos:lat') && num('wgs84_pos:long');
    }
    case 'edm:TimeSpan':
      return has(v, ['edm:begin'], { literal: true }) && has(v, ['edm:end'], { literal: true });
  }
}

export function classifyContextualClasses(view: EdmView, proxies: Proxy[]): ContextualClassesBreakdown {
  const referenced = new Set<string>();
  for (const p of proxies)
    for (const v of p.values) if (v.resource && LINK_PROPERTIES.has(v.name)) referenced.add(v.resource);
  const complete = new Set<string>();
  const classes = new Set<EntityClass>();
  for (const e of view.entities) {
    if (!referenced.has(e.about) || !entityQualifies(e)) continue;
    complete.add(e.about);
    classes.add(e.cls);
  }
  const order: EntityClass[] = ['edm:Agent', 'skos:Concept', 'edm:Place', 'edm:TimeSpan'];
  return {
    tier: classes.size > 1 ? 'C' : classes.size === 1 ? 'B' : 'A',
    completeContextualResources: complete.size,
    distinctClassesOfCompleteContextualResources: order.filter((c) => classes.has(c)),
  };
}

/** Computes the metadata tier over provider proxies (default) or all proxies. */
export function computeMetadataTier(view: EdmView, mode: ProxyMode = 'PROVIDER_PROXIES'): MetadataTierResult {
  const proxies = mode === 'ALL_PROXIES' ? view.proxies : view.providerProxies;
  const language = classifyLanguage(view, proxies);
  const enablingElements = classifyEnablingElements(view, proxies);
  const contextualClasses = classifyContextualClasses(view, proxies);
  return {
    tier: minMetadataTier(language.tier, enablingElements.tier, contextualClasses.tier),
    language,
    enablingElements,
    contextualClasses,
  };
}
