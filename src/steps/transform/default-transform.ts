/**
 * The default EDM external → EDM internal conversion (metis-steps.md §5), written in TypeScript over
 * our XML tree. It reproduces what Metis's `default_transformation.xslt` writes, without paying an
 * XSLT engine per record (SaxonJS costs ~2 ms per record; this costs a few tens of microseconds).
 *
 * Output order: empty edm:ProvidedCHO (Europeana id), WebResource*, Agent*, Place*, TimeSpan*,
 * Concept*, provider ore:Aggregation [+ aggregator ore:Aggregation], provider ore:Proxy
 * [+ aggregator ore:Proxy], Europeana ore:Proxy, edm:EuropeanaAggregation, License*, Organization*,
 * Dataset*, Service*.
 *
 * Provenance split: when any ProvidedCHO property carries `@edm:wasGeneratedBy`, those properties
 * go to an aggregator proxy `/proxy/aggregator{id}` (with `ore:lineage` to the provider proxy) and
 * a second aggregation `/aggregation/aggregator{id}` is minted; the others stay on the provider proxy.
 */
import type { EuropeanaGeneratedIds } from '../../edm/ids.ts';
import { NS } from '../../edm/namespaces.ts';
import {
  CHO_PROPERTIES,
  canonicalClassName,
  declareStandardNamespaces,
  expandedName,
  indentChildren,
  propertyRank,
} from '../../edm/sorter.ts';
import {
  type XmlAttr,
  type XmlDocument,
  type XmlElement,
  type XmlNode,
  createElement,
  createText,
} from '../../edm/xml.ts';

/** Stylesheet parameters of the default XSLT. */
export interface DefaultTransformParams {
  /** `{datasetId}_{datasetName}`. Blank → the XSLT's default `exampleName` (Metis sets only non-blank params). */
  datasetName?: string;
  /** English country name, e.g. `Italy`. Blank → `France` (XSLT default). */
  edmCountry?: string;
  /** Lower-case language code, e.g. `it`. Blank → `fr` (XSLT default). */
  edmLanguage?: string;
}

/** Prefixes the default XSLT declares on the output rdf:RDF. */
const OUTPUT_PREFIXES = [
  'adms',
  'cc',
  'crm',
  'dc',
  'dcat',
  'dcterms',
  'doap',
  'ebucore',
  'edm',
  'foaf',
  'odrl',
  'ore',
  'owl',
  'rdaGr2',
  'rdf',
  'rdfs',
  'skos',
  'svcs',
  'wgs84_pos',
  'xs',
] as const;

const DCAT = 'http://www.w3.org/ns/dcat#';

export interface DefaultTransformOptions {
  /**
   * Which property lists the contextual classes keep: `sorter` (default: the current
   * `edm_sorter.xsl` lists, so newer properties are kept) or `default-xslt` (exactly the lists of
   * Metis's `default_transformation.xslt` that steps/rules/ recognises, which drops the newer ones).
   */
  classProperties?: 'sorter' | 'default-xslt';
}

/**
 * `{class} {property}` pairs the sorter keeps but `default_transformation.xslt` does not list (its
 * class templates predate them); the order of the others is the same in both.
 */
const DEFAULT_XSLT_OMITS: ReadonlySet<string> = new Set(
  [
    ['edm:WebResource', 'dc:title dc:language dcterms:temporal edm:pointCount edm:polygonCount edm:vertexCount edm:gaussianCount rdfs:seeAlso edm:type schema:digitalSourceType edm:intendedUsage edm:isRepresentationOf'],
    ['edm:Agent', 'skos:hiddenLabel'],
    ['edm:Place', 'skos:hiddenLabel'],
    ['edm:TimeSpan', 'skos:hiddenLabel'],
    ['skos:Concept', 'skos:hiddenLabel'],
    ['foaf:Organization', 'skos:hiddenLabel'],
    ['svcs:Service', 'rdfs:label'],
  ].flatMap(([cls, props]) => props.split(' ').map((p) => `${qkey(cls)} ${qkey(p)}`)),
);

