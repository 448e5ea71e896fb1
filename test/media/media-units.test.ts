import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { NS } from '../../src/edm/namespaces.ts';
import { childElements, getAttr, parseXml, serializeXml, textContent, type XmlElement } from '../../src/edm/xml.ts';
import { factsFromDashManifest, factsFromFfprobe, isoDurationSeconds } from '../../src/steps/media/audio-video.ts';
import { PALETTE_HEX } from '../../src/steps/media/dominant-colors.ts';
import { parseInfoJson, renditionUrl } from '../../src/steps/media/iiif.ts';
import { analyseImage, thumbnailName } from '../../src/steps/media/image.ts';
import { detectMimeType, mediaTypeOf } from '../../src/steps/media/media-type.ts';
import { parseOEmbed } from '../../src/steps/media/oembed.ts';
import { findMediaResources, mainThumbnailFirst, processingModeOf } from '../../src/steps/media/resources.ts';
import { choosePreview, WebResourceWriter } from '../../src/steps/media/web-resource-writer.ts';
import { CUBE_MIME_TYPES, fixtureBytes, MEDIA_FIXTURES } from './fixture-server.ts';

const COLORMAP = new URL('../main/resources/colormap.png', new URL('../../', MEDIA_FIXTURES));
const json = (name: string) => JSON.parse(fixtureBytes(name).toString('utf8')) as unknown;

describe('resource selection', () => {
  it('propagates link types through a complex isFormatOf graph and finds IIIF and oEmbed kinds', () => {
    const { root } = parseXml(fixtureBytes('rdf_with_complex_isformatof_graph.xml'));
    const byUrl = new Map(findMediaResources(root).map((r) => [r.url.replace('https://example.com/', ''), r]));
    const types = (k: string) => [...byUrl.get(k)!.linkTypes].sort();
    assert.deepEqual([...byUrl.keys()].sort(), ['resourceA1', 'resourceA2', 'resourceB1', 'resourceB2', 'resourceB3', 'resourceC']);
    assert.deepEqual(types('resourceA1'), ['HAS_VIEW', 'IS_SHOWN_AT', 'IS_SHOWN_BY']);
    assert.deepEqual(types('resourceA2'), ['HAS_VIEW', 'IS_SHOWN_AT', 'IS_SHOWN_BY']);
    assert.deepEqual(types('resourceB3'), ['HAS_VIEW', 'OBJECT']);
    assert.deepEqual(types('resourceC'), ['HAS_VIEW', 'IS_SHOWN_AT', 'IS_SHOWN_BY', 'OBJECT']);
    assert.equal(byUrl.get('resourceA2')!.kind, 'IIIF');
    assert.equal(byUrl.get('resourceA2')!.serviceUrl, 'https://stacks.stanford.edu/image/iiif/zw031pj2507/zw031pj2507_0001');
    assert.equal(byUrl.get('resourceB2')!.kind, 'OEMBEDDED');
    assert.equal(byUrl.get('resourceA1')!.kind, 'STANDARD');
    assert.equal(mainThumbnailFirst(root, findMediaResources(root)).main?.url, 'https://example.com/resourceB1');
  });

  it('accepts only services that conform to the IIIF / oEmbed protocols', () => {
    const { root } = parseXml(fixtureBytes('rdf_with_iiif_sample_II.xml'));
    const kinds = Object.fromEntries(findMediaResources(root).map((r) => [r.url.split('/iiif/')[1] ?? r.url, r.kind]));
    assert.equal(kinds['zw031pj2507/zw031pj2507_0001/full/full/0/default.jpg'], 'STANDARD'); // conformsTo another.iiif.io
    assert.equal(kinds['zw031pj2507/zw031pj2507_0002/full/full/0/default.jpg'], 'IIIF');
    const oembed = parseXml(fixtureBytes('rdf_with_oembed_sample_II.xml')).root;
    const o = findMediaResources(oembed);
    assert.equal(o.find((r) => r.url.endsWith('24416915'))!.kind, 'OEMBEDDED');
    assert.equal(o.find((r) => r.url.endsWith('42947250'))!.kind, 'STANDARD');
    const landing = o.find((r) => r.url.endsWith('sb_pass_pano.html'))!;
    assert.equal(processingModeOf(landing), 'REDUCED');
  });
});

