/**
 * The contracts of the enrichment step (metis-steps.md §8): the entity model shared by the Europeana
 * Entity API client, the built-in PostgreSQL entity store and the dereference client, and the two
 * client interfaces the enricher is given.
 */

/** The five contextual classes Metis enriches with (`EntityType` in metis-enrichment). */
export type EntityType = 'agent' | 'concept' | 'place' | 'timespan' | 'organization';

export const ENTITY_TYPES: readonly EntityType[] = ['agent', 'concept', 'place', 'timespan', 'organization'];

/**
 * One contextual entity, ready to be merged into a record.
 * `xml` is a self-contained RDF/XML element of the entity's EDM class (`edm:Agent`, `skos:Concept`,
 * `edm:Place`, `edm:TimeSpan`, `foaf:Organization`) that declares every prefix it uses.
 */
export interface Entity {
  about: string;
  type: EntityType;
  xml: string;
  /** Ids of broader entities (`dcterms:isPartOf`), fetched recursively by the enricher. */
  parents: string[];
  /** Co-reference links (`owl:sameAs`, `skos:exactMatch`). */
  sameAs: string[];
  /**
   * Labels for matching, when the source had more than `xml` keeps (an organization's hidden labels
   * and acronyms); otherwise the prefLabel/altLabel/hiddenLabel elements of `xml` are used.
   */
  labels?: Array<{ lang: string; label: string }>;
}

/** A text lookup: the value of one (or several merged) record fields. */
export interface TextQuery {
  text: string;
  /** Two-letter language code; absent when the value has none (or an unknown one). */
  lang?: string;
  /** The entity types wanted (one or more). */
  types: EntityType[];
}

/**
 * Finds entities for enrichment: the Europeana Entity API over HTTP, or the built-in entity store.
 * Both answer the same questions with the same semantics; "not found" is an empty answer, never an
 * error, and an error means the lookup itself failed.
 */
export interface EntityClient {
  /** Every entity matching the text (Metis uses the result only when exactly one comes back). */
  findByText(query: TextQuery): Promise<Entity[]>;
  /** The entity that declares `uri` as a co-reference (sameAs / exactMatch), if any. */
  findByUri(uri: string): Promise<Entity | undefined>;
  /** The entity with this id (`http://data.europeana.eu/...`), if it exists. */
  getById(id: string): Promise<Entity | undefined>;
}

/** The statuses a Metis dereference service reports (`DereferenceResultStatus`). */
export type DereferenceStatus =
  | 'SUCCESS'
  | 'INVALID_URL'
  | 'NO_VOCABULARY_MATCHING'
  | 'NO_ENTITY_FOR_VOCABULARY'
  | 'ENTITY_FOUND_XML_XSLT_ERROR'
  | 'ENTITY_FOUND_XML_XSLT_PRODUCE_NO_CONTEXTUAL_CLASS'
  | 'UNKNOWN_EUROPEANA_ENTITY'
  | 'UNKNOWN_ENTITY'
  | 'FAILURE';

export interface DereferenceResult {
  status: DereferenceStatus;
  entities: Entity[];
}

/** Resolves a non-Europeana URI through a Metis dereference service (`/dereference?uri=`). */
export interface DereferenceClient {
  dereference(uri: string): Promise<DereferenceResult>;
}

/** An HTTP answer with an unexpected status; the enricher decides WARN or ERROR from `status`. */
export class HttpStatusError extends Error {
  readonly code = 'HTTP_STATUS';
  constructor(
    readonly status: number,
    readonly url: string,
  ) {
    super(`HTTP ${status} from ${url}`);
    this.name = 'HttpStatusError';
  }
}
