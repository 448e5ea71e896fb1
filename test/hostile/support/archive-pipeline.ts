/**
 * Runs one archive harvest task through the embedded pipeline (PGlite), the archive served over
 * HTTP on 127.0.0.1, and hands the final status and stored harvest results to `inspect`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { openPglite } from '../../../src/store/db.ts';
import { startEmbedded } from '../../../src/pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../../../src/pipeline/ports/create-metis-ports.ts';
import type { TaskStatus } from '../../../src/pipeline/service.ts';
import { serveBytes } from './archive-zips.ts';

export interface ArchiveRun {
  status: TaskStatus;
  /** Stored harvest result of a record, by Europeana id (success) or archive path (failure). */
  result(recordId: string): Promise<{ status: string; messages: Array<{ code: string; message: string }> } | undefined>;
}

export async function runArchiveHarvest(
  archive: Buffer,
  name: string,
  inspect: (run: ArchiveRun) => Promise<void>,
  timeoutMs = 60_000,
): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'metis-hostile-archive-'));
  const db = await openPglite();
  const server = await serveBytes(name, archive);
  const ports = await createMetisPorts(
    defaultMetisConfig({ db, cacheDir: join(dir, 'cache'), thumbnailDir: join(dir, 'thumbs'), threads: 0 }),
  );
  const pipeline = await startEmbedded({ db, ports: ports.ports, partitions: 2, logger: pino({ level: 'fatal' }) });
  try {
    const task = await pipeline.service.submit({
      dataset: { id: '9300', name: 'HostileArchive', country: 'Italy', language: 'it' },
      source: { type: 'archive', url: server.url },
      steps: ['harvest'],
    });
    const status = await pipeline.service.waitForTask(task.taskId, { timeoutMs });
    await inspect({
      status,
      result: async (recordId) =>
        (await pipeline.store.reports.recordResult(task.taskId, 'harvest', recordId)) as Awaited<
          ReturnType<ArchiveRun['result']>
        >,
    });
  } finally {
    await pipeline.stop();
    await ports.close();
    await server.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
