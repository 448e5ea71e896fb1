/**
 * Europeana record identifiers (metis-steps.md §0.3), as Metis's `EuropeanaIdCreator` and
 * `EuropeanaGeneratedIdsMap` compute them:
 *   europeanaId = "/" + legacyDatasetId(datasetId) + "/" + legacyRdfAbout(ProvidedCHO rdf:about)
 * and the derived about-values the default XSLT writes into EDM internal.
 */
import { errors, RecordError } from '../errors/index.ts';
import { NS } from './namespaces.ts';
import { childElements, getAttr, parseXml, type XmlDocument } from './xml.ts';

/** The exact message Metis uses when a record has no ProvidedCHO rdf:about. */
export const NO_PROVIDER_ID_MESSAGE = 'Could not find provider ID in source.';

/**
 * The longest Europeana id a record may have, in characters (all ASCII: see `legacyRdfAbout`). The
 * Metis Sandbox stores it in `record.europeana_id varchar(255)` (and the provider id likewise), so a
 * longer one cannot be saved there either. Every table keyed by record id stays far below
 * PostgreSQL's index-row limit with it, whatever the provider's rdf:about.
 */
export const MAX_EUROPEANA_ID_LENGTH = 255;

/**
 * A record's ProvidedCHO rdf:about gives no usable Europeana id: the catalogue error
 * `NO_PROVIDER_ID` (missing or blank) or `RECORD_ID_TOO_LONG` (over MAX_EUROPEANA_ID_LENGTH); a
 * record failure either way.
 */
export class EuropeanaIdError extends RecordError<'NO_PROVIDER_ID' | 'RECORD_ID_TOO_LONG'> {
  constructor(tooLong?: { length: number; max: number; start: string }) {
    if (tooLong) super('RECORD_ID_TOO_LONG', tooLong);
    else super('NO_PROVIDER_ID');
    this.name = 'EuropeanaIdError';
  }
}

/**
 * The legacy (UIM) dataset id: the id with its last character dropped when that character is an
 * ASCII letter (`123a` → `123`, `123` → `123`). Throws on an empty id (Metis would crash too).
 */
export function legacyDatasetId(datasetId: string): string {
  if (datasetId.length === 0) throw errors.BAD_DATASET_ID();
  return /[a-zA-Z]$/.test(datasetId) ? datasetId.slice(0, -1) : datasetId;
}

/**
 * The legacy (UIM) form of a ProvidedCHO rdf:about: when it starts with `http://` (not https), the
 * scheme and the host are dropped (everything up to and including the first `/` after `http://`;
 * no such `/` gives the empty string); then every character outside `[a-zA-Z0-9_]` becomes `_`.
 */
export function legacyRdfAbout(rdfAbout: string): string {
  let id = rdfAbout;
  if (id.startsWith('http://')) {
    const rest = id.slice('http://'.length);
    const slash = rest.indexOf('/');
    id = slash < 0 ? '' : rest.slice(slash + 1);
  }
  return id.replace(/[^a-zA-Z0-9_]/gu, '_');
}

/**
 * The Europeana record id for a dataset id and a ProvidedCHO rdf:about, e.g.
 * (`123`, `URN:NBN:SI:doc-35SZSOCF`) → `/123/URN_NBN_SI_doc_35SZSOCF`.
 * Throws EuropeanaIdError when the rdf:about is missing or blank (Java's `isBlank`), or when the id
 * would be longer than `maxLength` (default MAX_EUROPEANA_ID_LENGTH): `RECORD_ID_TOO_LONG`.
 */
export function createEuropeanaId(
  datasetId: string,
  rdfAbout: string | undefined,
  maxLength = MAX_EUROPEANA_ID_LENGTH,
): string {
  if (rdfAbout === undefined || rdfAbout.trim() === '') throw new EuropeanaIdError();
  const id = `/${legacyDatasetId(datasetId)}/${legacyRdfAbout(rdfAbout)}`;
  if (id.length > maxLength) throw new EuropeanaIdError({ length: id.length, max: maxLength, start: id.slice(0, 60) });
  return id;
}

/**
 * `/rdf:RDF/edm:ProvidedCHO[1]/@rdf:about` of a parsed EDM document, or undefined when the root is
 * not rdf:RDF, there is no ProvidedCHO child, or the first one has no rdf:about.
 */
export function providedChoAbout(doc: XmlDocument): string | undefined {
  const root = doc.root;
  if (root.ns !== NS.rdf || root.local !== 'RDF') return undefined;
  const cho = childElements(root, NS.edm, 'ProvidedCHO')[0];
  return cho ? getAttr(cho, NS.rdf, 'about') : undefined;
}

/** The ids Metis generates for one record (`EuropeanaGeneratedIdsMap` plus the XSLT's aggregator ids). */
export interface EuropeanaGeneratedIds {
  /** The provider's ProvidedCHO rdf:about as found in the source. */
  sourceProvidedChoAbout: string;
  /** `/{legacy dataset id}/{legacy rdf:about}`. */
  europeanaId: string;
  /** `/aggregation/provider{id}`: the provider ore:Aggregation. */
  providerAggregation: string;
  /** `/aggregation/europeana{id}`: the edm:EuropeanaAggregation. */
  europeanaAggregation: string;
  /** `/proxy/provider{id}`: the provider ore:Proxy. */
  providerProxy: string;
  /** `/proxy/europeana{id}`: the Europeana ore:Proxy. */
  europeanaProxy: string;
  /** `/proxy/aggregator{id}`: minted by the XSLT only when provenance (`@edm:wasGeneratedBy`) is present. */
  aggregatorProxy: string;
  /** `/aggregation/aggregator{id}`: idem. */
  aggregatorAggregation: string;
}

/** Derived about-values for a Europeana id (plain string prefixes, as Metis builds them). */
export function derivedIds(europeanaId: string, sourceProvidedChoAbout = ''): EuropeanaGeneratedIds {
  return {
    sourceProvidedChoAbout,
    europeanaId,
    providerAggregation: `/aggregation/provider${europeanaId}`,
    europeanaAggregation: `/aggregation/europeana${europeanaId}`,
    providerProxy: `/proxy/provider${europeanaId}`,
    europeanaProxy: `/proxy/europeana${europeanaId}`,
    aggregatorProxy: `/proxy/aggregator${europeanaId}`,
    aggregatorAggregation: `/aggregation/aggregator${europeanaId}`,
  };
}

/**
 * All generated ids of an EDM record (XML text or parsed document) in a dataset.
 * Throws EuropeanaIdError ("Could not find provider ID in source.") when the record has no
 * ProvidedCHO rdf:about, and XmlParseError when the text is not well-formed XML.
 */
export function generatedIdsForRecord(datasetId: string, record: string | Buffer | XmlDocument): EuropeanaGeneratedIds {
  const doc = typeof record === 'string' || Buffer.isBuffer(record) ? parseXml(record) : record;
  const about = providedChoAbout(doc);
  return derivedIds(createEuropeanaId(datasetId, about), about ?? '');
}
