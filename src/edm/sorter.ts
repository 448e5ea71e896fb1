/**
 * The EDM element sorter (metis-steps.md §4 step 1): re-orders an EDM record so that it follows the
 * `xs:sequence` order of the EDM schemas, as Metis's `edm_sorter.xsl` does before validation.
 *
 * Behaviour (same as the Metis sorter):
 * - top-level classes are written in the fixed class order below; other top-level elements are dropped;
 * - inside each class, the known properties are written in schema order (document order among equal
 *   names); unknown properties and comments are dropped;
 * - attributes of classes and properties are kept; property content is copied as is;
 * - `rdf:RDF` gets the standard Europeana namespace declarations; prefixes bound differently in the
 *   input are re-declared where they are used (see `declareStandardNamespaces`).
 *
 * Also exports the namespace fix-up used by the default transformation, which rebuilds records too.
 */
import { errors } from '../errors/index.ts';
import { NS } from './namespaces.ts';
import { type XmlAttr, type XmlDocument, type XmlElement, type XmlNode, createText } from './xml.ts';

/** Namespaces the Metis sorter and default XSLT know beyond `NS`. */
export const EXTRA_NS = {
  dcat: 'http://www.w3.org/ns/dcat#',
  schema: 'https://schema.org/',
  xs: 'http://www.w3.org/2001/XMLSchema',
} as const;

const PREFIXES: Record<string, string> = { ...NS, ...EXTRA_NS };

/**
 * Prefixes declared on `rdf:RDF` by the sorter: the declarations of Metis's `edm_sorter.xsl` (its
 * literal `rdf:RDF` carries them all; it declares no `crm`).
 */
export const SORTER_ROOT_PREFIXES = [
  'adms',
  'cc',
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
  'schema',
  'skos',
  'svcs',
  'wgs84_pos',
] as const;

/** `{ns}local` key of an element, used for order lookups. */
export function expandedName(el: { ns: string; local: string }): string {
  return `{${el.ns}}${el.local}`;
}

function qname(prefixed: string): string {
  const [prefix, local] = prefixed.split(':', 2);
  const uri = PREFIXES[prefix];
  if (uri === undefined) throw errors.INTERNAL({ detail: `unknown prefix in sorter table: ${prefixed}` });
  return `{${uri}}${local}`;
}

const words = (s: string) => s.trim().split(/\s+/);

/** Descriptive properties of ProvidedCHO / Proxy, in schema order (shared head of both lists). */
export const CHO_PROPERTIES = words(`
  dc:contributor dc:coverage dc:creator dc:date dc:description dc:format dc:identifier dc:language
  dc:publisher dc:relation dc:rights dc:source dc:subject dc:title dc:type dcterms:alternative
  dcterms:conformsTo dcterms:created dcterms:extent dcterms:hasFormat dcterms:hasPart dcterms:hasVersion
  dcterms:isFormatOf dcterms:isPartOf dcterms:isReferencedBy dcterms:isReplacedBy dcterms:isRequiredBy
  dcterms:issued dcterms:isVersionOf dcterms:medium dcterms:provenance dcterms:references dcterms:replaces
  dcterms:requires dcterms:spatial dcterms:tableOfContents dcterms:temporal edm:currentLocation edm:hasMet
  edm:hasType edm:incorporates edm:isDerivativeOf edm:isNextInSequence edm:isRelatedTo
  edm:isRepresentationOf edm:isSimilarTo edm:isSuccessorOf edm:realizes`);

