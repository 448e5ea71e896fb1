/**
 * Everything `run --demo` starts besides the pipeline: the demo OAI-PMH endpoint (generated EDM
 * records, about one in ten broken on purpose), the media server that serves their images, documents,
 * audio, video and landing pages on 127.0.0.1, and an entity file of the demo's own organisations and
 * time spans for the built-in entity store. With these, the records broken on purpose are the demo's
 * only failures, and the others neither fail nor warn.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDemoOaiServer } from '../steps/harvest/oai/demo-server.ts';
import { startDemoMediaServer } from './demo-media-server.ts';
import { demoEntitiesXml } from './demo-entities.ts';

export interface Demo {
  /** The OAI-PMH base URL (metadata prefix `edm`). */
  oaiUrl: string;
  /** The media server's base URL (media under `<i>/`, landing pages under `details/<i>`). */
  mediaUrl: string;
  /** Path of the entity file (EDM RDF/XML) holding the demo's organisations and time spans. */
  entities: string;
  close(): Promise<void>;
}

export async function startDemo(opts: { records: number; pageSize?: number }): Promise<Demo> {
  const media = await startDemoMediaServer();
  const dir = mkdtempSync(join(tmpdir(), 'metis-demo-'));
  const entities = join(dir, 'demo-entities.xml');
  writeFileSync(entities, demoEntitiesXml());
  try {
    const oai = await startDemoOaiServer({
      size: opts.records,
      pageSize: opts.pageSize ?? 50,
      dataset: { mediaBaseUrl: media.url, landingPageBaseUrl: `${media.url}details/` },
    });
    return {
      oaiUrl: oai.url,
      mediaUrl: media.url,
      entities,
      async close() {
        await oai.close();
        await media.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await media.close();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
