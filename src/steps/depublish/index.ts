/** Depublish (metis-steps.md §12): public entry points. */
export { createDepublisher, composeFullRecordId, RECORD_NOT_DEPUBLISHED, type DepublishRequest, type DepublisherOptions, type PublishedRemover } from './depublisher.ts';
export { DEPUBLICATION_REASONS, depublicationReasonUri, isDepublicationReason, type DepublicationReason } from './reasons.ts';
