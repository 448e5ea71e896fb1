/**
 * The harvest memory: what each dataset's records looked like when last harvested (a checksum),
 * so an incremental harvest skips unchanged records and a full one finds records gone from the source.
 */
import type { Db, Queryable } from './db.ts';
import * as SQL from './sql/harvest.sql.ts';
import type { RecordOutcomeEvent } from '../model/index.ts';

export class HarvestMemory {
  constructor(private readonly db: Db) {}

  /** True when the record's content is unchanged since the dataset's last harvest. */
  async isUnchanged(datasetId: string, recordId: string, checksum: string): Promise<boolean> {
    const r = await this.db.query(SQL.selectUnchanged, [datasetId, recordId, checksum]);
    return r.rows.length > 0;
  }

  async rememberHarvested(
    datasetId: string,
    recordId: string,
    checksum: string,
    datestamp: string | undefined,
    taskId: string,
  ) {
    await this.db.query(SQL.remember, [datasetId, recordId, checksum, datestamp ?? null, taskId]);
  }

  /**
   * After a full harvest: records of the dataset that this task did not see any more (deleted at
   * the source). Removes them from the harvest memory and returns their ids.
   */
  async takeRecordsGoneFromSource(datasetId: string, taskId: string): Promise<string[]> {
    const r = await this.db.query<{ record_id: string }>(SQL.takeUnseen, [datasetId, taskId]);
    return r.rows.map((x) => x.record_id).sort();
  }

  /** Marks the batch's unchanged harvested records as seen again by their task. */
  async markSeen(q: Queryable, records: RecordOutcomeEvent[]): Promise<void> {
    const unchanged = records.filter((e) => e.step === 'harvest' && e.data?.unchanged);
    if (unchanged.length > 0) {
      await q.query(SQL.markSeen, [
        JSON.stringify(unchanged.map((e) => ({ task_id: e.taskId, record_id: e.recordId }))),
      ]);
    }
  }
}

/** The rows `rememberBatch` takes for a batch's changed harvested records, sorted by record id. */
export function changedHarvests(records: RecordOutcomeEvent[]): Array<{ task_id: string; record_id: string; checksum: unknown; datestamp: string | null }> {
  return records
    .filter((e) => e.step === 'harvest' && e.status !== 'fail' && typeof e.data?.checksum === 'string' && !e.data?.unchanged)
    .map((e) => ({
      task_id: e.taskId,
      record_id: e.recordId,
      checksum: e.data!.checksum,
      datestamp: (e.data!.datestamp as string | undefined) ?? null,
    }))
    .sort((a, b) => (a.record_id < b.record_id ? -1 : a.record_id > b.record_id ? 1 : 0));
}
