/**
 * A read-only view of a fully processed EDM-internal record, shaped for tier calculation, indexing
 * and pattern analysis: proxies split into provider / Europeana, aggregations, web resources and
 * contextual entities by rdf:about, and small helpers to read property values.
 *
 * Mirrors what Metis's `RdfWrapper` exposes: entities and web resources with a blank rdf:about are
 * ignored, as JiBX-based Metis filters them out before any classification.
 */
import { NS } from '../../edm/namespaces.ts';
import { getAttr, parseXml, textContent, type XmlDocument, type XmlElement } from '../../edm/xml.ts';

/** One value of an EDM property: its literal text (trimmed to '' when blank), link and language. */
export interface PropertyValue {
  /** `dc:subject`, `edm:hasMet`, ... (canonical prefix, whatever prefix the record used). */
  name: string;
  text: string;
  resource: string;
  lang: string;
}

export type EntityClass = 'edm:Agent' | 'skos:Concept' | 'edm:Place' | 'edm:TimeSpan';

/** The link types from `ore:Aggregation` to web resources (`WebResourceLinkType`). */
export type LinkType = 'OBJECT' | 'HAS_VIEW' | 'IS_SHOWN_BY' | 'IS_SHOWN_AT';

const LINK_PROPERTIES: Array<[string, LinkType]> = [
  ['object', 'OBJECT'],
  ['hasView', 'HAS_VIEW'],
  ['isShownBy', 'IS_SHOWN_BY'],
  ['isShownAt', 'IS_SHOWN_AT'],
];

const PREFIX_BY_NS = new Map<string, string>(Object.entries(NS).map(([prefix, uri]) => [uri, prefix]));

/** `prefix:local` with Europeana's canonical prefix for the element's namespace. */
export function canonicalName(el: XmlElement): string {
  const prefix = PREFIX_BY_NS.get(el.ns);
  return prefix ? `${prefix}:${el.local}` : el.name;
}

/** Java `StringUtils.isNotBlank`: at least one non-whitespace character. */
export function isNotBlank(s: string | undefined | null): s is string {
  return typeof s === 'string' && /\S/.test(s);
}

/** Reads one child element as a property value. */
export function propertyValue(el: XmlElement): PropertyValue {
  const text = textContent(el);
  return {
    name: canonicalName(el),
    text: isNotBlank(text) ? text.trim() : '',
    resource: (getAttr(el, NS.rdf, 'resource') ?? '').trim(),
    lang: (getAttr(el, NS.xml, 'lang') ?? '').trim(),
  };
}

/** All property values of an element (its child elements), in document order. */
export function propertiesOf(el: XmlElement): PropertyValue[] {
  const out: PropertyValue[] = [];
  for (const c of el.children) if (c.kind === 'element') out.push(propertyValue(c));
  return out;
}

export interface Proxy {
  el: XmlElement;
  about: string;
  europeana: boolean;
  values: PropertyValue[];
}

export interface WebResource {
  el: XmlElement;
  about: string;
  values: PropertyValue[];
}

export interface Entity {
  el: XmlElement;
  about: string;
  cls: EntityClass;
  values: PropertyValue[];
}

export interface EdmView {
  doc: XmlDocument;
  /** The first edm:ProvidedCHO rdf:about, if any. */
  about: string | undefined;
  proxies: Proxy[];
  providerProxies: Proxy[];
  /** ore:Aggregation elements (provider and aggregator aggregations). */
  aggregations: XmlElement[];
  europeanaAggregation: XmlElement | undefined;
  webResources: Map<string, WebResource>;
  /** Contextual entities with a non-blank rdf:about (Agents, Concepts, Places, TimeSpans). */
  entities: Entity[];
  entitiesByAbout: Map<string, Entity[]>;
}

const ENTITY_CLASSES: Record<string, EntityClass> = {
  [`${NS.edm}Agent`]: 'edm:Agent',
  [`${NS.skos}Concept`]: 'skos:Concept',
  [`${NS.edm}Place`]: 'edm:Place',
  [`${NS.edm}TimeSpan`]: 'edm:TimeSpan',
};

