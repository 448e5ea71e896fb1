/** Builds small EDM-internal records for tier tests, one rule at a time. */
export interface WebResourceSpec {
  about: string;
  mime?: string;
  width?: number;
  height?: number;
  rights?: string;
}

export interface RecordSpec {
  type?: string | string[];
  rights?: string;
  isShownBy?: string;
  isShownAt?: string;
  hasView?: string[];
  object?: string;
  preview?: string;
  webResources?: WebResourceSpec[];
  /** Extra XML inside the provider proxy. */
  providerProxy?: string;
  /** Extra XML inside the Europeana proxy. */
  europeanaProxy?: string;
  /** Extra top-level XML (entities). */
  entities?: string;
  aggregation?: boolean;
}

const NSDECL =
  'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ' +
  'xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:ore="http://www.openarchives.org/ore/terms/" xmlns:skos="http://www.w3.org/2004/02/skos/core#" ' +
  'xmlns:ebucore="http://www.ebu.ch/metadata/ontologies/ebucore/ebucore#" xmlns:wgs84_pos="http://www.w3.org/2003/01/geo/wgs84_pos#" ' +
  'xmlns:rdaGr2="http://rdvocab.info/ElementsGr2/" xmlns:foaf="http://xmlns.com/foaf/0.1/"';

const res = (name: string, url?: string) => (url ? `<${name} rdf:resource="${url}"/>` : '');

export function buildRecord(spec: RecordSpec, id = '/1/rec'): string {
  const types = Array.isArray(spec.type) ? spec.type : spec.type ? [spec.type] : [];
  const wrs = (spec.webResources ?? [])
    .map(
      (w) =>
        `<edm:WebResource rdf:about="${w.about}">${res('edm:rights', w.rights)}` +
        (w.mime ? `<ebucore:hasMimeType>${w.mime}</ebucore:hasMimeType>` : '') +
        (w.width !== undefined ? `<ebucore:width>${w.width}</ebucore:width>` : '') +
        (w.height !== undefined ? `<ebucore:height>${w.height}</ebucore:height>` : '') +
        `</edm:WebResource>`,
    )
    .join('');
  const agg =
    spec.aggregation === false
      ? ''
      : `<ore:Aggregation rdf:about="/aggregation/provider${id}">${res('edm:aggregatedCHO', id)}<edm:dataProvider>Provider</edm:dataProvider>` +
        res('edm:isShownAt', spec.isShownAt) +
        res('edm:isShownBy', spec.isShownBy) +
        (spec.hasView ?? []).map((v) => res('edm:hasView', v)).join('') +
        res('edm:object', spec.object) +
        `<edm:provider>Aggregator</edm:provider>${res('edm:rights', spec.rights)}</ore:Aggregation>`;
  return (
    `<?xml version="1.0" encoding="UTF-8"?><rdf:RDF ${NSDECL}><edm:ProvidedCHO rdf:about="${id}"/>${wrs}${spec.entities ?? ''}${agg}` +
    `<ore:Proxy rdf:about="/proxy/provider${id}">${spec.providerProxy ?? ''}<edm:europeanaProxy>false</edm:europeanaProxy>` +
    `${types.map((t) => `<edm:type>${t}</edm:type>`).join('')}</ore:Proxy>` +
    `<ore:Proxy rdf:about="/proxy/europeana${id}">${spec.europeanaProxy ?? ''}<edm:europeanaProxy>true</edm:europeanaProxy></ore:Proxy>` +
    `<edm:EuropeanaAggregation rdf:about="/aggregation/europeana${id}">${res('edm:aggregatedCHO', id)}<edm:country>Netherlands</edm:country>` +
    `${res('edm:preview', spec.preview)}<edm:language>nl</edm:language></edm:EuropeanaAggregation></rdf:RDF>`
  );
}

export const PDM = 'http://creativecommons.org/publicdomain/mark/1.0/';
export const BY_NC = 'http://creativecommons.org/licenses/by-nc/4.0/';
export const INC = 'http://rightsstatements.org/vocab/InC/1.0/';
