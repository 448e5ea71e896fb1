/**
 * Duplicate detection within one harvest task (metis-steps.md §1 "Duplicates"): two source records
 * that map to the same Europeana id (eCloud: "Duplicate detected"), or the same provider record id
 * harvested twice (Sandbox: `UNIQUE (provider_id, dataset_id)`). The first record wins; later ones
 * become record failures. Memory grows with the number of records of the task (two string sets);
 * the pipeline keeps one detector per task and can rebuild it from `entries()` after a restart.
 */
import { fail, type StepOutcome } from '../outcome.ts';

export const DUPLICATE_MESSAGE = 'Duplicate detected';

export interface DuplicateEntry {
  providerId: string;
  europeanaId: string;
}

export class DuplicateDetector {
  private readonly byEuropeanaId = new Map<string, string>();
  private readonly providerIds = new Set<string>();

  /** Restores a detector from earlier `entries()` (e.g. after a crash). */
  constructor(initial: Iterable<DuplicateEntry> = []) {
    for (const e of initial) this.check(e.providerId, e.europeanaId);
  }

  /**
   * Registers a record and returns undefined when it is new, or a `fail` outcome (code
   * `DUPLICATE_RECORD`, message "Duplicate detected", detail naming both records) when its provider
   * id or its Europeana id was already registered. A duplicate is not registered.
   */
  check(providerId: string, europeanaId: string): StepOutcome | undefined {
    const first = this.byEuropeanaId.get(europeanaId);
    if (first !== undefined) {
      return fail(providerId, 'DUPLICATE_RECORD', DUPLICATE_MESSAGE, `Duplicated record has been found: ProviderId: ${providerId} | EuropeanaId: ${europeanaId} (first: ${first})`);
    }
    if (this.providerIds.has(providerId)) {
      return fail(providerId, 'DUPLICATE_RECORD', DUPLICATE_MESSAGE, `Duplicated record has been found: ProviderId: ${providerId} harvested twice`);
    }
    this.byEuropeanaId.set(europeanaId, providerId);
    this.providerIds.add(providerId);
    return undefined;
  }

  get size(): number {
    return this.byEuropeanaId.size;
  }

  *entries(): Generator<DuplicateEntry> {
    for (const [europeanaId, providerId] of this.byEuropeanaId) yield { providerId, europeanaId };
  }
}