/** Builds the view over an XML string/buffer or an already parsed document. */
export function createEdmView(record: string | Buffer | XmlDocument): EdmView {
  const doc = typeof record === 'string' || Buffer.isBuffer(record) ? parseXml(record) : record;
  const view: EdmView = {
    doc,
    about: undefined,
    proxies: [],
    providerProxies: [],
    aggregations: [],
    europeanaAggregation: undefined,
    webResources: new Map(),
    entities: [],
    entitiesByAbout: new Map(),
  };
  for (const c of doc.root.children) {
    if (c.kind !== 'element') continue;
    const about = (getAttr(c, NS.rdf, 'about') ?? '').trim();
    const key = c.ns + c.local;
    if (key === `${NS.edm}ProvidedCHO`) {
      if (view.about === undefined && about) view.about = about;
    } else if (key === `${NS.ore}Proxy`) {
      const values = propertiesOf(c);
      const flag = values.find((v) => v.name === 'edm:europeanaProxy');
      const proxy: Proxy = { el: c, about, europeana: flag?.text === 'true', values };
      view.proxies.push(proxy);
      if (!proxy.europeana) view.providerProxies.push(proxy);
    } else if (key === `${NS.ore}Aggregation`) {
      view.aggregations.push(c);
    } else if (key === `${NS.edm}EuropeanaAggregation`) {
      view.europeanaAggregation ??= c;
    } else if (key === `${NS.edm}WebResource`) {
      if (about && !view.webResources.has(about))
        view.webResources.set(about, { el: c, about, values: propertiesOf(c) });
    } else if (ENTITY_CLASSES[key] && about) {
      const entity: Entity = { el: c, about, cls: ENTITY_CLASSES[key], values: propertiesOf(c) };
      view.entities.push(entity);
      const list = view.entitiesByAbout.get(about);
      if (list) list.push(entity);
      else view.entitiesByAbout.set(about, [entity]);
    }
  }
  return view;
}

/** The `rdf:about` of an element ('' when absent). */
export function aboutOf(el: XmlElement): string {
  return (getAttr(el, NS.rdf, 'about') ?? '').trim();
}

/** Aggregator aggregations (`/aggregation/aggregator/...`, minted when provenance is present). */
export function isAggregatorAggregation(el: XmlElement): boolean {
  return aboutOf(el).startsWith('/aggregation/aggregator');
}

/** Every URL linked from any ore:Aggregation, with the link types it is linked by (insertion order kept). */
export function aggregationLinks(view: EdmView): Map<string, Set<LinkType>> {
  const links = new Map<string, Set<LinkType>>();
  for (const agg of view.aggregations) {
    for (const v of propertiesOf(agg)) {
      const entry = LINK_PROPERTIES.find(([local]) => v.name === `edm:${local}`);
      if (!entry || !v.resource) continue;
      const set = links.get(v.resource) ?? new Set<LinkType>();
      set.add(entry[1]);
      links.set(v.resource, set);
    }
  }
  return links;
}

/** The first value of `name` on an element, or undefined. */
export function firstValue(values: PropertyValue[], name: string): PropertyValue | undefined {
  return values.find((v) => v.name === name);
}

/** The base MIME type of a web resource (`ebucore:hasMimeType` without parameters, lower-cased), or null. */
export function mimeTypeOf(wr: WebResource | undefined): string | null {
  const v = wr && firstValue(wr.values, 'ebucore:hasMimeType');
  if (!v || !v.text) return null;
  return v.text.split(';')[0].trim().toLowerCase();
}

/** A numeric technical-metadata value (width, height, ...), 0 when absent or not a number. */
export function numberOf(wr: WebResource, name: string): number {
  const v = firstValue(wr.values, name);
  const n = v ? Number(v.text) : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : 0;
}
