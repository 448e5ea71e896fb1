/**
 * Depublish (metis-steps.md §12): remove a whole dataset, or a list of records, from the publish
 * target, leaving a tombstone with the reason. An id that is not published is a record error
 * ("Record could not be depublished!"); the others succeed.
 */
import type { PublishTarget } from '../../model/published.ts';
import { fail, success, type StepOutcome } from '../outcome.ts';
import { errors } from '../../errors/index.ts';
import { isDepublicationReason, type DepublicationReason } from './reasons.ts';

/** What depublication needs from the published store (implemented by `PublishedStore`). */
export interface PublishedRemover {
  depublishRecords(
    target: PublishTarget,
    recordIds: string[],
    reason: string,
  ): Promise<{ removed: string[]; missing: string[] }>;
  depublishDataset(target: PublishTarget, datasetId: string, reason: string): Promise<string[]>;
}

export interface DepublisherOptions {
  store: PublishedRemover;
  /** Default `publish` (Metis depublishes from the publish database only). */
  target?: PublishTarget;
}

export type DepublishRequest =
  | { datasetId: string; reason: DepublicationReason; mode: 'dataset' }
  /** Full ids (`/dataset/local`) or local ids, composed as `/datasetId/localId`. */
  | { datasetId: string; reason: DepublicationReason; mode: 'records'; recordIds: string[] };

export interface DepublishData {
  reason: DepublicationReason;
}

export const RECORD_NOT_DEPUBLISHED = 'Record could not be depublished!';

/** Full record id from a user-supplied id (`RecordIdUtils.composeFullRecordIds`). */
export function composeFullRecordId(datasetId: string, id: string): string {
  const trimmed = id.trim();
  return trimmed.startsWith('/') ? trimmed : `/${datasetId}/${trimmed}`;
}

/** Creates the depublish step: one outcome per depublished (or unknown) record. */
export function createDepublisher(
  opts: DepublisherOptions,
): (request: DepublishRequest) => Promise<StepOutcome<DepublishData>[]> {
  const target = opts.target ?? 'publish';
  return async (request) => {
    if (!isDepublicationReason(request.reason)) throw errors.DEPUBLISH_REASON({ reason: String(request.reason) });
    const data = { reason: request.reason };
    if (request.mode === 'dataset') {
      const removed = await opts.store.depublishDataset(target, request.datasetId, request.reason);
      return removed.map((id) => success<DepublishData>(id, undefined, data));
    }
    const ids = [
      ...new Set(request.recordIds.filter((id) => id.trim()).map((id) => composeFullRecordId(request.datasetId, id))),
    ];
    const { removed, missing } = await opts.store.depublishRecords(target, ids, request.reason);
    const missingSet = new Set(missing);
    const removedSet = new Set(removed);
    return ids
      .filter((id) => removedSet.has(id) || missingSet.has(id))
      .map((id) =>
        removedSet.has(id)
          ? success<DepublishData>(id, undefined, data)
          : fail<DepublishData>(id, 'DEPUBLISH_NOT_FOUND', RECORD_NOT_DEPUBLISHED),
      );
  };
}