function qkey(prefixed: string): string {
  const [prefix, local] = prefixed.split(':');
  const uri = prefix === 'schema' ? 'https://schema.org/' : NS[prefix as keyof typeof NS];
  return `{${uri}}${local}`;
}
const key = (ns: string, local: string) => `{${ns}}${local}`;
const CONTEXTUAL_BEFORE = [
  key(NS.edm, 'WebResource'),
  key(NS.edm, 'Agent'),
  key(NS.edm, 'Place'),
  key(NS.edm, 'TimeSpan'),
  key(NS.skos, 'Concept'),
];
const CONTEXTUAL_AFTER = [
  key(NS.cc, 'License'),
  key(NS.foaf, 'Organization'),
  key(DCAT, 'Dataset'),
  key(NS.svcs, 'Service'),
];
const CHO_PROPERTY_KEYS = CHO_PROPERTIES.map((p) => {
  const [prefix, local] = p.split(':');
  return key(NS[prefix as keyof typeof NS], local);
});

const isNsDecl = (a: XmlAttr) => a.name === 'xmlns' || a.prefix === 'xmlns';
const about = (value: string) => ({ name: 'rdf:about', ns: NS.rdf, value });
const resource = (value: string) => ({ name: 'rdf:resource', ns: NS.rdf, value });
const el = (name: string, ns: string, attrs: Array<{ name: string; ns: string; value: string }> = [], text?: string) =>
  createElement(name, ns, attrs, text === undefined ? [] : [createText(text)]);

/**
 * Converts a (sorted, valid) EDM external document into EDM internal.
 * @param doc the parsed external record; it is not modified
 * @param ids the record's generated ids (`generatedIdsForRecord` from `edm/ids.ts`)
 * @returns a new document, ready to serialize
 */
export function transformToInternal(
  doc: XmlDocument,
  ids: EuropeanaGeneratedIds,
  params: DefaultTransformParams = {},
  options: DefaultTransformOptions = {},
): XmlDocument {
  const omit = options.classProperties === 'default-xslt' ? DEFAULT_XSLT_OMITS : undefined;
  const input = doc.root;
  const byClass = new Map<string, XmlElement[]>();
  for (const c of input.children) {
    if (c.kind !== 'element') continue;
    const k = expandedName(c);
    const list = byClass.get(k);
    if (list) list.push(c);
    else byClass.set(k, [c]);
  }
  const of = (k: string) => byClass.get(k) ?? [];
  const chos = of(key(NS.edm, 'ProvidedCHO'));
  const provenance = chos.some((cho) => propertiesOf(cho).some(generatedBy));

  const out: XmlElement[] = [el('edm:ProvidedCHO', NS.edm, [about(ids.europeanaId)])];
  for (const k of CONTEXTUAL_BEFORE) for (const c of of(k)) out.push(copyClass(c, omit));
  for (const agg of of(key(NS.ore, 'Aggregation'))) {
    out.push(providerAggregation(agg, ids));
    if (provenance) out.push(aggregatorAggregation(agg, ids));
  }
  for (const cho of chos) {
    out.push(proxy(cho, ids, true));
    if (provenance) out.push(proxy(cho, ids, false));
    out.push(europeanaProxy(cho, ids, provenance));
  }
  out.push(europeanaAggregation(ids, params));
  for (const k of CONTEXTUAL_AFTER) for (const c of of(k)) out.push(copyClass(c, omit));

  const root = createElement('rdf:RDF', NS.rdf, [], indentChildren(out, 1));
  declareStandardNamespaces(root, OUTPUT_PREFIXES);
  return { root };
}

function propertiesOf(cho: XmlElement): XmlElement[] {
  return cho.children.filter((c): c is XmlElement => c.kind === 'element');
}

const generatedBy = (p: XmlElement) => p.attrs.some((a) => a.ns === NS.edm && a.local === 'wasGeneratedBy');

