/**
 * Converts Europeana Entity API JSON(-LD) entities to the `Entity` model: validated with zod (an
 * external boundary), written as EDM RDF/XML in the element order of the EDM schema.
 */
import { z } from 'zod';
import { NS } from '../../edm/namespaces.ts';
import { escapeAttr, escapeText } from '../../edm/xml.ts';
import type { Entity, EntityType } from './types.ts';

/** Labels: `{lang: "x"}`, `{lang: ["x", "y"]}`, a plain string or a list of strings. */
const Labels = z.union([
  z.string(),
  z.array(z.string()),
  z.record(z.string(), z.union([z.string(), z.array(z.string())])),
]);
/** Links: a URI, a list of URIs, or objects with an `id` (as Entity API writes `country`, `isShownBy`). */
const Links = z.union([
  z.string(),
  z.object({ id: z.string() }).loose(),
  z.array(z.union([z.string(), z.object({ id: z.string() }).loose()])),
]);
const Scalar = z.union([z.string(), z.number()]);

/** One Entity API entity (the fields the EDM contextual classes can hold; others are ignored). */
export const EntityJsonSchema = z
  .object({
    id: z.string().min(1),
    type: z.string().min(1),
    prefLabel: Labels.optional(),
    altLabel: Labels.optional(),
    hiddenLabel: Labels.optional(),
    note: Labels.optional(),
    sameAs: Links.optional(),
    exactMatch: Links.optional(),
    closeMatch: Links.optional(),
    broader: Links.optional(),
    narrower: Links.optional(),
    related: Links.optional(),
    broadMatch: Links.optional(),
    narrowMatch: Links.optional(),
    relatedMatch: Links.optional(),
    inScheme: Links.optional(),
    notation: Labels.optional(),
    isPartOf: Links.optional(),
    hasPart: Links.optional(),
    lat: Scalar.optional(),
    long: Scalar.optional(),
    alt: Scalar.optional(),
    begin: Labels.optional(),
    end: Labels.optional(),
    dateOfBirth: Labels.optional(),
    dateOfDeath: Labels.optional(),
    dateOfEstablishment: Labels.optional(),
    dateOfTermination: Labels.optional(),
    gender: Labels.optional(),
    placeOfBirth: z.union([Labels, Links]).optional(),
    placeOfDeath: z.union([Labels, Links]).optional(),
    professionOrOccupation: z.union([Labels, Links]).optional(),
    biographicalInformation: Labels.optional(),
    identifier: Labels.optional(),
    acronym: Labels.optional(),
  })
  .loose();
export type EntityJson = z.infer<typeof EntityJsonSchema>;

/** An Entity API search answer (`/enrich`, `/search`). */
export const ResultPageSchema = z
  .object({ items: z.array(z.unknown()).optional(), total: z.number().optional() })
  .loose();

const JSON_TYPES: Record<string, EntityType> = {
  agent: 'agent',
  concept: 'concept',
  place: 'place',
  timespan: 'timespan',
  organization: 'organization',
  organisation: 'organization',
};

interface LangValue {
  value: string;
  lang?: string;
}

function labelValues(v: unknown): LangValue[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string' || typeof v === 'number') return [{ value: String(v) }];
  if (Array.isArray(v)) return v.flatMap((x) => (typeof x === 'string' ? [{ value: x }] : []));
  if (typeof v === 'object') {
    const out: LangValue[] = [];
    for (const [lang, x] of Object.entries(v as Record<string, unknown>)) {
      const list = Array.isArray(x) ? x : [x];
      // "def" is the Entity API's "no language" key.
      for (const s of list)
        if (typeof s === 'string') out.push({ value: s, lang: lang === 'def' || lang === '' ? undefined : lang });
    }
    return out;
  }
  return [];
}

function linkValues(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  const out: string[] = [];
  for (const x of list) {
    if (typeof x === 'string' && /^[a-z][a-z0-9+.-]*:/i.test(x)) out.push(x);
    else if (x && typeof x === 'object' && typeof (x as { id?: unknown }).id === 'string')
      out.push((x as { id: string }).id);
  }
  return out;
}

const ENTITY_NAMESPACES = ['rdf', 'skos', 'edm', 'dc', 'dcterms', 'owl', 'foaf', 'rdaGr2', 'wgs84_pos'] as const;

/**
 * Converts one Entity API entity to an Entity (EDM RDF/XML in the element order of the EDM schema,
 * the fields Metis's EntityMergeEngine copies). Returns undefined for an unknown entity type.
 */