describe('MIME detection and media types', () => {
  it('detects every 3D cube fixture as a 3D type from its bytes and name', async () => {
    const dir = new URL('3d/', MEDIA_FIXTURES);
    const expected = CUBE_MIME_TYPES;
    const files = readdirSync(fileURLToPath(dir)).filter((f) => f !== 'readme.txt');
    assert.equal(files.length, Object.keys(expected).length);
    for (const f of files) {
      const mime = await detectMimeType({ bytes: readFileSync(new URL(f, dir)).subarray(0, 8192), fileName: f, contentTypeHint: 'application/octet-stream' });
      assert.equal(mime, expected[f], f);
      assert.equal(mediaTypeOf(mime), '3D', f);
    }
  });

  it('lets the content win over a lying Content-Type', async () => {
    assert.equal(await detectMimeType({ bytes: fixtureBytes('default.jpg'), fileName: 'x.html', contentTypeHint: 'text/html' }), 'image/jpeg');
    assert.equal(await detectMimeType({ bytes: fixtureBytes('audio_test.mp3'), contentTypeHint: 'image/png' }), 'audio/mpeg');
    assert.equal(await detectMimeType({ bytes: fixtureBytes('example.mpd'), fileName: 'manifest' }), 'application/dash+xml');
    assert.equal(await detectMimeType({ bytes: fixtureBytes('oembed.json'), contentTypeHint: 'application/json; charset=utf-8' }), 'application/json');
    assert.equal(await detectMimeType({ bytes: Buffer.from('<!DOCTYPE html><html></html>'), contentTypeHint: 'image/jpeg' }), 'text/html');
  });

  it('maps MIME types to Metis media types', () => {
    assert.equal(mediaTypeOf('image/jpeg'), 'IMAGE');
    assert.equal(mediaTypeOf('audio/mpeg'), 'AUDIO');
    assert.equal(mediaTypeOf('application/dash+xml'), 'VIDEO');
    assert.equal(mediaTypeOf('application/pdf'), 'TEXT');
    assert.equal(mediaTypeOf('application/epub+zip'), 'TEXT');
    assert.equal(mediaTypeOf('text/html; charset=UTF-8'), 'TEXT');
    assert.equal(mediaTypeOf('model/obj'), '3D');
    assert.equal(mediaTypeOf('application/json'), 'OTHER');
  });
});

