/**
 * The remaining Metis media fixtures, each served with its real bytes by a loopback server and run
 * through the media step: the 18 3D cubes, the oEmbed variants, the IIIF info.json with a profile,
 * and the oEmbed / IIIF sample records.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { NS } from '../../src/edm/namespaces.ts';
import { childElements, getAttr, parseXml, textContent } from '../../src/edm/xml.ts';
import { createMediaProcessor, createMemoryThumbnailStore, thumbnailName, type MediaProcessor } from '../../src/steps/media/index.ts';
import { CUBE_MIME_TYPES, fixtureBytes, MEDIA_FIXTURES, startFixtureServer, type FixtureServer } from './fixture-server.ts';

function fields(content: string, url: string): Record<string, string[]> | undefined {
  const wr = childElements(parseXml(content).root, NS.edm, 'WebResource').find((w) => getAttr(w, NS.rdf, 'about') === url);
  if (!wr) return undefined;
  const out: Record<string, string[]> = {};
  for (const c of childElements(wr)) (out[c.name] ??= []).push(getAttr(c, NS.rdf, 'resource') ?? textContent(c).trim());
  return out;
}

const HEAD = `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:edm="http://www.europeana.eu/schemas/edm/" xmlns:ore="http://www.openarchives.org/ore/terms/" xmlns:svcs="http://rdfs.org/sioc/services#" xmlns:dcterms="http://purl.org/dc/terms/">`;

describe('Metis media fixtures served over HTTP', () => {
  let server: FixtureServer;
  let media: MediaProcessor;
  const store = createMemoryThumbnailStore();
  const cubes = readdirSync(fileURLToPath(new URL('3d/', MEDIA_FIXTURES))).filter((f) => f !== 'readme.txt');

  before(async () => {
    const jpg = fixtureBytes('default.jpg');
    const large = await sharp(jpg).resize({ width: 800 }).jpeg().toBuffer();
    server = await startFixtureServer({
      '/oembed/oembed.xml': { body: fixtureBytes('oembed.xml'), contentType: 'text/xml' },
      '/oembed/test_oembed.json': { body: fixtureBytes('test_oembed.json'), contentType: 'application/json' },
      '/oembed/not_oembed.json': { body: fixtureBytes('not_oembed.json'), contentType: 'application/json' },
      '/oembed/not_oembed.xml': { body: fixtureBytes('not_oembed.xml'), contentType: 'application/xml' },
      '/vimeo.com/api/oembed.json': { body: fixtureBytes('oembed.json'), contentType: 'application/json' },
      '/www.flickr.com/services/oembed/': { body: fixtureBytes('oembed.xml'), contentType: 'text/xml; charset=utf-8' },
      '/player.vimeo.com/video/24416915': { body: jpg, contentType: 'image/jpeg' },
      '/stacks.stanford.edu/image/iiif/zw031pj2507/zw031pj2507_0001/full/full/0/default.jpg': { body: large, contentType: 'image/jpeg' },
      '/stacks.stanford.edu/image/iiif/zw031pj2507/zw031pj2507_0001/full/400,/0/default.jpg': { body: jpg, contentType: 'image/jpeg' },
      '/stacks.stanford.edu/image/iiif/zw031pj2507/zw031pj2507_0002/full/!400,400/0/default.jpg': { body: large, contentType: 'image/jpeg' },
      '/stacks.stanford.edu/file/zw031pj2507/zw031pj2507_0002.xml': { body: fixtureBytes('not_oembed.xml'), contentType: 'application/xml' },
      '/purl.stanford.edu/zw031pj2507': { body: '<!DOCTYPE html><html><body>purl</body></html>', contentType: 'text/html' },
    });
    for (const cube of cubes) server.route(`/3d/${cube}`, { body: fixtureBytes(`3d/${cube}`), contentType: 'application/octet-stream' });
    const info = JSON.parse(fixtureBytes('iiif_info_v2_with_profile.json').toString());
    server.route('/stacks.stanford.edu/image/iiif/zw031pj2507/zw031pj2507_0002/info.json', {
      body: JSON.stringify({ ...info, '@id': `${server.base}/stacks.stanford.edu/image/iiif/zw031pj2507/zw031pj2507_0002` }),
      contentType: 'application/json',
    });
    media = createMediaProcessor({ fetchPolicy: { allowLoopback: true, allowedHosts: ['127.0.0.1'] }, thumbnailStore: store });
  });
  after(async () => {
    await media.close();
    await server.close();
  });

  const localize = (xml: string, hosts: string[]) =>
    hosts.reduce((s, h) => s.replaceAll(`https://${h}/`, `${server.base}/${h}/`).replaceAll(`http://${h}/`, `${server.base}/${h}/`), xml);

  it('records each of the 18 3D cubes as 3D with its MIME type and size', async () => {
    const content = `${HEAD}<ore:Aggregation rdf:about="a">${cubes.map((c) => `<edm:hasView rdf:resource="${server.url(`/3d/${c}`)}"/>`).join('')}</ore:Aggregation></rdf:RDF>`;
    const outcome = await media({ recordId: '3d', content });
    assert.equal(outcome.status, 'success', JSON.stringify(outcome.messages));
    const mimes = Object.fromEntries(
      cubes.map((c) => {
        const f = fields(outcome.content!, server.url(`/3d/${c}`))!;
        assert.deepEqual(f['edm:type'], ['3D'], c);
        assert.deepEqual(f['ebucore:fileByteSize'], [String(fixtureBytes(`3d/${c}`).length)], c);
        return [c, f['ebucore:hasMimeType'][0]];
      }),
    );
    assert.deepEqual(mimes, CUBE_MIME_TYPES);
    assert.deepEqual(store.names(), [], '3D resources get no thumbnails');
  });

  it('reads the oEmbed fixtures behind an oembed.com service and ignores what is not oEmbed', async () => {
    const names = ['oembed.xml', 'test_oembed.json', 'not_oembed.json', 'not_oembed.xml'];
    const url = (n: string) => server.url(`/oembed/${n}`);
    const content = `${HEAD}<ore:Aggregation rdf:about="a">${names.map((n) => `<edm:hasView rdf:resource="${url(n)}"/>`).join('')}</ore:Aggregation>
      ${names.map((n) => `<edm:WebResource rdf:about="${url(n)}"><svcs:has_service rdf:resource="${server.url('/oembed/')}"/></edm:WebResource>`).join('')}
      <svcs:Service rdf:about="${server.url('/oembed/')}"><dcterms:conformsTo rdf:resource="https://oembed.com/"/></svcs:Service></rdf:RDF>`;
    const outcome = await media({ recordId: 'oembed', content });
    assert.equal(outcome.status, 'success', JSON.stringify(outcome.messages));
    const xml = fields(outcome.content!, url('oembed.xml'))!;
    assert.deepEqual([xml['ebucore:hasMimeType'], xml['ebucore:width'], xml['ebucore:duration'], xml['edm:type']], [['application/xml+oembed'], ['480'], ['31000'], ['VIDEO']]);
    const json = fields(outcome.content!, url('test_oembed.json'))!;
    assert.deepEqual([json['ebucore:hasMimeType'], json['ebucore:height'], json['ebucore:duration']], [['application/json+oembed'], ['360'], ['199000']]);
    assert.equal(fields(outcome.content!, url('not_oembed.json'))!['ebucore:hasMimeType'], undefined);
    const notXml = fields(outcome.content!, url('not_oembed.xml'))!;
    assert.deepEqual([notXml['ebucore:hasMimeType'], notXml['edm:type'], notXml['rdf:type']], [['application/xml'], ['TEXT'], undefined]);
  });

  it('processes the oEmbed sample record (Vimeo video, Flickr service, edm:object image)', async () => {
    const content = localize(fixtureBytes('rdf_with_oembed_sample.xml').toString(), ['vimeo.com', 'www.flickr.com', 'player.vimeo.com']);
    const outcome = await media({ recordId: '/307/CMC_HA_2255', content });
    assert.equal(outcome.status, 'success', JSON.stringify(outcome.messages));
    const vimeo = fields(outcome.content!, `${server.base}/vimeo.com/api/oembed.json?url=https%3A%2F%2Fcdn.pixabay.com%2Fvideo%2F2023%2F10%2F22%2F186070-876973719_small.mp4`)!;
    assert.deepEqual([vimeo['ebucore:hasMimeType'], vimeo['edm:type'], vimeo['dc:description']], [['application/json+oembed'], ['VIDEO'], ['Vimeo video']]);
    const flickr = fields(outcome.content!, `${server.base}/www.flickr.com/services/oembed/?url=https%3A%2F%2Fwww.flickr.com%2Fphotos%2Fbees%2F2341623661%2F&format=json`)!;
    assert.deepEqual([flickr['ebucore:hasMimeType'], flickr['edm:type']], [['application/xml+oembed'], ['VIDEO']]);
    // The only edm:object is an image with thumbnails: it becomes the preview.
    const object = `${server.base}/player.vimeo.com/video/24416915?app_id=122963`;
    const agg = childElements(parseXml(outcome.content!).root, NS.edm, 'EuropeanaAggregation')[0];
    assert.equal(getAttr(childElements(agg, NS.edm, 'preview')[0], NS.rdf, 'resource'), object);
    assert.ok(await store.get(thumbnailName(object, 'LARGE')));
  });

  it('processes the second IIIF sample: a service that is not IIIF is a plain download, a v2 profile service gives a jpg rendition', async () => {
    const content = localize(fixtureBytes('rdf_with_iiif_sample_II.xml').toString(), ['stacks.stanford.edu', 'purl.stanford.edu']);
    const outcome = await media({ recordId: 'iiif2', content });
    assert.equal(outcome.status, 'success', JSON.stringify(outcome.messages));
    const base = `${server.base}/stacks.stanford.edu/image/iiif/zw031pj2507`;
    const plain = fields(outcome.content!, `${base}/zw031pj2507_0001/full/full/0/default.jpg`)!;
    assert.deepEqual([plain['ebucore:width'], plain['ebucore:height']], [['800'], ['667']]);
    const iiif = fields(outcome.content!, `${base}/zw031pj2507_0002/full/full/0/default.jpg`)!;
    assert.deepEqual([iiif['ebucore:width'], iiif['ebucore:height'], iiif['ebucore:hasMimeType']], [['3543'], ['2480'], ['image/jpeg']]);
    assert.ok(server.requests.includes('/stacks.stanford.edu/image/iiif/zw031pj2507/zw031pj2507_0002/full/!400,400/0/default.jpg'));
    const formatOf = fields(outcome.content!, `${server.base}/stacks.stanford.edu/file/zw031pj2507/zw031pj2507_0002.xml`)!;
    assert.deepEqual(formatOf['edm:type'], ['TEXT']);
  });
});
