/**
 * `metis-streams run`: one dataset end to end in this process (LocalRuntime + PGlite), with a
 * progress bar per step and a final summary. `--demo` starts a small OAI-PMH endpoint on 127.0.0.1
 * serving generated EDM records (a few invalid on purpose) and harvests it.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { openPglite } from '../store/db.ts';
import { startEmbedded } from '../pipeline/embedded.ts';
import { createMetisPorts, defaultMetisConfig } from '../pipeline/ports/create-metis-ports.ts';
import { stepNameSchema, type TaskSpecInput } from '../model/index.ts';
import { startDemoOaiServer } from '../steps/harvest/oai/demo-server.ts';
import { startDemoMediaServer } from '../pipeline/demo-media-server.ts';
import { renderSummary, startProgressDisplay } from './progress.ts';
import type { CliValues } from './main.ts';

export async function runCommand(v: CliValues): Promise<number> {
  const str = (k: string) => (typeof v[k] === 'string' ? (v[k] as string) : undefined);
  let demo: Awaited<ReturnType<typeof startDemoOaiServer>> | undefined;
  let demoMedia: Awaited<ReturnType<typeof startDemoMediaServer>> | undefined;
  let source: TaskSpecInput['source'];
  if (v.demo) {
    const records = Number(str('records') ?? 200);
    demoMedia = await startDemoMediaServer();
    demo = await startDemoOaiServer({ size: records, pageSize: 50, dataset: { mediaBaseUrl: demoMedia.url } });
    source = { type: 'oai', url: demo.url, metadataPrefix: 'edm' };
    process.stderr.write(`demo OAI-PMH endpoint with ${records} generated records at ${demo.url}\n`);
  } else if (str('oai')) {
    source = { type: 'oai', url: str('oai')!, metadataPrefix: str('prefix') ?? 'edm', set: str('set') };
  } else if (str('archive')) {
    source = { type: 'archive', url: str('archive')! };
  } else {
    process.stderr.write('run: give --demo, --oai URL or --archive URL (see metis-streams help)\n');
    return 1;
  }

  const dataDir = resolve(str('db') ?? '.metis-data');
  mkdirSync(dataDir, { recursive: true });
  const db = await openPglite(resolve(dataDir, 'pglite'));
  const config = defaultMetisConfig({
    db,
    cacheDir: resolve(dataDir, 'cache'),
    schemaLocation: str('schemas') ?? process.env.METIS_SCHEMAS,
    entitiesFile: str('entities'),
    thumbnailDir: str('thumbnails') ?? resolve(dataDir, 'thumbnails'),
    // The demo's media links point at the demo server on loopback.
    allowLoopback: Boolean(v.demo),
  });
  const ports = await createMetisPorts(config);
  const pipeline = await startEmbedded({ db, ports: ports.ports });
  const progress = startProgressDisplay();
  try {
    const spec: TaskSpecInput = {
      dataset: {
        id: str('dataset-id') ?? (v.demo ? '9200' : 'dataset'),
        name: str('dataset-name') ?? (v.demo ? 'Demo' : 'Dataset'),
        country: str('country') ?? 'Europe',
        language: str('language') ?? 'mul',
      },
      source,
      steps: str('steps') ? str('steps')!.split(',').map((s) => stepNameSchema.parse(s.trim())) : undefined,
      limits: str('limit') ? { recordLimit: Number(str('limit')) } : {},
    };
    const task = await pipeline.service.submit(spec);
    const final = await pipeline.service.waitForTask(task.taskId, { onTick: (s) => progress.update(s), pollMs: 250 });
    progress.stop();
    process.stdout.write(renderSummary(final, `PGlite database in ${dataDir}/pglite (tables record_result, step_progress, error_report, tier_stats, published_record); thumbnails in ${config.thumbnailDir}`) + '\n');
    return final.task.state === 'completed' ? 0 : 2;
  } finally {
    await pipeline.stop();
    await ports.close();
    await db.close();
    await demo?.close();
    await demoMedia?.close();
  }
}
