/** Rights → licence category and MIME → media type, as listed in metis-steps.md §14.1 and §9. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { licenseCap, licenseTypeOf } from '../../src/steps/tiers/license.ts';
import { mediaTypeOf } from '../../src/steps/tiers/media-type.ts';
import { isEmbeddableMediaUrl } from '../../src/steps/tiers/embeddable-media.ts';

test('licence categories: open, restricted, everything else closed', () => {
  const cases: Array<[string, string]> = [
    ['http://creativecommons.org/publicdomain/mark/1.0/', 'OPEN'],
    ['http://creativecommons.org/publicdomain/zero/1.0/', 'OPEN'],
    ['http://creativecommons.org/licenses/by/4.0/', 'OPEN'],
    ['http://creativecommons.org/licenses/by-sa/3.0/', 'OPEN'],
    ['http://creativecommons.org/licenses/by-nc/4.0/', 'RESTRICTED'],
    ['http://creativecommons.org/licenses/by-nc-sa/4.0/', 'RESTRICTED'],
    ['http://creativecommons.org/licenses/by-nc-nd/4.0/', 'RESTRICTED'],
    ['http://creativecommons.org/licenses/by-nd/4.0/', 'RESTRICTED'],
    ['http://www.europeana.eu/rights/out-of-copyright-non-commercial/', 'RESTRICTED'],
    ['http://rightsstatements.org/vocab/InC-EDU/1.0/', 'RESTRICTED'],
    ['http://rightsstatements.org/vocab/NoC-NC/1.0/', 'RESTRICTED'],
    ['http://rightsstatements.org/vocab/NoC-OKLR/1.0/', 'RESTRICTED'],
    ['http://rightsstatements.org/vocab/InC/1.0/', 'CLOSED'],
    ['http://rightsstatements.org/vocab/InC-OW-EU/1.0/', 'CLOSED'],
    ['http://rightsstatements.org/vocab/CNE/1.0/', 'CLOSED'],
    ['http://example.org/my-licence', 'CLOSED'],
  ];
  for (const [uri, expected] of cases) assert.equal(licenseTypeOf(uri), expected, uri);
  assert.deepEqual([licenseCap('OPEN'), licenseCap('RESTRICTED'), licenseCap('CLOSED')], [4, 3, 2]);
});

test('media types by MIME, 3D checked before image', () => {
  const cases: Array<[string | null, string]> = [
    ['image/jpeg', 'IMAGE'], ['image/vnd.dxf', '3D'], ['model/gltf+json', '3D'], ['application/vnd.laszip', '3D'],
    ['audio/mpeg', 'AUDIO'], ['video/mp4', 'VIDEO'], ['application/dash+xml', 'VIDEO'], ['text/html', 'TEXT'],
    ['application/pdf', 'TEXT'], ['application/xhtml+xml', 'TEXT'], ['application/xml+oembed', 'TEXT'],
    ['application/json+oembed', 'OTHER'], ['application/zip', 'OTHER'], [null, 'OTHER'],
  ];
  for (const [mime, expected] of cases) assert.equal(mediaTypeOf(mime), expected, String(mime));
});

test('embeddable media URL list with wildcards', () => {
  assert.ok(isEmbeddableMediaUrl('http://www.ina.fr/some/path/video/123'));
  assert.ok(isEmbeddableMediaUrl('https://m.youtube.com/v/xyz'));
  assert.ok(isEmbeddableMediaUrl('https://www.euscreen.eu/item.html?id=1'));
  assert.ok(isEmbeddableMediaUrl('https://api.picturepipe.net/api/html/widgets/public/playout_cloudfront?token=abc'));
  assert.ok(!isEmbeddableMediaUrl('https://example.org/https://vimeo.com/1'));
  assert.ok(!isEmbeddableMediaUrl('https://sketchfab.com/other'));
});