/** The XSLT's generic `*` template: keeps only rdf:resource, xml:lang and rdf:datatype; copies text and sub-elements. */
function copyProperty(p: XmlElement): XmlElement {
  const attrs: XmlAttr[] = [];
  for (const [ns, local] of [
    [NS.rdf, 'resource'],
    [NS.xml, 'lang'],
    [NS.rdf, 'datatype'],
  ] as const) {
    const a = p.attrs.find((x) => x.ns === ns && x.local === local);
    if (a) attrs.push(a);
  }
  const children: XmlNode[] = [];
  for (const c of p.children) {
    if (c.kind === 'text') children.push(c);
    else if (c.kind === 'element') children.push(copyProperty(c));
  }
  return { kind: 'element', name: p.name, prefix: p.prefix, local: p.local, ns: p.ns, attrs, children, line: 0 };
}

/** Contextual classes: all attributes kept, known properties in schema order, each copied generically. */
function copyClass(c: XmlElement, omit?: ReadonlySet<string>): XmlElement {
  const props: Array<{ rank: number; pos: number; el: XmlElement }> = [];
  c.children.forEach((child, pos) => {
    if (child.kind !== 'element') return;
    if (omit?.has(`${expandedName(c)} ${expandedName(child)}`)) return;
    const rank = propertyRank(c, child);
    if (rank !== undefined) props.push({ rank, pos, el: child });
  });
  props.sort((a, b) => a.rank - b.rank || a.pos - b.pos);
  return {
    kind: 'element',
    // The XSLT writes each class with its own prefix (`xsl:element name="edm:WebResource"`).
    ...canonicalClassName(c),
    ns: c.ns,
    attrs: c.attrs.filter((a) => !isNsDecl(a)),
    children: indentChildren(
      props.map((p) => copyProperty(p.el)),
      2,
    ),
    line: 0,
  };
}

/** `<edm:dataProvider>` built from every `source` element's attributes and direct text (copy-of @*, text()). */
function agentFrom(name: string, sources: XmlElement[]): XmlElement {
  const attrs = new Map<string, XmlAttr>();
  const children: XmlNode[] = [];
  for (const s of sources) {
    for (const a of s.attrs) if (!isNsDecl(a)) attrs.set(key(a.ns, a.local), a);
    for (const c of s.children) if (c.kind === 'text') children.push(c);
  }
  const [prefix, local] = name.split(':');
  return { kind: 'element', name, prefix, local, ns: NS.edm, attrs: [...attrs.values()], children, line: 0 };
}

const kids = (parent: XmlElement, ns: string, local: string) =>
  parent.children.filter((c): c is XmlElement => c.kind === 'element' && c.ns === ns && c.local === local);

function copies(parent: XmlElement, ...names: Array<[string, string]>): XmlElement[] {
  return names.flatMap(([ns, local]) => kids(parent, ns, local).map(copyProperty));
}

function providerAggregation(agg: XmlElement, ids: EuropeanaGeneratedIds): XmlElement {
  const children = [
    el('edm:aggregatedCHO', NS.edm, [resource(ids.europeanaId)]),
    agentFrom('edm:dataProvider', kids(agg, NS.edm, 'dataProvider')),
    ...copies(agg, [NS.edm, 'hasView'], [NS.edm, 'isShownAt'], [NS.edm, 'isShownBy'], [NS.edm, 'object']),
    agentFrom('edm:provider', kids(agg, NS.edm, 'provider')),
    ...copies(agg, [NS.dc, 'rights'], [NS.edm, 'rights'], [NS.edm, 'ugc'], [NS.edm, 'intermediateProvider']),
  ];
  return createElement('ore:Aggregation', NS.ore, [about(ids.providerAggregation)], indentChildren(children, 2));
}

function aggregatorAggregation(agg: XmlElement, ids: EuropeanaGeneratedIds): XmlElement {
  const providers = kids(agg, NS.edm, 'provider');
  const children = [
    el('edm:aggregatedCHO', NS.edm, [resource(ids.europeanaId)]),
    agentFrom('edm:dataProvider', providers),
    ...copies(agg, [NS.edm, 'isShownAt'], [NS.edm, 'isShownBy']),
    agentFrom('edm:provider', providers),
    ...copies(agg, [NS.edm, 'rights']),
  ];
  return createElement('ore:Aggregation', NS.ore, [about(ids.aggregatorAggregation)], indentChildren(children, 2));
}

