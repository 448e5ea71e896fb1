/**
 * The demo's own entities, for the built-in entity store of `run --demo`: the organisations its
 * records name (edm:dataProvider, edm:provider) and the Europeana century time spans its dates
 * normalise to (`http://data.europeana.eu/timespan/N`, linked by normalization and dereferenced by
 * enrichment). With them, enrichment finds what it looks for and the demo's records do not warn.
 * EDM RDF/XML, as an entity file (`--entities`) holds it.
 */

/** The organisation names in the demo records (demo-dataset.ts) and the ids the store gives them. */
export const DEMO_ORGANIZATIONS = [
  { about: 'http://data.europeana.eu/organization/9200001', name: 'Metis Streams Demo Library' },
  { about: 'http://data.europeana.eu/organization/9200002', name: 'Metis Streams Demo Aggregator' },
] as const;

/** Centuries 1..21: the demo's years (1500–2019) fall in 15..21; the rest costs nothing. */
export const DEMO_CENTURIES = Array.from({ length: 21 }, (_, i) => i + 1);

const ordinal = (n: number): string => {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
};

const pad = (n: number): string => String(n).padStart(4, '0');

/** The demo's entities as one EDM RDF/XML document. */
export function demoEntitiesXml(): string {
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:foaf="http://xmlns.com/foaf/0.1/" xmlns:skos="http://www.w3.org/2004/02/skos/core#" xmlns:dcterms="http://purl.org/dc/terms/">',
  ];
  for (const o of DEMO_ORGANIZATIONS) {
    lines.push(
      `<foaf:Organization rdf:about="${o.about}">`,
      `<skos:prefLabel xml:lang="en">${o.name}</skos:prefLabel>`,
      '</foaf:Organization>',
    );
  }
  for (const c of DEMO_CENTURIES) {
    lines.push(
      `<edm:TimeSpan rdf:about="http://data.europeana.eu/timespan/${c}">`,
      `<skos:prefLabel xml:lang="en">${ordinal(c)} century</skos:prefLabel>`,
      `<edm:begin>${pad((c - 1) * 100 + 1)}-01-01</edm:begin>`,
      `<edm:end>${pad(c * 100)}-12-31</edm:end>`,
      '</edm:TimeSpan>',
    );
  }
  lines.push('</rdf:RDF>', '');
  return lines.join('\n');
}
