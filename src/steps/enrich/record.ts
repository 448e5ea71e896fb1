/**
 * Reading and editing the parts of an EDM-internal record that enrichment touches (metis-steps.md
 * §0.3): provider proxies, the Europeana proxy, the provider aggregation, the Europeana aggregation
 * and the contextual entities. New elements go where the EDM-INTERNAL schema orders them, with the
 * surrounding indentation, so an enriched record still validates and stays readable.
 */
import { NS } from '../../edm/namespaces.ts';
import {
  childElements,
  createElement,
  getAttr,
  removeAttr,
  setAttr,
  textContent,
  type XmlElement,
  type XmlNode,
} from '../../edm/xml.ts';
import { entityTypeOfElement } from './entity-xml.ts';
import type { Entity } from './types.ts';

export interface RecordParts {
  root: XmlElement;
  /** Proxies that are not the Europeana proxy (normally exactly one). */
  providerProxies: XmlElement[];
  europeanaProxy: XmlElement | undefined;
  /** The provider `ore:Aggregation`s (normally exactly one). */
  aggregations: XmlElement[];
  europeanaAggregation: XmlElement | undefined;
  /** rdf:about of every contextual entity already in the record, with its element. */
  entities: Map<string, XmlElement>;
}

/** True for an `ore:Proxy` with `edm:europeanaProxy` = true. */
export function isEuropeanaProxy(proxy: XmlElement): boolean {
  const flag = childElements(proxy, NS.edm, 'europeanaProxy')[0];
  return flag !== undefined && textContent(flag).trim() === 'true';
}

/** Splits a record's `rdf:RDF` root into the parts enrichment reads and edits. */
export function recordParts(root: XmlElement): RecordParts {
  const proxies = childElements(root, NS.ore, 'Proxy');
  const entities = new Map<string, XmlElement>();
  for (const el of childElements(root)) {
    if (!entityTypeOfElement(el)) continue;
    const about = getAttr(el, NS.rdf, 'about');
    if (about && !entities.has(about)) entities.set(about, el);
  }
  return {
    root,
    providerProxies: proxies.filter((p) => !isEuropeanaProxy(p)),
    europeanaProxy: proxies.find(isEuropeanaProxy),
    aggregations: childElements(root, NS.ore, 'Aggregation'),
    europeanaAggregation: childElements(root, NS.edm, 'EuropeanaAggregation')[0],
    entities,
  };
}

/** The `rdf:resource` of an element, trimmed, or undefined. */
export function resourceOf(el: XmlElement): string | undefined {
  const r = getAttr(el, NS.rdf, 'resource')?.trim();
  return r ? r : undefined;
}

// ---- inserting with indentation ----

function isWhitespace(n: XmlNode | undefined): n is { kind: 'text'; text: string } {
  return n !== undefined && n.kind === 'text' && /^\s*$/.test(n.text);
}

/**
 * Inserts `el` into `parent` before the first child element for which `isAfter` is true (else after
 * the last child element), copying the indentation of its neighbours.
 */
export function insertOrdered(parent: XmlElement, el: XmlElement, isAfter: (child: XmlElement) => boolean): void {
  const kids = parent.children;
  const before = kids.findIndex((c) => c.kind === 'element' && isAfter(c));
  if (before >= 0) {
    const ws = kids[before - 1];
    if (isWhitespace(ws)) kids.splice(before, 0, el, { kind: 'text', text: ws.text });
    else kids.splice(before, 0, el);
    return;
  }
  let last = -1;
  for (let i = kids.length - 1; i >= 0; i--) {
    if (kids[i].kind === 'element') {
      last = i;
      break;
    }
  }
  if (last < 0) {
    kids.push(el);
    return;
  }
  const ws = kids[last - 1];
  if (isWhitespace(ws)) kids.splice(last + 1, 0, { kind: 'text', text: ws.text }, el);
  else kids.splice(last + 1, 0, el);
}

/** Removes an element child (and the indentation before it). */
export function removeChild(parent: XmlElement, el: XmlElement): void {
  const i = parent.children.indexOf(el);
  if (i < 0) return;
  if (isWhitespace(parent.children[i - 1])) parent.children.splice(i - 1, 2);
  else parent.children.splice(i, 1);
}

// ---- namespaces ----

/** The prefix the root declares for `ns`; declares `preferred` on the root when there is none. */
export function prefixFor(root: XmlElement, ns: string, preferred: string): string {
  for (const a of root.attrs) if (a.prefix === 'xmlns' && a.value === ns) return a.local;
  let prefix = preferred;
  for (let i = 1; root.attrs.some((a) => a.prefix === 'xmlns' && a.local === prefix); i++) prefix = `${preferred}${i}`;
  setAttr(root, `xmlns:${prefix}`, NS.xmlns, ns);
  return prefix;
}

const PREFERRED_PREFIX = new Map<string, string>(Object.entries(NS).map(([p, uri]) => [uri, p]));

