/**
 * Plain data types of the published index, shared by the store and the indexing / depublish steps
 * (no imports: steps depend on these shapes, never on the database layer).
 */

export type PublishTarget = 'preview' | 'publish';

/** A text value and its language (xml:lang, ISO 639-1/3), used for full-text search. */
export interface LangText {
  text: string;
  lang?: string;
}

/** Searchable fields of a record (extracted by the indexing step). */
export interface SearchFields {
  titles: LangText[];
  descriptions: LangText[];
  creators: LangText[];
  subjects: LangText[];
  types: LangText[];
  dates: string[];
  places: LangText[];
  dataProvider?: string;
  provider?: string;
  datasetName?: string;
  country?: string;
  language?: string;
  rights?: string;
  mediaType?: string;
  hasThumbnail: boolean;
}

export interface PublishedDocument {
  recordId: string;
  datasetId: string;
  executionId?: string;
  /** The full EDM record, with its quality annotations. */
  edm: string;
  contentTier: number;
  contentTierBeforeLicenseCorrection?: number;
  metadataTier: string;
  metadataTierAllProxies?: string;
  license?: string;
  fields: SearchFields;
}

export interface TombstoneInput {
  recordId: string;
  datasetId: string;
  /** Depublication reason code, e.g. `REMOVED_DATA_AT_SOURCE`. */
  reason: string;
  title?: string;
  dataProvider?: string;
}

/** One transaction's worth of writes to a target. */
export interface PublishedBatch {
  /** Records to index (upsert); their tombstones are removed. */
  index?: PublishedDocument[];
  /** Records to remove, leaving a tombstone. */
  tombstones?: TombstoneInput[];
  /** Records to remove without a tombstone. */
  remove?: string[];
}
