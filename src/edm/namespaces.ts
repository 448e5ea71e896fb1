/** Namespace URIs used by EDM (external and internal), with the prefixes Europeana writes them with. */
export const NS = {
  rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#',
  edm: 'http://www.europeana.eu/schemas/edm/',
  ore: 'http://www.openarchives.org/ore/terms/',
  dc: 'http://purl.org/dc/elements/1.1/',
  dcterms: 'http://purl.org/dc/terms/',
  skos: 'http://www.w3.org/2004/02/skos/core#',
  owl: 'http://www.w3.org/2002/07/owl#',
  foaf: 'http://xmlns.com/foaf/0.1/',
  rdaGr2: 'http://rdvocab.info/ElementsGr2/',
  wgs84_pos: 'http://www.w3.org/2003/01/geo/wgs84_pos#',
  cc: 'http://creativecommons.org/ns#',
  odrl: 'http://www.w3.org/ns/odrl/2/',
  svcs: 'http://rdfs.org/sioc/services#',
  doap: 'http://usefulinc.com/ns/doap#',
  ebucore: 'http://www.ebu.ch/metadata/ontologies/ebucore/ebucore#',
  dqv: 'http://www.w3.org/ns/dqv#',
  oa: 'http://www.w3.org/ns/oa#',
  adms: 'http://www.w3.org/ns/adms#',
  crm: 'http://www.cidoc-crm.org/rdfs/cidoc_crm_v5.0.2_english_label.rdfs#',
  xml: 'http://www.w3.org/XML/1998/namespace',
  xmlns: 'http://www.w3.org/2000/xmlns/',
  oai: 'http://www.openarchives.org/OAI/2.0/',
} as const;

export type NsPrefix = keyof typeof NS;
