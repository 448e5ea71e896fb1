import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { crc32, deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { NS } from '../../src/edm/namespaces.ts';
import { errors } from '../../src/errors/index.ts';
import { childElements, getAttr, parseXml, serializeXml, textContent, type XmlElement } from '../../src/edm/xml.ts';
import type { FetchPolicy } from '../../src/steps/http/safe-fetch.ts';
import { probeAudioVideo } from '../../src/steps/media/audio-video.ts';
import { createMediaProcessor, createMemoryThumbnailStore, thumbnailName, type MediaProcessorOptions } from '../../src/steps/media/index.ts';
import { fixtureBytes, METIS_FIXTURES, startFixtureServer, type FixtureServer } from './fixture-server.ts';
import { makePdf } from './make-pdf.ts';

const ECLOUD = new URL('Europeana-Cloud/service/dps/storm/topologies/media-service/src/test/resources/files/', METIS_FIXTURES);
const LOOPBACK_ONLY: FetchPolicy = { allowLoopback: true, allowedHosts: ['127.0.0.1'] };

/** The fields of the edm:WebResource about `url`, as `prefix:local` → texts (or rdf:resource values). */
function webResource(content: string, url: string): Record<string, string[]> | undefined {
  const { root } = parseXml(content);
  const wr = childElements(root, NS.edm, 'WebResource').find((w) => getAttr(w, NS.rdf, 'about') === url);
  if (!wr) return undefined;
  const out: Record<string, string[]> = {};
  for (const c of childElements(wr)) (out[c.name] ??= []).push(getAttr(c, NS.rdf, 'resource') ?? textContent(c).trim());
  return out;
}

function preview(content: string): string | undefined {
  const { root } = parseXml(content);
  const agg = childElements(root, NS.edm, 'EuropeanaAggregation')[0] as XmlElement | undefined;
  const p = agg && childElements(agg, NS.edm, 'preview')[0];
  return p && getAttr(p, NS.rdf, 'resource');
}

/** A PNG whose header claims 50 000 × 50 000 pixels: decoding it would need 7.5 GB. */
function decompressionBomb(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([len, body, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(50_000, 0);
  ihdr.writeUInt32BE(50_000, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(1000))), chunk('IEND', Buffer.alloc(0))]);
}