export function entityFromJson(json: EntityJson): Entity | undefined {
  const type = JSON_TYPES[json.type.toLowerCase()];
  if (!type) return undefined;
  const parts: string[] = [];
  const lit = (name: string, v: unknown, first = false) => {
    const values = labelValues(v);
    for (const { value, lang } of first ? values.slice(0, 1) : values) {
      parts.push(`<${name}${lang ? ` xml:lang="${escapeAttr(lang)}"` : ''}>${escapeText(value)}</${name}>`);
    }
  };
  const res = (name: string, v: unknown) => {
    for (const uri of linkValues(v)) parts.push(`<${name} rdf:resource="${escapeAttr(uri)}"/>`);
  };
  /** Literal or resource, whichever each value is (placeOfBirth and friends come in both forms). */
  const litOrRes = (name: string, v: unknown) => {
    const links = linkValues(v);
    if (links.length > 0) res(name, links);
    else lit(name, v);
  };
  const scalar = (name: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '') parts.push(`<${name}>${escapeText(String(v))}</${name}>`);
  };
  let element: string;
  switch (type) {
    case 'agent':
      element = 'edm:Agent';
      lit('skos:prefLabel', json.prefLabel);
      lit('skos:altLabel', json.altLabel);
      lit('skos:note', json.note);
      lit('dc:identifier', json.identifier);
      lit('edm:begin', json.begin, true);
      lit('edm:end', json.end, true);
      lit('rdaGr2:biographicalInformation', json.biographicalInformation);
      lit('rdaGr2:dateOfBirth', json.dateOfBirth, true);
      lit('rdaGr2:dateOfDeath', json.dateOfDeath, true);
      lit('rdaGr2:dateOfEstablishment', json.dateOfEstablishment, true);
      lit('rdaGr2:dateOfTermination', json.dateOfTermination, true);
      lit('rdaGr2:gender', json.gender, true);
      litOrRes('rdaGr2:placeOfBirth', json.placeOfBirth);
      litOrRes('rdaGr2:placeOfDeath', json.placeOfDeath);
      litOrRes('rdaGr2:professionOrOccupation', json.professionOrOccupation);
      res('owl:sameAs', json.sameAs);
      break;
    case 'place':
      element = 'edm:Place';
      scalar('wgs84_pos:lat', json.lat);
      scalar('wgs84_pos:long', json.long);
      scalar('wgs84_pos:alt', json.alt);
      lit('skos:prefLabel', json.prefLabel);
      lit('skos:altLabel', json.altLabel);
      lit('skos:note', json.note);
      res('dcterms:hasPart', json.hasPart);
      res('dcterms:isPartOf', json.isPartOf);
      res('owl:sameAs', json.sameAs);
      break;
    case 'timespan':
      element = 'edm:TimeSpan';
      lit('skos:prefLabel', json.prefLabel);
      lit('skos:altLabel', json.altLabel);
      lit('skos:note', json.note);
      res('dcterms:hasPart', json.hasPart);
      res('dcterms:isPartOf', json.isPartOf);
      lit('edm:begin', json.begin, true);
      lit('edm:end', json.end, true);
      res('owl:sameAs', json.sameAs);
      lit('skos:hiddenLabel', json.hiddenLabel);
      break;
    case 'concept':
      element = 'skos:Concept';
      lit('skos:prefLabel', json.prefLabel);
      lit('skos:altLabel', json.altLabel);
      res('skos:broader', json.broader);
      res('skos:narrower', json.narrower);
      res('skos:related', json.related);
      res('skos:broadMatch', json.broadMatch);
      res('skos:narrowMatch', json.narrowMatch);
      res('skos:relatedMatch', json.relatedMatch);
      res('skos:exactMatch', json.exactMatch);
      res('skos:closeMatch', json.closeMatch);
      lit('skos:note', json.note);
      lit('skos:notation', json.notation);
      res('skos:inScheme', json.inScheme);
      break;
    case 'organization':
      // Metis copies only the preferred labels of an organization into the record.
      element = 'foaf:Organization';
      lit('skos:prefLabel', json.prefLabel);
      break;
  }
  const decls = ENTITY_NAMESPACES.map((p) => ` xmlns:${p}="${NS[p]}"`).join('');
  // Indented like the records it is appended to (entities sit one level below rdf:RDF).
  const body = parts.length > 0 ? `${parts.map((p) => `\n    ${p}`).join('')}\n  ` : '';
  const xml = `<${element}${decls} rdf:about="${escapeAttr(json.id)}">${body}</${element}>`;
  const labels = [json.prefLabel, json.altLabel, json.hiddenLabel, type === 'organization' ? json.acronym : undefined]
    .flatMap(labelValues)
    .map((l) => ({ lang: l.lang ?? '', label: l.value }));
  return {
    about: json.id,
    type,
    xml,
    parents: linkValues(json.isPartOf),
    sameAs: [...linkValues(json.sameAs), ...linkValues(json.exactMatch)],
    labels,
  };
}

/**
 * Entities in an Entity API JSON answer: a result page (`items`), a single entity, a list, or a
 * JSON-LD `@graph`. An error object (`"success": false`) holds none. Throws on malformed JSON.
 */
export function entitiesFromJson(body: unknown): Entity[] {
  const candidates: unknown[] = [];
  if (Array.isArray(body)) candidates.push(...body);
  else if (body && typeof body === 'object') {
    const o = body as Record<string, unknown>;
    if (Array.isArray(o['@graph'])) candidates.push(...o['@graph']);
    else if ('items' in o || o.type === 'ResultPage') candidates.push(...(ResultPageSchema.parse(o).items ?? []));
    else if ('id' in o && 'type' in o) candidates.push(o);
  }
  const out: Entity[] = [];
  for (const c of candidates) {
    const entity = entityFromJson(EntityJsonSchema.parse(c));
    if (entity) out.push(entity);
  }
  return out;
}
