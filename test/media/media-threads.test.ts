import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { analyseImage } from '../../src/steps/media/image.ts';
import { createMediaProcessor, createMemoryThumbnailStore } from '../../src/steps/media/index.ts';
import { createMediaThreads } from '../../src/steps/media/media-threads.ts';
import { ToolError } from '../../src/steps/media/spawn-tool.ts';
import { fixtureBytes, startFixtureServer, type FixtureServer } from './fixture-server.ts';
import { makePdf } from './make-pdf.ts';

/** CPU ticks (user + system) of one thread of this process, from /proc. */
function threadTicks(tid: number): number {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/** CPU ticks of the whole process. */
function processTicks(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

describe('media threads', () => {
  const threads = createMediaThreads({ threads: 2 });
  let server: FixtureServer;
  let large: Buffer;
  let alphaPng: Buffer;
  let pdf: Buffer;

  before(async () => {
    const jpg = fixtureBytes('default.jpg');
    large = await sharp(jpg).resize({ width: 2000 }).jpeg({ quality: 90 }).toBuffer();
    alphaPng = await sharp({ create: { width: 600, height: 300, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 0.5 } } }).png().toBuffer();
    pdf = makePdf({ text: 'Metis media test', image: { jpeg: jpg, width: 186, height: 155, dpi: 150 } });
    server = await startFixtureServer({
      '/files/default.jpg': { body: jpg, contentType: 'image/jpeg' },
      '/files/large.jpg': { body: large, contentType: 'image/jpeg' },
      '/files/alpha.png': { body: alphaPng, contentType: 'image/png' },
      '/files/doc.pdf': { body: pdf, contentType: 'application/pdf' },
      '/files/audio_test.mp3': { body: fixtureBytes('audio_test.mp3'), contentType: 'audio/mpeg' },
      '/files/broken.png': { body: Buffer.concat([alphaPng.subarray(0, 40), Buffer.alloc(30, 7)]), contentType: 'image/png' },
    });
  });

  after(async () => {
    await threads.close();
    await server.close();
  });

  it('gives the same analysis as the calling thread, thumbnails byte for byte, and leaves kept bytes usable', async () => {
    for (const [bytes, mime] of [[fixtureBytes('default.jpg'), 'image/jpeg'], [large, 'image/jpeg'], [alphaPng, 'image/png']] as const) {
      const options = { pngThumbnails: mime === 'image/png', inputMimeType: mime };
      const here = await analyseImage(bytes, 'http://x/a', options);
      const copy = Buffer.from(bytes);
      const there = await threads.analyseImage(copy, 'http://x/a', options);
      assert.deepEqual(there, here);
      for (const t of there.thumbnails) assert.ok(Buffer.isBuffer(t.bytes));
      // Not handed over: the caller's bytes are still there.
      assert.ok(copy.equals(bytes));
    }
  });

  it('fails the way the calling thread does: the same catalogue code and message', async () => {
    const broken = Buffer.concat([alphaPng.subarray(0, 40), Buffer.alloc(30, 7)]);
    const options = { pngThumbnails: true, inputMimeType: 'image/png' };
    const here = await analyseImage(broken, 'u', options).catch((e: Error) => e);
    const there = await threads.analyseImage(broken, 'u', options).catch((e: Error) => e);
    assert.ok(here instanceof Error && there instanceof Error);
    assert.equal((there as { code?: string }).code, (here as { code?: string }).code);
    assert.equal(there.message, here.message);
  });

  it('runs tools from a thread: output, failures and cancellation as spawnTool has them', async () => {
    assert.equal((await threads.runTool('echo', ['hello'], { timeoutMs: 10_000 })).toString(), 'hello\n');
    const failed = await threads.runTool('ls', ['/no/such/dir'], { timeoutMs: 10_000 }).catch((e: unknown) => e);
    assert.ok(failed instanceof ToolError);
    assert.match(failed.params.detail as string, /ls failed \(exit 2\)/);
    assert.match(failed.stderr, /No such file/);
    const abort = new AbortController();
    const started = Date.now();
    const cancelled = threads.runTool('sleep', ['30'], { timeoutMs: 60_000 }, abort.signal).catch((e: unknown) => e);
    setTimeout(() => abort.abort(), 200);
    const err = await cancelled;
    assert.ok(err instanceof ToolError && /cancelled/.test(err.params.detail as string), String(err));
    assert.ok(Date.now() - started < 10_000);
  });

  it('analyses off the calling thread: this thread does a small part of the CPU work', async () => {
    const options = { pngThumbnails: false, inputMimeType: 'image/jpeg' };
    await threads.analyseImage(large, 'w', options);
    const main0 = threadTicks(process.pid);
    const all0 = processTicks();
    await Promise.all(Array.from({ length: 12 }, (_, i) => threads.analyseImage(large, `http://x/${i}`, options)));
    const main = threadTicks(process.pid) - main0;
    const all = processTicks() - all0;
    assert.ok(all >= 10, `the analyses used ${all} ticks`);
    assert.ok(main < 0.25 * all, `calling thread ${main} of ${all} ticks`);
  });

  it('gives the media step the same record, messages, data and thumbnails with threads as without', async () => {
    const f = (name: string) => `${server.base}/files/${name}`;
    const content = `<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:ore="http://www.openarchives.org/ore/terms/">
  <edm:ProvidedCHO rdf:about="/1/t"/>
  <ore:Aggregation rdf:about="/aggregation/provider/1/t">
    <edm:aggregatedCHO rdf:resource="/1/t"/>
    <edm:isShownBy rdf:resource="${f('doc.pdf')}"/>
    ${['default.jpg', 'large.jpg', 'alpha.png', 'audio_test.mp3', 'broken.png'].map((v) => `<edm:hasView rdf:resource="${f(v)}"/>`).join('\n    ')}
  </ore:Aggregation>
  <edm:EuropeanaAggregation rdf:about="/aggregation/europeana/1/t"><edm:aggregatedCHO rdf:resource="/1/t"/></edm:EuropeanaAggregation>
</rdf:RDF>`;
    const run = async (n: number) => {
      const store = createMemoryThumbnailStore();
      const step = createMediaProcessor({ fetchPolicy: { allowLoopback: true, allowedHosts: ['127.0.0.1'] }, thumbnailStore: store, threads: n });
      try {
        const outcome = await step({ recordId: '/1/t', content });
        const thumbs = await Promise.all(store.names().sort().map(async (name) => [name, (await store.get(name))!] as const));
        return { outcome, thumbs };
      } finally {
        await step.close();
      }
    };
    const here = await run(0);
    const there = await run(2);
    assert.equal(here.outcome.status, 'warn');
    assert.equal(here.outcome.messages.length, 1, JSON.stringify(here.outcome.messages));
    assert.deepEqual(there.outcome, here.outcome);
    assert.equal(there.thumbs.length, 8);
    assert.deepEqual(there.thumbs, here.thumbs);
  });
});
