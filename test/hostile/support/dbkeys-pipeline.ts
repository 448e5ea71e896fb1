/**
 * Runs one harvest task of generated records through the embedded pipeline on a given database
 * (PGlite in the unit tests, the real PostgreSQL server in test/integration), with the demo OAI-PMH
 * server on 127.0.0.1 serving the records, and returns the task's final status and stored results.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { Db } from '../../../src/store/db.ts';
import { startEmbedded } from '../../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../../../src/pipeline/ports/create-metis-ports.ts';
import { startDemoOaiServer, type RepositoryRecord } from '../../../src/steps/harvest/oai/demo-server.ts';
import type { StepName } from '../../../src/model/index.ts';
import type { TaskStatus } from '../../../src/pipeline/service.ts';

export interface HarvestRun {
  status: TaskStatus;
  /** Stored result of each record's harvest step, by OAI identifier or Europeana id. */
  result(
    step: StepName,
    recordId: string,
  ): Promise<{ status: string; messages: Array<{ code: string; message: string }> } | undefined>;
}

/**
 * Harvests `size` records (`record(i)`) with the given steps and waits (bounded by `timeoutMs`) for
 * the task to end; `inspect` runs before everything is closed.
 */
export async function runHarvest(
  db: Db,
  size: number,
  record: (index: number) => RepositoryRecord,
  inspect: (run: HarvestRun) => Promise<void>,
  opts: { steps?: StepName[]; timeoutMs?: number } = {},
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'metis-dbkeys-'));
  const oai = await startDemoOaiServer({ size, pageSize: 4, record });
  const ports = await createMetisPorts(
    defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 'thumbs'), threads: 0 }),
  );
  const pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 2, logger: pino({ level: 'fatal' }) });
  try {
    const task = await pipeline.service.submit({
      dataset: { id: '9200', name: 'Hostile', country: 'Italy', language: 'it' },
      source: { type: 'oai', url: oai.url, metadataPrefix: 'edm' },
      steps: opts.steps ?? ['harvest', 'validate-external', 'transform'],
    });
    const status = await pipeline.service.waitForTask(task.taskId, { timeoutMs: opts.timeoutMs ?? 45_000 });
    await inspect({
      status,
      result: async (step, recordId) => {
        const r = await pipeline.store.reports.recordResult(task.taskId, step, recordId);
        return r as Awaited<ReturnType<HarvestRun['result']>>;
      },
    });
  } finally {
    await pipeline.stop();
    await ports.close();
    await oai.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