describe('media processor against a real HTTP server', () => {
  let server: FixtureServer;
  let largeJpeg: Buffer;
  let alphaPng: Buffer;
  let rendition: Buffer;
  let mp4: Buffer;
  let audioMp4: Buffer;
  let pdf: Buffer;
  const tmp = mkdtempSync(join(tmpdir(), 'media-test-'));
  const processors: Array<{ close(): Promise<void> }> = [];
  const make = (options: MediaProcessorOptions) => {
    const p = createMediaProcessor({ fetchPolicy: LOOPBACK_ONLY, ...options });
    processors.push(p);
    return p;
  };

  before(async () => {
    const jpg = fixtureBytes('default.jpg');
    largeJpeg = await sharp(jpg).resize({ width: 1000 }).jpeg().toBuffer();
    rendition = await sharp(jpg).resize({ width: 400 }).jpeg().toBuffer();
    alphaPng = await sharp({ create: { width: 600, height: 300, channels: 4, background: { r: 200, g: 30, b: 30, alpha: 0.5 } } }).png().toBuffer();
    // No video fixture exists in the Metis repositories: make a one-second H.264 clip with ffmpeg.
    const mp4Path = join(tmp, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'quiet', '-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-t', '1', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-y', mp4Path]);
    mp4 = readFileSync(mp4Path);
    const audioMp4Path = join(tmp, 'tone.mp4');
    execFileSync('ffmpeg', ['-v', 'quiet', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac', '-f', 'mp4', '-y', audioMp4Path]);
    audioMp4 = readFileSync(audioMp4Path);
    pdf = makePdf({ text: 'Metis media test', image: { jpeg: jpg, width: 186, height: 155, dpi: 150 } });

    const v2 = JSON.parse(fixtureBytes('iiif_info_v2.json').toString());
    const v3 = JSON.parse(fixtureBytes('iiif_info_v3.json').toString());
    server = await startFixtureServer({
      '/av.tib.eu/thumbnail/45017': { body: largeJpeg, contentType: 'image/jpeg' },
      '/tib.flowcenter.de/mfc/medialink/24/de528c7625ffad24e73396e1ff0fed5ea7b9c8ecb645de9fdfaefcc308a9f6427a/2016_phy_Kurt_Wuethrich_1080p.mp4': {
        body: mp4,
        contentType: 'video/mp4',
      },
      '/files/default.jpg': { body: jpg, contentType: 'image/jpeg' },
      '/files/large.jpg': { body: largeJpeg, contentType: 'image/jpeg' },
      '/files/alpha.png': { body: alphaPng, contentType: 'image/png' },
      '/files/lying.html': { body: largeJpeg, contentType: 'text/html; charset=utf-8' },
      '/files/lying-audio': { body: largeJpeg, contentType: 'audio/mpeg' },
      '/files/audio_test.mp3': { body: fixtureBytes('audio_test.mp3'), contentType: 'audio/mpeg' },
      '/files/tone.mp4': (_q, s) => s.writeHead(200, { 'content-type': 'video/mp4', 'content-length': String(audioMp4.length) }).end(audioMp4),
      '/files/example.mpd': { body: fixtureBytes('example.mpd'), contentType: 'application/dash+xml' },
      '/files/cube.glb': { body: fixtureBytes('3d/cube.glb'), contentType: 'application/octet-stream' },
      '/files/cube.obj': { body: fixtureBytes('3d/cube.obj'), contentType: 'text/plain' },
      '/files/doc.pdf': { body: pdf, contentType: 'application/pdf' },
      '/files/landing.html': { body: '<!DOCTYPE html><html><body>landing</body></html>', contentType: 'text/html' },
      '/files/bomb.png': { body: decompressionBomb(), contentType: 'image/png' },
      '/files/r1': (_q, s) => s.writeHead(301, { location: '/files/r2' }).end(),
      '/files/r2': (_q, s) => s.writeHead(302, { location: '/files/r3' }).end(),
      '/files/r3': (_q, s) => s.writeHead(303, { location: '/files/large.jpg' }).end(),
      '/files/slow.jpg': (_q, s) => void setTimeout(() => s.writeHead(200, { 'content-type': 'image/jpeg' }).end(largeJpeg), 8000).unref(),
      '/files/huge.jpg': (_q, s) => {
        s.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': String(1024 ** 3) });
        s.write(largeJpeg.subarray(0, 1000));
      },
      '/stacks.stanford.edu/image/iiif/zw031pj2507/zw031pj2507_0001/full/!400,400/0/default.jpg': { body: rendition, contentType: 'image/jpeg' },
      '/stacks.stanford.edu/image/iiif/zw031pj2507/zw031pj2507_0002/full/!400,400/0/default.png': { body: alphaPng, contentType: 'image/png' },
      '/stacks.stanford.edu/image/iiif/zw031pj2507/zw031pj2507_0001/full/400,/0/default.jpg': { body: rendition, contentType: 'image/jpeg' },
      '/purl.stanford.edu/zw031pj2507': { body: '<!DOCTYPE html><html><body>purl</body></html>', contentType: 'text/html' },
      '/vimeo.com/api/oembed.json': { body: fixtureBytes('oembed.json'), contentType: 'application/json' },
      '/www.cmcassociates.co.uk/Skara_Brae/landing/sb_pass_pano.html': { body: '<html><body>x</body></html>', contentType: 'text/html' },
    });
    // info.json ids must point back at this server, whose port is known only now.
    for (const path of ['/stacks.stanford.edu/image/iiif/zw031pj2507/zw031pj2507_0001/info.json', '/stacks.stanford.edu/image/iiif/zw031pj2507/zw031pj2507_0002/info.json']) {
      const info = path.includes('0001') ? { ...v2, '@id': `${server.base}${path.replace('/info.json', '')}` } : { ...v3, id: `${server.base}${path.replace('/info.json', '')}` };
      server.route(path, { body: JSON.stringify(info), contentType: 'application/json' });
    }
  });

  after(async () => {
    for (const p of processors) await p.close();
    await server.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  /** Points a fixture record's links at the test server: `https://host/path` → `<server>/host/path`. */
  const localize = (xml: string, hosts: string[]) =>
    hosts.reduce((s, host) => s.replaceAll(`https://${host}/`, `${server.base}/${host}/`).replaceAll(`http://${host}/`, `${server.base}/${host}/`), xml);

  it('processes the eCloud single-resource record: image metadata, both thumbnails, edm:preview', async () => {
    const store = createMemoryThumbnailStore();
    const process = make({ thumbnailStore: store });
    const content = localize(readFileSync(new URL('fileWithSingleResource.xml', ECLOUD), 'utf8'), ['av.tib.eu']);
    const outcome = await process({ recordId: '/58/_kmo_av_sid_45017', content });
    assert.equal(outcome.status, 'success', JSON.stringify(outcome.messages));
    const url = `${server.base}/av.tib.eu/thumbnail/45017`;
    const wr = webResource(outcome.content!, url)!;
    assert.deepEqual(wr['ebucore:hasMimeType'], ['image/jpeg']);
    assert.deepEqual(wr['ebucore:fileByteSize'], [String(largeJpeg.length)]);
    assert.deepEqual(wr['ebucore:width'], ['1000']);
    assert.deepEqual(wr['ebucore:height'], ['833']);
    assert.deepEqual(wr['ebucore:orientation'], ['landscape']);
    assert.deepEqual(wr['edm:hasColorSpace'], ['sRGB']);
    assert.equal(wr['edm:componentColor'].length, 6);
    for (const c of wr['edm:componentColor']) assert.match(c, /^[0-9A-F]{6}$/);
    assert.deepEqual(wr['edm:type'], ['IMAGE']);
    assert.equal(preview(outcome.content!), url);
    assert.equal(outcome.data!.preview, url);

    const medium = await store.get(thumbnailName(url, 'MEDIUM'));
    const large = await store.get(thumbnailName(url, 'LARGE'));
    const mMeta = await sharp(medium!.bytes).metadata();
    const lMeta = await sharp(large!.bytes).metadata();
    assert.deepEqual([medium!.contentType, mMeta.format, mMeta.width, mMeta.height], ['image/jpeg', 'jpeg', 200, 167]);
    assert.deepEqual([large!.contentType, lMeta.format, lMeta.width, lMeta.height], ['image/jpeg', 'jpeg', 400, 333]);
    // The element order follows the XSD: hasMimeType before width, componentColor before orientation, edm:type last.
    const order = Object.keys(wr);
    assert.ok(order.indexOf('ebucore:hasMimeType') < order.indexOf('ebucore:width'));
    assert.ok(order.indexOf('edm:componentColor') < order.indexOf('ebucore:orientation'));
    assert.equal(order.at(-1), 'edm:type');
  });

  it('lets a task error from the host gate (no slot while the database is gone) fail the step, not the resource', async () => {
    const budgetSpent = errors.RETRY_BUDGET_SPENT({ what: 'a slot for requests to 127.0.0.1', budget: '3000 ms', detail: 'connect ECONNREFUSED' });
    const process = make({ thumbnailStore: createMemoryThumbnailStore(), threads: 0, fetchPolicy: { ...LOOPBACK_ONLY, gate: () => Promise.reject(budgetSpent) } });
    const content = localize(readFileSync(new URL('fileWithSingleResource.xml', ECLOUD), 'utf8'), ['av.tib.eu']);
    await assert.rejects(process({ recordId: '/58/_kmo_av_sid_45017', content }), (err) => err === budgetSpent);
  });

  it('probes a video through the loopback relay with ffprobe (eCloud two-resource record)', async () => {
    const process = make({ thumbnailStore: createMemoryThumbnailStore() });
    const content = localize(readFileSync(new URL('fileWithTwoResources.xml', ECLOUD), 'utf8'), ['av.tib.eu', 'tib.flowcenter.de']);
    const outcome = await process({ recordId: 'r2', content });
    assert.equal(outcome.status, 'success', JSON.stringify(outcome.messages));
    const video = webResource(outcome.content!, `${server.base}/tib.flowcenter.de/mfc/medialink/24/de528c7625ffad24e73396e1ff0fed5ea7b9c8ecb645de9fdfaefcc308a9f6427a/2016_phy_Kurt_Wuethrich_1080p.mp4`)!;
    assert.deepEqual(video['ebucore:hasMimeType'], ['video/mp4']);
    assert.deepEqual(video['ebucore:width'], ['320']);
    assert.deepEqual(video['ebucore:height'], ['240']);
    assert.deepEqual(video['ebucore:frameRate'], ['25.0']);
    assert.deepEqual(video['ebucore:duration'], ['1000']);
    assert.deepEqual(video['edm:codecName'], ['h264']);
    assert.deepEqual(video['ebucore:fileByteSize'], [String(mp4.length)]);
    assert.deepEqual(video['edm:type'], ['VIDEO']);
    assert.ok(Number(video['ebucore:bitRate'][0]) > 0);
    assert.equal(preview(outcome.content!), `${server.base}/av.tib.eu/thumbnail/45017`);
  });

  it('handles every kind of resource in one record, and turns resource problems into warnings', async () => {
    const store = createMemoryThumbnailStore();
    const process = make({ thumbnailStore: store, fetchPolicy: { ...LOOPBACK_ONLY, maxBytes: 50 * 1024 * 1024 }, timeouts: { responseMs: 500 }, maxInputPixels: 50_000_000 });
    const f = (name: string) => `${server.base}/files/${name}`;
    const views = ['audio_test.mp3', 'tone.mp4', 'example.mpd', 'cube.glb', 'cube.obj', 'doc.pdf', 'alpha.png', 'lying.html', 'lying-audio', 'r1', 'missing.jpg', 'slow.jpg', 'huge.jpg', 'bomb.png'];
    const content = `<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:ore="http://www.openarchives.org/ore/terms/">
  <edm:ProvidedCHO rdf:about="/1/all"/>
  <ore:Aggregation rdf:about="/aggregation/provider/1/all">
    <edm:aggregatedCHO rdf:resource="/1/all"/>
    <edm:isShownAt rdf:resource="${f('landing.html')}"/>
    <edm:isShownBy rdf:resource="${f('doc.pdf')}"/>
    ${views.map((v) => `<edm:hasView rdf:resource="${f(v)}"/>`).join('\n    ')}
  </ore:Aggregation>
  <edm:EuropeanaAggregation rdf:about="/aggregation/europeana/1/all"><edm:aggregatedCHO rdf:resource="/1/all"/><edm:language>en</edm:language></edm:EuropeanaAggregation>
</rdf:RDF>`;
    // slow.jpg answers after 8 s: its TIMEOUT below shows the 500 ms response timeout held (no
    // wall-clock bound here: on a loaded machine the other resources' work alone can take seconds).
    const outcome = await process({ recordId: '/1/all', content });
    assert.equal(outcome.status, 'warn');
    const problems = outcome.messages.map((m) => [m.code, m.message.replace(server.base, '')]);
    // In document order, whatever order the resources finished in.
    assert.deepEqual(problems, [
      ['MEDIA_RESOURCE', 'Problem while processing /files/missing.jpg (HTTP_STATUS 404)'],
      ['MEDIA_RESOURCE', 'Problem while processing /files/slow.jpg (TIMEOUT)'],
      ['MEDIA_RESOURCE', 'Problem while processing /files/huge.jpg (TOO_LARGE)'],
      ['MEDIA_RESOURCE', 'Problem while processing /files/bomb.png (Input image exceeds pixel limit)'],
    ]);
    const detail = (name: string) => outcome.messages.find((m) => m.message.includes(`/${name} (`))!.detail!;
    assert.match(detail('huge.jpg'), /cap/);
    assert.match(detail('missing.jpg'), /404/);
    assert.match(detail('slow.jpg'), /Timeout/i);
    assert.match(detail('bomb.png'), /pixel limit/i);

    const out = outcome.content!;
    const audio = webResource(out, f('audio_test.mp3'))!;
    assert.deepEqual(audio['ebucore:hasMimeType'], ['audio/mpeg']);
    assert.deepEqual(audio['edm:codecName'], ['mp3']);
    assert.deepEqual(audio['ebucore:audioChannelNumber'], ['2']);
    assert.deepEqual(audio['ebucore:sampleRate'], ['44100']);
    assert.ok(Math.abs(Number(audio['ebucore:duration'][0]) - 3997) < 60, audio['ebucore:duration'][0]);
    assert.deepEqual(audio['edm:type'], ['SOUND']);

    // An MP4 holding only audio is audio/mp4 and SOUND (Metis AudioVideoProcessor).
    const tone = webResource(out, f('tone.mp4'))!;
    assert.deepEqual([tone['ebucore:hasMimeType'], tone['edm:type'], tone['edm:codecName'], tone['ebucore:audioChannelNumber']], [['audio/mp4'], ['SOUND'], ['aac'], ['1']]);

    const dash = webResource(out, f('example.mpd'))!;
    assert.deepEqual([dash['ebucore:duration'], dash['ebucore:width'], dash['ebucore:height'], dash['ebucore:bitRate'], dash['edm:type']], [['101200'], ['480'], ['360'], ['652000'], ['VIDEO']]);

    assert.deepEqual(webResource(out, f('cube.glb'))!['ebucore:hasMimeType'], ['model/gltf-binary']);
    assert.deepEqual(webResource(out, f('cube.glb'))!['edm:type'], ['3D']);
    assert.deepEqual(webResource(out, f('cube.obj'))!['ebucore:hasMimeType'], ['model/obj']);

    const doc = webResource(out, f('doc.pdf'))!;
    assert.deepEqual(doc['rdf:type'], ['http://www.europeana.eu/schemas/edm/FullTextResource']);
    assert.deepEqual(doc['edm:spatialResolution'], ['150']);
    assert.deepEqual(doc['ebucore:fileByteSize'], [String(pdf.length)]);
    assert.deepEqual(doc['edm:type'], ['TEXT']);
    // No single edm:object, so the PDF (isShownBy) gets thumbnails, from its first page.
    const pdfLarge = await store.get(thumbnailName(f('doc.pdf'), 'LARGE'));
    const pdfMeta = await sharp(pdfLarge!.bytes).metadata();
    assert.deepEqual([pdfMeta.format, pdfMeta.width, pdfMeta.hasAlpha], ['jpeg', 400, false]);

    const png = await store.get(thumbnailName(f('alpha.png'), 'MEDIUM'));
    const pngMeta = await sharp(png!.bytes).metadata();
    assert.deepEqual([png!.contentType, pngMeta.format, pngMeta.width, pngMeta.height, pngMeta.hasAlpha], ['image/png', 'png', 200, 100, true]);

    for (const lying of ['lying.html', 'lying-audio', 'r1']) {
      const wr = webResource(out, f(lying))!;
      assert.deepEqual(wr['ebucore:hasMimeType'], ['image/jpeg'], lying);
      assert.deepEqual(wr['ebucore:width'], ['1000'], lying);
    }
    const landing = webResource(out, f('landing.html'))!;
    assert.deepEqual([landing['ebucore:hasMimeType'], landing['edm:type'], landing['ebucore:width']], [['text/html'], ['TEXT'], undefined]);
    for (const failed of ['missing.jpg', 'slow.jpg', 'huge.jpg', 'bomb.png']) assert.equal(webResource(out, f(failed)), undefined, failed);
    // isShownBy (the PDF, 150 dpi) and the first hasView (the MP3, no LARGE thumbnail): the PDF wins.
    assert.equal(preview(out), f('doc.pdf'));
  });

  it('gives an isShownBy PDF no thumbnail when the single edm:object produced one (main-thumbnail rule)', async () => {
    const f = (name: string) => `${server.base}/files/${name}`;
    const record = (object: string) => `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:ore="http://www.openarchives.org/ore/terms/">
  <ore:Aggregation rdf:about="a"><edm:object rdf:resource="${f(object)}"/><edm:isShownBy rdf:resource="${f('doc.pdf')}"/></ore:Aggregation></rdf:RDF>`;
    const withObject = createMemoryThumbnailStore();
    const outcome = await make({ thumbnailStore: withObject })({ recordId: 'main', content: record('large.jpg') });
    assert.equal(outcome.status, 'success');
    assert.deepEqual(webResource(outcome.content!, f('doc.pdf'))!['edm:spatialResolution'], ['150']);
    assert.deepEqual(withObject.names().sort(), [thumbnailName(f('large.jpg'), 'LARGE'), thumbnailName(f('large.jpg'), 'MEDIUM')].sort());
    // When the edm:object gives nothing, the PDF gets its thumbnails.
    const withoutObject = createMemoryThumbnailStore();
    await make({ thumbnailStore: withoutObject })({ recordId: 'main', content: record('missing.jpg') });
    assert.deepEqual(withoutObject.names().sort(), [thumbnailName(f('doc.pdf'), 'LARGE'), thumbnailName(f('doc.pdf'), 'MEDIUM')].sort());
  });

  it('processes IIIF services from info.json v2 and v3 with a small rendition', async () => {
    const store = createMemoryThumbnailStore();
    const process = make({ thumbnailStore: store });
    const content = localize(fixtureBytes('rdf_with_iiif_sample.xml').toString(), ['stacks.stanford.edu', 'purl.stanford.edu']);
    const outcome = await process({ recordId: 'iiif', content });
    const base = `${server.base}/stacks.stanford.edu/image/iiif/zw031pj2507`;
    const v2 = webResource(outcome.content!, `${base}/zw031pj2507_0001/full/full/0/default.jpg`)!;
    assert.deepEqual([v2['ebucore:width'], v2['ebucore:height'], v2['ebucore:hasMimeType']], [['3710'], ['3088'], ['image/jpeg']]);
    assert.deepEqual(v2['ebucore:fileByteSize'], [String(rendition.length)]);
    const v3 = webResource(outcome.content!, `${base}/zw031pj2507_0002/full/full/0/default.jpg`)!;
    assert.deepEqual([v3['ebucore:width'], v3['ebucore:height'], v3['ebucore:orientation'], v3['ebucore:hasMimeType']], [['5788'], ['8208'], ['portrait'], ['image/png']]);
    const thumb = await store.get(thumbnailName(`${base}/zw031pj2507_0002/full/full/0/default.jpg`, 'LARGE'));
    assert.equal((await sharp(thumb!.bytes).metadata()).format, 'png');
    assert.ok(server.requests.includes('/stacks.stanford.edu/image/iiif/zw031pj2507/zw031pj2507_0001/full/!400,400/0/default.jpg'));
    assert.ok(!server.requests.some((r) => r.endsWith('/full/full/0/default.jpg')), 'the full image is never downloaded');
    // The record has no EuropeanaAggregation: the preview is chosen (the edm:object) but not written.
    assert.equal(outcome.data!.preview, `${base}/zw031pj2507_0001/full/400,/0/default.jpg`);
    assert.equal(preview(outcome.content!), undefined);
    // The isFormatOf target of the hasView (an XML file that does not exist here) is the only problem.
    assert.deepEqual(
      outcome.messages.map((m) => m.message.replace(server.base, '')),
      ['Problem while processing /stacks.stanford.edu/file/zw031pj2507/zw031pj2507_0002.xml (HTTP_STATUS 404)'],
    );
  });

  it('reads oEmbed video metadata and keeps a landing page in REDUCED mode', async () => {
    const process = make({ thumbnailStore: createMemoryThumbnailStore() });
    const content = localize(fixtureBytes('rdf_with_oembed_sample_II.xml').toString(), ['vimeo.com', 'www.cmcassociates.co.uk']);
    const outcome = await process({ recordId: 'oembed', content });
    assert.equal(outcome.status, 'success', JSON.stringify(outcome.messages));
    const wr = webResource(outcome.content!, `${server.base}/vimeo.com/api/oembed.json?url=https%3A%2F%2Fvimeo.com%2F24416915`)!;
    assert.deepEqual(
      [wr['ebucore:hasMimeType'], wr['ebucore:width'], wr['ebucore:height'], wr['ebucore:duration'], wr['edm:type']],
      [['application/json+oembed'], ['480'], ['270'], ['31000'], ['VIDEO']],
    );
    // Same JSON behind a service that is not oembed.com: plain JSON, which Metis does not enrich.
    const plain = webResource(outcome.content!, `${server.base}/vimeo.com/api/oembed.json?url=https%3A%2F%2Fvimeo.com%2F42947250`)!;
    assert.equal(plain['ebucore:hasMimeType'], undefined);
    const landing = webResource(outcome.content!, `${server.base}/www.cmcassociates.co.uk/Skara_Brae/landing/sb_pass_pano.html`)!;
    assert.deepEqual(landing['ebucore:hasMimeType'], ['text/html']);
  });

  it('turns a thumbnail-store failure into a warning and then sets no preview', async () => {
    const failingStore = { put: async () => Promise.reject(new Error('bucket unavailable')), get: async () => undefined };
    const process = make({ thumbnailStore: failingStore });
    const content = localize(readFileSync(new URL('fileWithSingleResource.xml', ECLOUD), 'utf8'), ['av.tib.eu']);
    const outcome = await process({ recordId: 'store-down', content });
    assert.equal(outcome.status, 'warn');
    assert.deepEqual(
      outcome.messages.map((m) => [m.message.replace(server.base, ''), m.detail]),
      [['Could not store thumbnails of /av.tib.eu/thumbnail/45017', 'bucket unavailable']],
    );
    assert.deepEqual(webResource(outcome.content!, `${server.base}/av.tib.eu/thumbnail/45017`)!['ebucore:width'], ['1000']);
    assert.equal(preview(outcome.content!), undefined);
  });

  it('stops a record\'s downloads when its signal is aborted', async () => {
    const process = make({ thumbnailStore: createMemoryThumbnailStore() });
    const content = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:ore="http://www.openarchives.org/ore/terms/">
  <ore:Aggregation rdf:about="a"><edm:isShownBy rdf:resource="${server.base}/files/slow.jpg"/></ore:Aggregation></rdf:RDF>`;
    const controller = new AbortController();
    const started = Date.now();
    const pending = process({ recordId: 'cancelled', content }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    const outcome = await pending;
    assert.ok(Date.now() - started < 3000, 'did not wait for the 8 s response');
    assert.equal(outcome.status, 'warn');
    assert.equal(outcome.data!.resources[0].status, 'failed');
  });

  it('in REDUCED mode records only MIME type and size, without thumbnails', async () => {
    const store = createMemoryThumbnailStore();
    const process = make({ thumbnailStore: store, mode: 'REDUCED' });
    const content = localize(readFileSync(new URL('fileWithSingleResource.xml', ECLOUD), 'utf8'), ['av.tib.eu']);
    const outcome = await process({ recordId: 'reduced', content });
    const wr = webResource(outcome.content!, `${server.base}/av.tib.eu/thumbnail/45017`)!;
    assert.deepEqual([wr['ebucore:hasMimeType'], wr['ebucore:fileByteSize'], wr['ebucore:width']], [['image/jpeg'], [String(largeJpeg.length)], undefined]);
    assert.deepEqual(store.names(), []);
  });

  it('refuses loopback addresses unless the policy allows them: a warning, never a failure', async () => {
    const before = server.requests.length;
    const process = make({ thumbnailStore: createMemoryThumbnailStore(), fetchPolicy: {} });
    const content = localize(readFileSync(new URL('fileWithSingleResource.xml', ECLOUD), 'utf8'), ['av.tib.eu']);
    const outcome = await process({ recordId: 'private', content });
    assert.equal(outcome.status, 'warn');
    assert.equal(outcome.messages.length, 1);
    assert.match(outcome.messages[0].detail!, /refused/);
    assert.equal(webResource(outcome.content!, `${server.base}/av.tib.eu/thumbnail/45017`), undefined);
    assert.equal(server.requests.length, before, 'no request reached the server');
  });

  it('keeps ffprobe to single-file formats, so a playlist cannot send it to other URLs', async () => {
    server.route('/files/evil.m3u8', {
      body: `#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:10,\n${server.base}/files/secret.ts\n#EXT-X-ENDLIST\n`,
      contentType: 'application/vnd.apple.mpegurl',
    });
    await assert.rejects(probeAudioVideo(server.url('/files/evil.m3u8'), 10_000));
    assert.ok(server.requests.includes('/files/evil.m3u8'));
    assert.ok(!server.requests.includes('/files/secret.ts'));
  });

  it('leaves a record without resources alone and fails an unparsable one', async () => {
    const process = make({ thumbnailStore: createMemoryThumbnailStore() });
    const content = readFileSync(new URL('no-resources.xml', ECLOUD), 'utf8');
    const outcome = await process({ recordId: 'none', content });
    assert.equal(outcome.status, 'success');
    assert.deepEqual(outcome.data!.resources, []);
    assert.equal(outcome.content, serializeXml(parseXml(content)), 'the record is unchanged apart from serialization');
    const broken = await process({ recordId: 'broken', content: '<rdf:RDF><unclosed>' });
    assert.equal(broken.status, 'fail');
    assert.equal(broken.messages[0].code, 'MEDIA_RDF');
  });
});