describe('IIIF, oEmbed, DASH, ffprobe parsing', () => {
  it('reads info.json v2 and v3 and picks the rendition format by priority', () => {
    const v2 = parseInfoJson(json('iiif_info_v2.json'));
    assert.deepEqual([v2.version, v2.width, v2.height], [2, 3710, 3088]);
    assert.equal(renditionUrl(v2), 'https://stacks.stanford.edu/image/iiif/zw031pj2507/zw031pj2507_0001/full/!400,400/0/default.jpg');
    const v2p = parseInfoJson(json('iiif_info_v2_with_profile.json'));
    assert.equal(renditionUrl(v2p), 'https://iiif.wellcomecollection.org/image/b20432033_B0008608.JP2/full/!400,400/0/default.jpg');
    const v3 = parseInfoJson(json('iiif_info_v3.json'));
    assert.deepEqual([v3.version, v3.width, v3.height], [3, 5788, 8208]);
    assert.equal(renditionUrl(v3), 'https://media.getty.edu/iiif/image/cb1813c2-cbed-4f0a-8b5b-3b31fda5619a/full/!400,400/0/default.png');
    assert.throws(() => parseInfoJson(json('oembed.json')));
  });

  it('parses oEmbed JSON and XML and rejects what is not oEmbed', () => {
    assert.deepEqual(parseOEmbed(fixtureBytes('oembed.json'), 'application/json'), {
      type: 'video',
      mimeType: 'application/json+oembed',
      width: 480,
      height: 270,
      duration: 31,
    });
    assert.deepEqual(parseOEmbed(fixtureBytes('oembed.xml'), 'application/xml'), {
      type: 'video',
      mimeType: 'application/xml+oembed',
      width: 480,
      height: 270,
      duration: 31,
    });
    assert.equal(parseOEmbed(fixtureBytes('test_oembed.json'), 'application/json')?.duration, 199);
    assert.equal(parseOEmbed(fixtureBytes('not_oembed.json'), 'application/json'), undefined);
    assert.equal(parseOEmbed(fixtureBytes('not_oembed.xml'), 'application/xml'), undefined);
  });

  it('reads the DASH manifest fixture', () => {
    assert.deepEqual(factsFromDashManifest(fixtureBytes('example.mpd')), {
      kind: 'video',
      duration: 101200,
      bitRate: 652000,
      codecName: 'avc1.42c015',
      width: 480,
      height: 360,
      frameRate: 25,
    });
    assert.equal(isoDurationSeconds('PT1H2M3.5S'), 3723.5);
  });

  it('maps ffprobe output, preferring the video stream and falling back to the format', () => {
    const facts = factsFromFfprobe({
      streams: [
        { codec_type: 'audio', codec_name: 'aac', channels: 2, sample_rate: '48000' },
        { codec_type: 'video', codec_name: 'h264', width: 1280, height: 720, avg_frame_rate: '30000/1001' },
      ],
      format: { duration: '12.3456', bit_rate: '900000', size: '1234' },
    });
    assert.deepEqual(facts, { kind: 'video', duration: 12346, bitRate: 900000, codecName: 'h264', fileByteSize: 1234, width: 1280, height: 720, frameRate: 30000 / 1001 });
    assert.throws(() => factsFromFfprobe({ streams: [], format: {} }), /No media streams/);
  });
});

describe('dominant colours and thumbnails names', () => {
  it('uses the 147 pixels of colormap.png as the palette', async () => {
    const { data, info } = await sharp(readFileSync(COLORMAP)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 147);
    const pixels = Array.from({ length: info.width }, (_, i) => data.subarray(i * 3, i * 3 + 3).toString('hex').toUpperCase());
    assert.deepEqual(pixels, PALETTE_HEX);
  });

  it('finds the same six dominant colours as ImageMagick convert -remap, for RGB, grey, CMYK, 16-bit and transparent images', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'colours-'));
    try {
      const source = fileURLToPath(new URL('default.jpg', MEDIA_FIXTURES));
      // Variants of the fixture made by ImageMagick itself; `null` = the fixture as it is.
      const variants: Array<[string, string[] | null]> = [
        ['default.jpg', null],
        ['grey.jpg', ['-resize', '500x', '-colorspace', 'Gray']],
        ['cmyk.jpg', ['-resize', '500x', '-colorspace', 'CMYK']],
        ['deep.png', ['-resize', '500x', '-depth', '16']],
        ['alpha.png', ['-resize', '500x', '-alpha', 'set', '-channel', 'A', '-evaluate', 'set', '50%']],
      ];
      for (const [name, args] of variants) {
        const path = args ? join(dir, name) : source;
        // RGBA output: left alone, ImageMagick would store this grey-looking image as grey + alpha.
        if (args) execFileSync('convert', [source, ...args, name === 'alpha.png' ? `png32:${path}` : path]);
        const ours = (await analyseImage(readFileSync(path), 'u', { pngThumbnails: name.endsWith('.png'), inputMimeType: 'x' })).dominantColors;
        const im = execFileSync('convert', [
          '-quiet', `${path}[0]`, '-thumbnail', '400x', '-colorspace', 'sRGB', '-dither', 'Riemersma', '-remap', fileURLToPath(COLORMAP), '-format', '%c', 'histogram:info:',
        ]).toString();
        const imTop = im
          .split('\n')
          .map((l) => /^\s*(\d+):.*#([0-9A-F]{6})/.exec(l))
          .filter((m): m is RegExpExecArray => m !== null)
          .sort((a, b) => Number(b[1]) - Number(a[1]))
          .slice(0, 6)
          .map((m) => m[2]);
        assert.deepEqual(ours, imTop, name);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names thumbnails md5(url)-MEDIUM / -LARGE', () => {
    assert.equal(thumbnailName('https://av.tib.eu/thumbnail/45017', 'MEDIUM'), '41fd4796bcdcfab4c7944c0f044234cf-MEDIUM');
    assert.equal(thumbnailName('https://av.tib.eu/thumbnail/45017', 'LARGE'), '41fd4796bcdcfab4c7944c0f044234cf-LARGE');
  });
});