/** Provider proxy (`dp`) or aggregator proxy: the XOR sends each CHO property to exactly one of them. */
function proxy(cho: XmlElement, ids: EuropeanaGeneratedIds, dp: boolean): XmlElement {
  const byName = new Map<string, XmlElement[]>();
  for (const p of propertiesOf(cho)) {
    const k = expandedName(p);
    const list = byName.get(k);
    if (list) list.push(p);
    else byName.set(k, [p]);
  }
  const pick = (k: string, test: (p: XmlElement) => boolean) => (byName.get(k) ?? []).filter(test).map(copyProperty);
  const mine = (p: XmlElement) => dp !== generatedBy(p);
  const children: XmlElement[] = [];
  for (const k of CHO_PROPERTY_KEYS) children.push(...pick(k, mine));
  children.push(...pick(key(NS.edm, 'userTag'), mine));
  // The XSLT tests `@edm:pid` (never present) here, so edm:pid lands on the provider proxy only.
  children.push(...pick(key(NS.edm, 'pid'), (p) => dp !== p.attrs.some((a) => a.ns === NS.edm && a.local === 'pid')));
  children.push(el('edm:europeanaProxy', NS.edm, [], 'false'));
  children.push(el('ore:proxyFor', NS.ore, [resource(ids.europeanaId)]));
  children.push(el('ore:proxyIn', NS.ore, [resource(dp ? ids.providerAggregation : ids.aggregatorAggregation)]));
  if (!dp) children.push(el('ore:lineage', NS.ore, [resource(ids.providerProxy)]));
  children.push(...pick(key(NS.edm, 'type'), () => true));
  children.push(...pick(key(NS.owl, 'sameAs'), mine));
  const id = dp ? ids.providerProxy : ids.aggregatorProxy;
  return createElement('ore:Proxy', NS.ore, [about(id)], indentChildren(children, 2));
}

function europeanaProxy(cho: XmlElement, ids: EuropeanaGeneratedIds, provenance: boolean): XmlElement {
  const original = cho.attrs.find((a) => a.ns === NS.rdf && a.local === 'about')?.value ?? '';
  const children = [
    el('dc:identifier', NS.dc, [], original),
    el('edm:europeanaProxy', NS.edm, [], 'true'),
    el('ore:proxyFor', NS.ore, [resource(ids.europeanaId)]),
    el('ore:proxyIn', NS.ore, [resource(ids.europeanaAggregation)]),
    el('ore:lineage', NS.ore, [resource(ids.providerProxy)]),
  ];
  if (provenance) children.push(el('ore:lineage', NS.ore, [resource(ids.aggregatorProxy)]));
  return createElement('ore:Proxy', NS.ore, [about(ids.europeanaProxy)], indentChildren(children, 2));
}

function europeanaAggregation(ids: EuropeanaGeneratedIds, params: DefaultTransformParams): XmlElement {
  const lang = { name: 'xml:lang', ns: NS.xml, value: 'en' };
  const orDefault = (v: string | undefined, d: string) => (v && v.trim() !== '' ? v : d);
  const children = [
    el('edm:aggregatedCHO', NS.edm, [resource(ids.europeanaId)]),
    el('edm:dataProvider', NS.edm, [lang], 'Europeana Foundation'),
    el('edm:provider', NS.edm, [lang], 'Europeana Foundation'),
    el('edm:datasetName', NS.edm, [], orDefault(params.datasetName, 'exampleName')),
    el('edm:country', NS.edm, [], orDefault(params.edmCountry, 'France')),
    el('edm:language', NS.edm, [], orDefault(params.edmLanguage, 'fr')),
  ];
  return createElement(
    'edm:EuropeanaAggregation',
    NS.edm,
    [about(ids.europeanaAggregation)],
    indentChildren(children, 2),
  );
}