/** Property order per class (prefixed names; resolved to namespace URIs below). */
const CLASS_PROPERTIES: Array<[string, string[]]> = [
  ['edm:ProvidedCHO', [...CHO_PROPERTIES, 'edm:pid', 'edm:type', 'owl:sameAs']],
  [
    'edm:WebResource',
    words(`
    edm:pid dc:creator dc:description dc:format dc:rights dc:source dc:type dc:title dc:language
    dcterms:conformsTo dcterms:created dcterms:extent dcterms:hasPart dcterms:isFormatOf dcterms:isPartOf
    dcterms:issued dcterms:temporal edm:isNextInSequence edm:rights owl:sameAs rdf:type edm:codecName
    ebucore:hasMimeType ebucore:fileByteSize ebucore:duration ebucore:width ebucore:height
    edm:spatialResolution ebucore:sampleSize ebucore:sampleRate ebucore:bitRate ebucore:frameRate
    edm:hasColorSpace edm:componentColor edm:pointCount edm:polygonCount edm:vertexCount edm:gaussianCount
    rdfs:seeAlso ebucore:orientation ebucore:audioChannelNumber dcterms:isReferencedBy edm:preview
    svcs:has_service edm:type schema:digitalSourceType edm:intendedUsage edm:isRepresentationOf`),
  ],
  [
    'edm:Agent',
    words(`
    skos:prefLabel skos:altLabel skos:hiddenLabel skos:note dc:date dc:identifier dcterms:hasPart
    dcterms:isPartOf edm:begin edm:end edm:hasMet edm:isRelatedTo foaf:name rdaGr2:biographicalInformation
    rdaGr2:dateOfBirth rdaGr2:dateOfDeath rdaGr2:dateOfEstablishment rdaGr2:dateOfTermination rdaGr2:gender
    rdaGr2:placeOfBirth rdaGr2:placeOfDeath rdaGr2:professionOrOccupation owl:sameAs`),
  ],
  [
    'edm:Place',
    words(`
    wgs84_pos:lat wgs84_pos:long wgs84_pos:alt skos:prefLabel skos:altLabel skos:hiddenLabel skos:note
    dcterms:hasPart dcterms:isPartOf edm:isNextInSequence owl:sameAs`),
  ],
  [
    'edm:TimeSpan',
    words(`
    skos:prefLabel skos:altLabel skos:hiddenLabel skos:note dcterms:hasPart dcterms:isPartOf edm:begin
    edm:end edm:isNextInSequence owl:sameAs`),
  ],
  [
    'skos:Concept',
    words(`
    skos:prefLabel skos:altLabel skos:hiddenLabel skos:broader skos:narrower skos:related skos:broadMatch
    skos:narrowMatch skos:relatedMatch skos:exactMatch skos:closeMatch skos:note skos:notation skos:inScheme`),
  ],
  [
    'ore:Aggregation',
    words(`
    edm:aggregatedCHO edm:dataProvider edm:hasView edm:isShownAt edm:isShownBy edm:object edm:provider
    dc:rights edm:rights edm:ugc edm:intermediateProvider`),
  ],
  [
    'ore:Proxy',
    [
      ...CHO_PROPERTIES,
      ...words(`
    edm:europeanaProxy edm:userTag edm:year ore:proxyFor ore:proxyIn ore:lineage edm:type owl:sameAs`),
    ],
  ],
  [
    'edm:EuropeanaAggregation',
    words(`
    dc:creator edm:aggregatedCHO edm:dataProvider edm:provider edm:collectionName edm:datasetName
    edm:country edm:hasView edm:isShownBy edm:preview edm:landingPage edm:language edm:rights ore:aggregates`),
  ],
  ['cc:License', words('odrl:inheritFrom cc:deprecatedOn')],
  [
    'foaf:Organization',
    words(`
    edm:acronym edm:organizationScope edm:organizationDomain edm:organizationSector edm:geographicLevel
    edm:country edm:europeanaRole foaf:homepage foaf:logo skos:hiddenLabel`),
  ],
  [
    'dcat:Dataset',
    words(`
    edm:datasetName edm:provider edm:intermediateProvider edm:dataProvider edm:country edm:language
    dc:identifier dc:description dcterms:created dcterms:extent dcterms:modified adms:status`),
  ],
  ['svcs:Service', words('dcterms:conformsTo doap:implements rdfs:label')],
];

/** Expanded class name → (expanded property name → rank). Class order is the table order. */
const CLASS_ORDER = new Map<string, number>();
const PROPERTY_RANKS = new Map<string, Map<string, number>>();
/** Expanded class name → the prefixed name Metis's stylesheets write (`xsl:element name="edm:Agent"`). */
const CLASS_NAMES = new Map<string, string>();
for (const [cls, props] of CLASS_PROPERTIES) {
  const key = qname(cls);
  CLASS_NAMES.set(key, cls);
  CLASS_ORDER.set(key, CLASS_ORDER.size);
  PROPERTY_RANKS.set(key, new Map(props.map((p, i) => [qname(p), i])));
}

/** The schema-order rank of a property within a class (undefined when the sorter drops it). */
export function propertyRank(classEl: XmlElement, propEl: XmlElement): number | undefined {
  return PROPERTY_RANKS.get(expandedName(classEl))?.get(expandedName(propEl));
}

/**
 * Sorts a parsed EDM record into schema order. Returns a new document; the input tree's property
 * elements are reused (not copied), so do not keep using the input afterwards.
 * A root other than `rdf:RDF` is returned unchanged (XSD validation reports it).
 */
export function sortEdm(doc: XmlDocument): XmlDocument {
  const root = doc.root;
  if (root.ns !== NS.rdf || root.local !== 'RDF') return doc;
  const classes: Array<{ rank: number; pos: number; el: XmlElement }> = [];
  root.children.forEach((c, pos) => {
    if (c.kind !== 'element') return;
    const rank = CLASS_ORDER.get(expandedName(c));
    if (rank !== undefined) classes.push({ rank, pos, el: c });
  });
  classes.sort((a, b) => a.rank - b.rank || a.pos - b.pos);
  const sortedClasses = classes.map(({ el }) => sortClass(el));
  // The stylesheet writes its literal rdf:RDF and its classes with its own prefixes, whatever the input used.
  const newRoot: XmlElement = { ...root, ...RDF_NAME, attrs: [], children: indentChildren(sortedClasses, 1) };
  declareStandardNamespaces(newRoot, SORTER_ROOT_PREFIXES);
  return { root: newRoot };
}