describe('edm:preview rule', () => {
  const record = (links: string, resources = '') =>
    parseXml(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:ore="http://www.openarchives.org/ore/terms/">
      <ore:Aggregation rdf:about="a">${links}</ore:Aggregation>${resources}</rdf:RDF>`).root;
  it('prefers the object, then isShownBy unless the first hasView has a strictly higher resolution', () => {
    const all = () => true;
    assert.equal(choosePreview(record('<edm:object rdf:resource="o"/><edm:isShownBy rdf:resource="b"/>'), all), 'o');
    assert.equal(choosePreview(record('<edm:object rdf:resource="o"/><edm:isShownBy rdf:resource="b"/>'), (u) => u !== 'o'), 'b');
    const res = (u: string, dpi: number) => `<edm:WebResource rdf:about="${u}"><edm:spatialResolution>${dpi}</edm:spatialResolution></edm:WebResource>`;
    const links = '<edm:isShownBy rdf:resource="b"/><edm:hasView rdf:resource="v"/><edm:hasView rdf:resource="v2"/>';
    assert.equal(choosePreview(record(links, res('b', 300) + res('v', 300)), all), 'b');
    assert.equal(choosePreview(record(links, res('b', 150) + res('v', 300)), all), 'v');
    assert.equal(choosePreview(record(links), (u) => u === 'v2'), undefined); // only the first hasView counts
    assert.equal(choosePreview(record(links), (u) => u === 'v'), 'v');
  });
});

describe('WebResource writer', () => {
  it('replaces earlier values and keeps the XSD element order around existing elements', () => {
    const { root } = parseXml(`<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:svcs="http://rdfs.org/sioc/services#" xmlns:schema="https://schema.org/" xmlns:ebu="http://www.ebu.ch/metadata/ontologies/ebucore/ebucore#">
  <edm:WebResource rdf:about="u"><dc:description>d</dc:description><edm:rights rdf:resource="r"/><ebu:hasMimeType>old/type</ebu:hasMimeType><svcs:has_service rdf:resource="s"/><schema:digitalSourceType rdf:resource="t"/></edm:WebResource></rdf:RDF>`);
    const writer = new WebResourceWriter(root);
    writer.enrich('u', { mimeType: 'image/png', fileByteSize: 10, width: 3, height: 2, orientation: 'landscape', dominantColors: ['FFFFFF'], edmType: 'IMAGE', frameRate: 25 });
    writer.enrich('new', { mimeType: 'text/html', edmType: 'TEXT', containsText: true });
    const names = (el: XmlElement) => childElements(el).map((c) => `${c.name}${c.children.length ? '=' + textContent(c) : ''}`);
    const [u, added] = childElements(root, NS.edm, 'WebResource');
    assert.deepEqual(names(u), [
      'dc:description=d', 'edm:rights', 'ebu:hasMimeType=image/png', 'ebu:fileByteSize=10', 'ebu:width=3', 'ebu:height=2',
      'ebu:frameRate=25.0', 'edm:componentColor=FFFFFF', 'ebu:orientation=landscape', 'svcs:has_service', 'edm:type=IMAGE', 'schema:digitalSourceType',
    ]);
    assert.equal(getAttr(childElements(u)[3], NS.rdf, 'datatype'), 'http://www.w3.org/2001/XMLSchema#long');
    assert.deepEqual(names(added), ['rdf:type', 'ebu:hasMimeType=text/html', 'edm:type=TEXT']);
    assert.equal(getAttr(added, NS.rdf, 'about'), 'new');
    // The record is still well-formed with every prefix bound after serialization.
    assert.doesNotThrow(() => parseXml(serializeXml({ root })));
  });
});
