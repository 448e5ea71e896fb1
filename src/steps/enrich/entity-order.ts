/**
 * Puts a contextual entity's properties in the order (and cardinality) of the EDM schema. Metis
 * gets this for free by re-serializing its JiBX object model; dereference services and entity files
 * write properties in any order, which EDM-INTERNAL.xsd rejects (e.g. `skos:altLabel` before
 * `skos:prefLabel` in an `edm:Place`). Properties the class does not have are dropped, as JiBX does.
 */
import { NS } from '../../edm/namespaces.ts';
import type { XmlElement, XmlNode } from '../../edm/xml.ts';
import type { EntityType } from './types.ts';

type Prop = [ns: string, local: string, single?: true];

const labels: Prop[] = [
  [NS.skos, 'prefLabel'],
  [NS.skos, 'altLabel'],
  [NS.skos, 'note'],
];

/** Property sequences of CONTEXTS.xsd (Agent, Place, TimeSpan), SKOS.xsd (Concept) and FOAF.xsd (Organization). */
const ORDER: Record<EntityType, Prop[] | 'any'> = {
  agent: [
    ...labels,
    [NS.dc, 'date'],
    [NS.dc, 'identifier'],
    [NS.dcterms, 'hasPart'],
    [NS.dcterms, 'isPartOf'],
    [NS.edm, 'begin', true],
    [NS.edm, 'end', true],
    [NS.edm, 'hasMet'],
    [NS.edm, 'isRelatedTo'],
    [NS.foaf, 'name'],
    [NS.rdaGr2, 'biographicalInformation'],
    [NS.rdaGr2, 'dateOfBirth', true],
    [NS.rdaGr2, 'dateOfDeath', true],
    [NS.rdaGr2, 'dateOfEstablishment', true],
    [NS.rdaGr2, 'dateOfTermination', true],
    [NS.rdaGr2, 'gender', true],
    [NS.rdaGr2, 'placeOfBirth'],
    [NS.rdaGr2, 'placeOfDeath'],
    [NS.rdaGr2, 'professionOrOccupation'],
    [NS.owl, 'sameAs'],
  ],
  place: [
    [NS.wgs84_pos, 'lat', true],
    [NS.wgs84_pos, 'long', true],
    [NS.wgs84_pos, 'alt', true],
    ...labels,
    [NS.dcterms, 'hasPart'],
    [NS.dcterms, 'isPartOf'],
    [NS.edm, 'isNextInSequence', true],
    [NS.owl, 'sameAs'],
  ],
  timespan: [
    ...labels,
    [NS.dcterms, 'hasPart'],
    [NS.dcterms, 'isPartOf'],
    [NS.edm, 'begin', true],
    [NS.edm, 'end', true],
    [NS.edm, 'isNextInSequence', true],
    [NS.owl, 'sameAs'],
    [NS.skos, 'hiddenLabel'],
    [NS.skos, 'notation', true],
  ],
  // skos:Concept is an unordered choice; only its own properties are kept.
  concept: 'any',
  organization: [...labels, [NS.edm, 'acronym'], [NS.foaf, 'homepage', true], [NS.foaf, 'logo', true]],
};

const CONCEPT_PROPS = new Set(
  [
    'prefLabel',
    'altLabel',
    'broader',
    'narrower',
    'related',
    'broadMatch',
    'narrowMatch',
    'relatedMatch',
    'exactMatch',
    'closeMatch',
    'note',
    'notation',
    'inScheme',
  ].map((l) => NS.skos + l),
);

/** Reorders (in place) the property elements of an entity element of the given type, re-indenting them. */
export function orderEntityProperties(el: XmlElement, type: EntityType): void {
  const props = el.children.filter((c): c is XmlElement => c.kind === 'element');
  let kept: XmlElement[];
  const order = ORDER[type];
  if (order === 'any') kept = props.filter((p) => CONCEPT_PROPS.has(p.ns + p.local));
  else {
    kept = [];
    for (const [ns, local, single] of order) {
      const matching = props.filter((p) => p.ns === ns && p.local === local);
      kept.push(...(single ? matching.slice(0, 1) : matching));
    }
  }
  const children: XmlNode[] = [];
  for (const p of kept) children.push({ kind: 'text', text: '\n    ' }, p);
  if (kept.length > 0) children.push({ kind: 'text', text: '\n  ' });
  el.children = children;
}