function sortClass(el: XmlElement): XmlElement {
  const ranks = PROPERTY_RANKS.get(expandedName(el))!;
  const props: Array<{ rank: number; pos: number; el: XmlElement }> = [];
  el.children.forEach((c, pos) => {
    if (c.kind !== 'element') return;
    const rank = ranks.get(expandedName(c));
    if (rank !== undefined) props.push({ rank, pos, el: c });
  });
  props.sort((a, b) => a.rank - b.rank || a.pos - b.pos);
  return {
    ...el,
    ...canonicalClassName(el),
    children: indentChildren(
      props.map((p) => p.el),
      2,
    ),
  };
}

const RDF_NAME = { name: 'rdf:RDF', prefix: 'rdf', local: 'RDF' } as const;

/** The name Metis's sorter and default XSLT give a class element (`edm:WebResource`, …), or its own. */
export function canonicalClassName(el: XmlElement): { name: string; prefix: string; local: string } {
  const name = CLASS_NAMES.get(expandedName(el));
  if (!name) return { name: el.name, prefix: el.prefix, local: el.local };
  const colon = name.indexOf(':');
  return { name, prefix: name.slice(0, colon), local: name.slice(colon + 1) };
}

/** Interleaves newline+indent text nodes, as the sorter's `indent="yes"` output does. */
export function indentChildren(children: XmlElement[], depth: number): XmlNode[] {
  if (children.length === 0) return [];
  const inner = '\n' + '  '.repeat(depth);
  const out: XmlNode[] = [];
  for (const c of children) out.push(createText(inner), c);
  out.push(createText('\n' + '  '.repeat(depth - 1)));
  return out;
}

/** The namespace declarations an element carries, prefix ('' = default) → URI. */
export function collectDeclarations(el: XmlElement): Map<string, string> {
  const out = new Map<string, string>();
  for (const a of el.attrs) {
    if (a.name === 'xmlns') out.set('', a.value);
    else if (a.prefix === 'xmlns') out.set(a.local, a.value);
  }
  return out;
}

function declAttr(prefix: string, uri: string): XmlAttr {
  return prefix === ''
    ? { name: 'xmlns', prefix: '', local: 'xmlns', ns: NS.xmlns, value: uri }
    : { name: `xmlns:${prefix}`, prefix: 'xmlns', local: prefix, ns: NS.xmlns, value: uri };
}

/**
 * Puts the standard declarations for `prefixes` on `root` (after its non-namespace attributes), then
 * walks the tree and adds a declaration wherever an element or attribute uses a prefix that is not
 * bound to its namespace in scope (e.g. input that bound `wgs84_pos` to another URI, or used a
 * default namespace). Existing declarations below the root are kept, so the result is always
 * namespace-well-formed whatever prefixes the input used.
 */
export function declareStandardNamespaces(root: XmlElement, prefixes: readonly string[]): void {
  const scope = new Map<string, string>();
  const decls: XmlAttr[] = [];
  for (const p of prefixes) {
    scope.set(p, PREFIXES[p]);
    decls.push(declAttr(p, PREFIXES[p]));
  }
  root.attrs = [...decls, ...root.attrs.filter((a) => a.name !== 'xmlns' && a.prefix !== 'xmlns')];
  fixScope(root, scope);
}

function fixScope(el: XmlElement, parentScope: Map<string, string>): void {
  let scope = parentScope;
  // Most elements declare nothing: only copy the scope when this one does (or needs a fix-up).
  for (const a of el.attrs) {
    if (a.name !== 'xmlns' && a.prefix !== 'xmlns') continue;
    if (scope === parentScope) scope = new Map(parentScope);
    scope.set(a.name === 'xmlns' ? '' : a.local, a.value);
  }
  scope = bind(el, scope, parentScope, el.prefix, el.ns);
  for (let i = 0; i < el.attrs.length; i++) {
    const a = el.attrs[i];
    if (a.prefix !== '' && a.prefix !== 'xmlns') scope = bind(el, scope, parentScope, a.prefix, a.ns);
  }
  for (const c of el.children) if (c.kind === 'element') fixScope(c, scope);
}

/** Declares `prefix` → `ns` on `el` when the scope binds it differently; returns the scope to use. */
function bind(
  el: XmlElement,
  scope: Map<string, string>,
  parentScope: Map<string, string>,
  prefix: string,
  ns: string,
): Map<string, string> {
  if (prefix === 'xml' || prefix === 'xmlns') return scope;
  if (prefix === '' && ns === '' && !scope.has('')) return scope;
  if ((scope.get(prefix) ?? '') === ns) return scope;
  const next = scope === parentScope ? new Map(parentScope) : scope;
  next.set(prefix, ns);
  el.attrs.push(declAttr(prefix, ns));
  return next;
}
