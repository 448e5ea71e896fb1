/**
 * The entity vocabulary of enrichment (metis-steps.md §8), shared by the enrich step, its Entity API
 * client and the built-in PostgreSQL entity store: what an entity is, the questions an
 * `EntityClient` answers, and the labelled form in which the store takes entities.
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

/** An entity with every label it is matched by, read off its XML by the enrich side: what the store takes. */
export type LabelledEntity = Entity & { labels: Array<{ lang: string; label: string }> };

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
