/**
 * The contracts of the enrichment step (metis-steps.md §8): the entity model shared by the Europeana
 * Entity API client, the built-in PostgreSQL entity store and the dereference client (defined in
 * model/entities.ts), and the two client interfaces the enricher is given.
 */

import type { Entity } from '../../model/entities.ts';
import { RecordError } from '../../errors/index.ts';

// The entity vocabulary lives in model/ (the entity store shares it); re-exported for the step's users.
export { ENTITY_TYPES } from '../../model/entities.ts';
export type { Entity, EntityClient, EntityType, LabelledEntity, TextQuery } from '../../model/entities.ts';

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

/** An HTTP answer with an unexpected status (`SERVICE_HTTP_STATUS`); the enricher decides WARN or ERROR from `status`. */
export class HttpStatusError extends RecordError<'SERVICE_HTTP_STATUS'> {
  constructor(
    readonly status: number,
    readonly url: string,
  ) {
    super('SERVICE_HTTP_STATUS', { status, url });
    this.name = 'HttpStatusError';
  }
}