/** Creates an element in `ns` using the record root's prefix for it. */
export function createInRecord(root: XmlElement, ns: string, local: string): XmlElement {
  return createElement(`${prefixFor(root, ns, PREFERRED_PREFIX.get(ns) ?? 'ns')}:${local}`, ns);
}

/** Sets `rdf:resource` (declaring rdf if ever needed). */
export function setResource(root: XmlElement, el: XmlElement, uri: string): void {
  setAttr(el, `${prefixFor(root, NS.rdf, 'rdf')}:resource`, NS.rdf, uri);
}

// ---- contextual entities ----

/** Order of the top-level classes in EDM-INTERNAL's rdf:RDF sequence. */
const RDF_ORDER = [
  `${NS.edm}ProvidedCHO`,
  `${NS.edm}WebResource`,
  `${NS.edm}Agent`,
  `${NS.edm}Place`,
  `${NS.edm}TimeSpan`,
  `${NS.skos}Concept`,
  `${NS.ore}Aggregation`,
  `${NS.ore}Proxy`,
  `${NS.edm}EuropeanaAggregation`,
  `${NS.cc}License`,
  `${NS.foaf}Organization`,
];
const RANK = new Map(RDF_ORDER.map((k, i) => [k, i]));

/**
 * Appends a contextual entity element (a fresh copy: it is adopted) unless one with the same
 * rdf:about is already there (Metis never overwrites). Returns true when it was added.
 */
export function appendEntity(parts: RecordParts, entity: Entity, element: XmlElement): boolean {
  if (parts.entities.has(entity.about)) return false;
  // Keep only the namespace declarations the record root does not already make identically.
  const rootDecl = new Map<string, string>();
  for (const a of parts.root.attrs) if (a.prefix === 'xmlns') rootDecl.set(a.local, a.value);
  element.attrs = element.attrs.filter((a) => !(a.prefix === 'xmlns' && rootDecl.get(a.local) === a.value));
  const rank = RANK.get(element.ns + element.local) ?? RDF_ORDER.length;
  insertOrdered(parts.root, element, (c) => (RANK.get(c.ns + c.local) ?? -1) > rank);
  parts.entities.set(entity.about, element);
  return true;
}

// ---- links ----

export interface FieldName {
  ns: string;
  local: string;
}

/**
 * Appends `<field rdf:resource=uri/>` to the Europeana proxy unless that exact link is there
 * (RdfEntityUtils.appendLinkToEuropeanaProxy). dc/dcterms fields go after the other dc/dcterms ones.
 */
export function appendProxyLink(parts: RecordParts, field: FieldName, uri: string): boolean {
  const proxy = parts.europeanaProxy;
  if (!proxy) return false;
  if (childElements(proxy, field.ns, field.local).some((c) => resourceOf(c) === uri)) return false;
  const el = createInRecord(parts.root, field.ns, field.local);
  setResource(parts.root, el, uri);
  insertOrdered(proxy, el, (c) => c.ns !== NS.dc && c.ns !== NS.dcterms);
  return true;
}

/** Turns aggregation literals equal to `value` into links to `uri` (organizations replacing names). */
export function replaceAggregationLiteral(parts: RecordParts, field: FieldName, value: string, uri: string): number {
  let n = 0;
  for (const agg of parts.aggregations) {
    for (const el of childElements(agg, field.ns, field.local)) {
      if (resourceOf(el) || textContent(el).trim() !== value) continue;
      el.children = [];
      removeAttr(el, NS.xml, 'lang');
      setResource(parts.root, el, uri);
      n++;
    }
  }
  return n;
}

/** Re-points aggregation links from `oldUri` to the entity `uri`. */
export function replaceAggregationLink(parts: RecordParts, field: FieldName, oldUri: string, uri: string): number {
  let n = 0;
  for (const agg of parts.aggregations) {
    for (const el of childElements(agg, field.ns, field.local)) {
      if (resourceOf(el) !== oldUri || oldUri === uri) continue;
      setResource(parts.root, el, uri);
      n++;
    }
  }
  return n;
}

/** Entities enrichment itself adds (Europeana's and the former Semium ones). */
const ENRICHMENT_ENTITY = /^https?:\/\/(data\.europeana\.eu|semium\.org)(\/|$)/;

/**
 * Removes what an earlier enrichment added (EntityRemover / cleanupPreviousEnrichmentEntities):
 * Europeana-proxy links to data.europeana.eu or semium.org entities, and those entities. Returns the
 * number of links removed.
 */
export function removePreviousEnrichment(parts: RecordParts): number {
  const proxy = parts.europeanaProxy;
  if (!proxy) return 0;
  const removed = new Set<string>();
  for (const el of childElements(proxy)) {
    const uri = resourceOf(el);
    if (uri && ENRICHMENT_ENTITY.test(uri) && (el.ns === NS.dc || el.ns === NS.dcterms)) {
      removeChild(proxy, el);
      removed.add(uri);
    }
  }
  let n = 0;
  for (const uri of removed) {
    n++;
    const entity = parts.entities.get(uri);
    if (entity) {
      removeChild(parts.root, entity);
      parts.entities.delete(uri);
    }
  }
  return n;
}
