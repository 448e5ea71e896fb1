/**
 * Ports for the steps after transformation: normalization, indexing to preview / publish (batched
 * across the records in flight, a batch retried on a transient database error), link checking and
 * depublication.
 */
import type { Db } from '../../store/db.ts';
import { openPublishedStore, type PublishedStore } from '../../store/published-store.ts';
import { createNormalizer } from '../../steps/normalize/normalizer.ts';
import { createIndexer, type IndexData } from '../../steps/index/index.ts';
import { createLinkChecker, type LinkChecker } from '../../steps/linkcheck/index.ts';
import { createDepublisher, isDepublicationReason } from '../../steps/depublish/index.ts';
import type { StepOutcome } from '../../steps/outcome.ts';
import { errors, isMetisError, isTransientDbError, retry, type RetryOptions } from '../../errors/index.ts';
import { isDbRefusal, sqlState } from '../../store/safe-values.ts';
import type { TaskRow } from '../../store/pipeline-store.ts';
import type { StepName } from '../../model/index.ts';
import type { DepublishPort, RecordStep } from './port-types.ts';
import type { RequestGate } from '../../steps/http/request-gate.ts';

export interface LateSteps {
  forTask(task: TaskRow, step: StepName): Promise<RecordStep>;
  depublish: DepublishPort;
  published: PublishedStore;
  close(): Promise<void>;
}

/** Collects the records that arrive within `windowMs` (or up to `max`) and runs them as one batch. */
function batcher<I, O>(run: (items: I[]) => Promise<O[]>, max = 64, windowMs = 5): (item: I) => Promise<O> {
  let pending: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const batch = pending;
    pending = [];
    run(batch.map((b) => b.item)).then(
      (outs) => batch.forEach((b, i) => b.resolve(outs[i])),
      (err) => {
        // A record the database refuses must not fail the others of its batch: each is tried alone.
        if (batch.length > 1 && isMetisError(err, 'DB_REFUSED'))
          for (const b of batch) run([b.item]).then((outs) => b.resolve(outs[0]), b.reject);
        else batch.forEach((b) => b.reject(err));
      },
    );
  };
  return (item) =>
    new Promise<O>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (pending.length >= max) {
        if (timer) clearTimeout(timer);
        flush();
      } else timer ??= setTimeout(flush, windowMs);
    });
}

/** Tier facts in the shape the pipeline's tier statistics read (`data.tiers.content/metadata`). */
function indexOutcome(o: StepOutcome<IndexData>): StepOutcome {
  if (!o.data) return o as unknown as StepOutcome;
  const t = o.data.tiers;
  return {
    ...o,
    data: {
      target: o.data.target,
      tiers: {
        content: String(t.content.tier),
        metadata: String(t.metadata.tier),
        contentBeforeLicenseCorrection: String(t.content.beforeLicenseCorrection),
        metadataAllProxies: String(t.metadataAllProxies.tier),
        // The metadata tier's dimensions (the Sandbox's records-tiers and record report show them).
        metadataLanguage: String(t.metadata.language.tier),
        metadataEnablingElements: String(t.metadata.enablingElements.tier),
        metadataContextualClasses: String(t.metadata.contextualClasses.tier),
        license: t.license,
      },
    },
  };
}

/** How an index batch retries a transient database error. */
export type IndexRetry = Pick<RetryOptions, 'retries' | 'baseDelayMs' | 'maxDelayMs' | 'onRetry'>;

/** Default: 4 more tries over about 1.5 s on average (back-off from 100 ms, full jitter). */
export const DEFAULT_INDEX_RETRY: IndexRetry = { retries: 4, baseDelayMs: 100, maxDelayMs: 2_000 };

/**
 * An index batch is one database transaction, so a try that failed left nothing behind: a transient
 * database error (connection lost, serialization failure, deadlock) retries the whole batch. Only
 * when the tries are used up do its records fail, with `DB_TRANSIENT`. A refusal for good (a
 * SQLSTATE that is not transient) is `DB_REFUSED` with the database's reason: the batcher then
 * tries each record alone, so only the refused one fails. Other errors fail the batch at once.
 */
function retried<I, O>(run: (items: I[]) => Promise<O[]>, options: IndexRetry): (items: I[]) => Promise<O[]> {
  return async (items) => {
    try {
      return await retry(() => run(items), { ...options, isRetriable: isTransientDbError });
    } catch (err) {
      if (isTransientDbError(err))
        throw errors.DB_TRANSIENT(
          { detail: (err as Error).message, sqlState: (err as { code?: string }).code },
          { cause: err },
        );
      if (isDbRefusal(err))
        throw errors.DB_REFUSED({ detail: (err as Error).message, sqlState: sqlState(err) }, { cause: err });
      throw err;
    }
  };
}

export async function buildLateSteps(config: {
  db: Db;
  allowLoopback: boolean;
  indexRetry?: IndexRetry;
  /** Politeness towards the hosts link checks reach (the runtime's HostLimiter). */
  gate?: RequestGate;
}): Promise<LateSteps> {
  const published = await openPublishedStore(config.db);
  const normalize = createNormalizer();
  const indexRetry = config.indexRetry ?? DEFAULT_INDEX_RETRY;
  const indexers = {
    preview: batcher(retried(createIndexer({ store: published, target: 'preview' }), indexRetry)),
    publish: batcher(retried(createIndexer({ store: published, target: 'publish' }), indexRetry)),
  };
  let linkChecker: LinkChecker | undefined;
  const depublisher = createDepublisher({ store: published });

  return {
    published,
    async forTask(task: TaskRow, step: StepName): Promise<RecordStep> {
      switch (step) {
        case 'normalize':
          return async (r) => normalize(r);
        case 'preview':
        case 'publish': {
          const index = indexers[step];
          return async (r) =>
            indexOutcome(
              await index({
                recordId: r.recordId,
                content: r.content,
                datasetId: task.datasetId,
                executionId: task.taskId,
              }),
            );
        }
        case 'linkcheck': {
          const check = (linkChecker ??= createLinkChecker({ fetchPolicy: { allowLoopback: config.allowLoopback, gate: config.gate } }));
          return async (r) => check(r);
        }
        default:
          throw errors.UNKNOWN_STEP({ step });
      }
    },
    depublish: {
      async depublish(datasetId, recordIds, reason) {
        if (!isDepublicationReason(reason)) throw errors.DEPUBLISH_REASON({ reason });
        return depublisher(
          recordIds ? { datasetId, reason, mode: 'records', recordIds } : { datasetId, reason, mode: 'dataset' },
        );
      },
    },
    async close() {
      await linkChecker?.close();
    },
  };
}
