/**
 * Index to preview / publish (metis-steps.md §11). For each record: compute the tiers, write them
 * into the record as `dqv:QualityAnnotation`s, extract the searchable fields; then write the whole
 * batch in one transaction. Publish rejects content tier 0 ("Record not suitable for
 * publication"), removing the record from publish and leaving a REMOVED_DATA_AT_SOURCE tombstone.
 */
import { serializeXml, XmlParseError, parseXml } from '../../edm/xml.ts';
import type { PublishedBatch, PublishedDocument, PublishTarget, TombstoneInput } from '../../model/published.ts';
import { fail, success, type StepOutcome } from '../outcome.ts';
import { computeTiers, type TierResults } from '../tiers/compute-tiers.ts';
import { createEdmView } from '../tiers/edm-view.ts';
import { TierAnnotationError, writeTierAnnotations, type TierWriteMode } from '../tiers/quality-annotations.ts';
import { extractSearchFields } from './search-fields.ts';

/** What the indexer needs from the published store (implemented by `PublishedStore`). */
export interface PublishedIndexWriter {
  applyBatch(target: PublishTarget, batch: PublishedBatch): Promise<void>;
}

/** What the post-processing of a full indexing run needs (implemented by `PublishedStore`). */
export interface PublishedIndexCleaner {
  removeUnseen(target: PublishTarget, datasetId: string, executionId: string): Promise<string[]>;
}

export interface IndexInput {
  recordId: string;
  /** The fully processed EDM-internal record (after media processing). */
  content: string;
  datasetId: string;
  executionId?: string;
  /**
   * Deleted at the source (harvest post-processing): removed from the target instead of indexed;
   * in publish it leaves a REMOVED_DATA_AT_SOURCE tombstone.
   */
  deleted?: boolean;
}

export interface IndexerOptions {
  store: PublishedIndexWriter;
  target: PublishTarget;
  /** Clock for the annotations' dcterms:created. Default: the system clock. */
  now?: () => Date;
  /**
   * `OVERWRITE` (default, as eCloud runs it) replaces existing tier annotations; `INITIALISE` only
   * adds missing ones. Tiers are always computed (publish needs the content tier).
   */
  tierCalculationMode?: TierWriteMode;
}

/** Facts an index outcome carries for tier statistics and the record report. */
export interface IndexData {
  target: PublishTarget;
  tiers: TierResults;
}

export const NOT_SUITABLE_FOR_PUBLICATION = 'Record not suitable for publication';

/**
 * Creates the indexing step: `(records) => outcomes`, one outcome per input record in order.
 * A record-level problem is a `fail` outcome; a database failure rejects (the batch is retried).
 */
export function createIndexer(opts: IndexerOptions): (records: IndexInput[]) => Promise<StepOutcome<IndexData>[]> {
  const now = opts.now ?? (() => new Date());
  return async (records) => {
    const outcomes: StepOutcome<IndexData>[] = [];
    const index: PublishedDocument[] = [];
    const tombstones: TombstoneInput[] = [];
    const remove: string[] = [];
    for (const record of records) {
      if (record.deleted) {
        if (opts.target === 'publish') tombstones.push({ recordId: record.recordId, datasetId: record.datasetId, reason: 'REMOVED_DATA_AT_SOURCE' });
        else remove.push(record.recordId);
        outcomes.push(success<IndexData>(record.recordId, undefined, undefined, [{ level: 'info', code: 'INDEX_DELETED', message: 'Record deleted at the source: removed from the index.' }]));
        continue;
      }
      let view;
      try {
        view = createEdmView(parseXml(record.content));
      } catch (err) {
        if (!(err instanceof XmlParseError)) throw err;
        outcomes.push(fail(record.recordId, 'INDEX_RECORD', `Error while indexing: ${err.message}`));
        continue;
      }
      const tiers = computeTiers(view);
      const fields = extractSearchFields(view);
      if (opts.target === 'publish' && tiers.content.tier === 0) {
        tombstones.push({ recordId: record.recordId, datasetId: record.datasetId, reason: 'REMOVED_DATA_AT_SOURCE', title: fields.titles[0]?.text, dataProvider: fields.dataProvider });
        const outcome = fail<IndexData>(record.recordId, 'NOT_SUITABLE_FOR_PUBLICATION', NOT_SUITABLE_FOR_PUBLICATION, `Record ${record.recordId} not suitable for publication cause it was in media tier 0!`);
        outcome.data = { target: opts.target, tiers };
        outcomes.push(outcome);
        continue;
      }
      try {
        writeTierAnnotations(
          view,
          { providerContent: tiers.content.tier, providerMetadata: tiers.metadata.tier, europeanaContent: tiers.content.tier, europeanaMetadata: tiers.metadataAllProxies.tier },
          now(),
          opts.tierCalculationMode ?? 'OVERWRITE',
        );
      } catch (err) {
        if (!(err instanceof TierAnnotationError)) throw err;
        outcomes.push(fail(record.recordId, 'INDEX_RECORD', `Error while indexing: ${err.message}`));
        continue;
      }
      const edm = serializeXml(view.doc);
      index.push({
        recordId: record.recordId,
        datasetId: record.datasetId,
        executionId: record.executionId,
        edm,
        contentTier: tiers.content.tier,
        contentTierBeforeLicenseCorrection: tiers.content.beforeLicenseCorrection,
        metadataTier: tiers.metadata.tier,
        metadataTierAllProxies: tiers.metadataAllProxies.tier,
        license: tiers.license,
        fields,
      });
      outcomes.push(success<IndexData>(record.recordId, edm, { target: opts.target, tiers }));
    }
    if (index.length > 0 || tombstones.length > 0 || remove.length > 0) await opts.store.applyBatch(opts.target, { index, tombstones, remove });
    return outcomes;
  };
}

/**
 * Post-processing of a full (non-incremental) indexing run: removes the dataset's records in the
 * target that this execution did not index. Returns the removed ids ("deleted records").
 */
export function completeFullReindex(opts: { store: PublishedIndexCleaner; target: PublishTarget; datasetId: string; executionId: string }): Promise<string[]> {
  return opts.store.removeUnseen(opts.target, opts.datasetId, opts.executionId);
}
