/**
 * Converts entities between EDM RDF/XML and the `Entity` model:
 * - EDM RDF/XML elements (dereference-service answers, entity files for the built-in store) → Entity;
 * - the self-contained RDF/XML string kept in `Entity.xml`, appended to records by the enricher.
 * The third wire form, Europeana Entity API JSON(-LD), is converted in entity-json.ts.
 */
import { NS } from '../../edm/namespaces.ts';
import {
  childElements,
  getAttr,
  parseXml,
  serializeXml,
  walkElements,
  type XmlElement,
  type XmlNode,
} from '../../edm/xml.ts';
import { entitiesFromJson } from './entity-json.ts';
import { orderEntityProperties } from './entity-order.ts';
import type { Entity, EntityType } from './types.ts';

/** `{namespace}local` of each contextual class element → its entity type. */
const CLASS_TYPES = new Map<string, EntityType>([
  [`${NS.edm}Agent`, 'agent'],
  [`${NS.skos}Concept`, 'concept'],
  [`${NS.edm}Place`, 'place'],
  [`${NS.edm}TimeSpan`, 'timespan'],
  [`${NS.foaf}Organization`, 'organization'],
]);

/** The entity type of a contextual class element, or undefined for any other element. */
export function entityTypeOfElement(el: XmlElement): EntityType | undefined {
  return CLASS_TYPES.get(el.ns + el.local);
}

/** Resource values (`rdf:resource`) of the children with the given namespace and local name. */
function resources(el: XmlElement, ns: string, local: string): string[] {
  const out: string[] = [];
  for (const c of childElements(el, ns, local)) {
    const r = getAttr(c, NS.rdf, 'resource');
    if (r && r.trim()) out.push(r.trim());
  }
  return out;
}

/** Deep copy of an element subtree (the record tree is mutable; entities must not share nodes). */
export function cloneElement(el: XmlElement): XmlElement {
  return {
    ...el,
    attrs: el.attrs.map((a) => ({ ...a })),
    children: el.children.map((c): XmlNode => (c.kind === 'element' ? cloneElement(c) : { ...c })),
  };
}

/**
 * Adds to the root of `el` an `xmlns` declaration for every prefix its subtree uses but does not
 * declare itself, so the element can be serialized (and later parsed) on its own.
 */
export function declareUsedNamespaces(el: XmlElement): void {
  const declared = new Set<string>();
  const used = new Map<string, string>();
  for (const e of walkElements(el)) {
    for (const a of e.attrs) {
      if (a.name === 'xmlns') declared.add('');
      else if (a.prefix === 'xmlns') declared.add(a.local);
      else if (a.prefix && a.prefix !== 'xml' && !used.has(a.prefix)) used.set(a.prefix, a.ns);
    }
    if (!used.has(e.prefix)) used.set(e.prefix, e.ns);
  }
  // Only declarations on the root count as in scope for the whole subtree; nested ones are kept as they are.
  const rootDeclared = new Set<string>();
  for (const a of el.attrs) {
    if (a.name === 'xmlns') rootDeclared.add('');
    else if (a.prefix === 'xmlns') rootDeclared.add(a.local);
  }
  for (const [prefix, uri] of used) {
    if (rootDeclared.has(prefix) || !uri) continue;
    el.attrs.push(
      prefix === ''
        ? { name: 'xmlns', prefix: '', local: 'xmlns', ns: NS.xmlns, value: uri }
        : { name: `xmlns:${prefix}`, prefix: 'xmlns', local: prefix, ns: NS.xmlns, value: uri },
    );
  }
}

/** Builds an Entity from a contextual class element (of any document); undefined if it is none or has no id. */
export function entityFromElement(el: XmlElement): Entity | undefined {
  const type = entityTypeOfElement(el);
  const about = getAttr(el, NS.rdf, 'about')?.trim();
  if (!type || !about) return undefined;
  const copy = cloneElement(el);
  orderEntityProperties(copy, type);
  declareUsedNamespaces(copy);
  return {
    about,
    type,
    xml: serializeXml(copy, { declaration: false }),
    parents: resources(el, NS.dcterms, 'isPartOf'),
    sameAs: [...resources(el, NS.owl, 'sameAs'), ...resources(el, NS.skos, 'exactMatch')],
  };
}

/** Every contextual class element anywhere in a document (rdf:RDF, metis:results, or a single entity). */
export function entitiesFromXml(root: XmlElement): Entity[] {
  const out: Entity[] = [];
  const visit = (el: XmlElement) => {
    const entity = entityFromElement(el);
    if (entity) {
      out.push(entity);
      return;
    }
    for (const c of childElements(el)) visit(c);
  };
  visit(root);
  return out;
}

/** Reads an entity file's text: EDM RDF/XML (any wrapper) or Entity API JSON(-LD). */
export function entitiesFromText(text: string): Entity[] {
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return entitiesFromJson(JSON.parse(trimmed));
  return entitiesFromXml(parseXml(text).root);
}

/** Labels used for matching: prefLabel, altLabel and hiddenLabel texts with their language ('' for none). */
export function entityLabels(entity: Entity): Array<{ lang: string; label: string }> {
  if (entity.labels) return entity.labels.filter((l) => l.label.trim());
  const root = parseXml(entity.xml).root;
  const out: Array<{ lang: string; label: string }> = [];
  for (const local of ['prefLabel', 'altLabel', 'hiddenLabel']) {
    for (const el of childElements(root, NS.skos, local)) {
      const label = el.children.map((c) => (c.kind === 'text' ? c.text : '')).join('');
      if (label.trim()) out.push({ lang: getAttr(el, NS.xml, 'lang') ?? '', label });
    }
  }
  return out;
}
