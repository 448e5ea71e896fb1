/** Content-tier rules of metis-steps.md §14.1, one rule per test, on hand-built records. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeTiers } from '../../src/steps/tiers/index.ts';
import { BY_NC, INC, PDM, buildRecord, type RecordSpec } from './edm-builder.ts';

const IMG = 'http://x.org/img.jpg';
const PAGE = 'http://x.org/page';
const tiers = (spec: RecordSpec) => computeTiers(buildRecord(spec)).content;
const image = (width: number, height: number, rights = PDM, extra: Partial<RecordSpec> = {}) =>
  tiers({ type: 'IMAGE', rights, isShownBy: IMG, preview: IMG, webResources: [{ about: IMG, mime: 'image/jpeg', width, height }], ...extra });

test('IMAGE: resolution thresholds 100,000 / 420,000 / 950,000 pixels give 1 / 2 / 4', () => {
  assert.equal(image(316, 316).tier, 0); // 99,856 px
  assert.equal(image(400, 250).tier, 1); // 100,000
  assert.equal(image(700, 600).tier, 2); // 420,000
  assert.equal(image(1000, 950).tier, 4); // 950,000
});

test('licence caps: RESTRICTED → 3 and CLOSED → 2, with the uncorrected tier kept', () => {
  const restricted = image(2000, 1000, BY_NC);
  assert.deepEqual([restricted.tier, restricted.beforeLicenseCorrection, restricted.licenseType], [3, 4, 'RESTRICTED']);
  const closed = image(2000, 1000, INC);
  assert.deepEqual([closed.tier, closed.beforeLicenseCorrection, closed.licenseType], [2, 4, 'CLOSED']);
  const noRights = image(2000, 1000, '');
  assert.deepEqual([noRights.tier, noRights.licenseType], [2, 'CLOSED']);
  // https variant of an open licence
  assert.equal(image(2000, 1000, 'https://creativecommons.org/licenses/by-sa/4.0/').tier, 4);
});

test('IMAGE without a thumbnail (no preview, or preview without technical metadata) is tier 0', () => {
  assert.equal(image(2000, 1000, PDM, { preview: undefined }).tier, 0);
  const t = tiers({ type: 'IMAGE', rights: PDM, isShownBy: IMG, preview: 'http://x.org/other', webResources: [{ about: IMG, mime: 'image/jpeg', width: 2000, height: 1000 }] });
  assert.equal(t.tier, 0);
  assert.deepEqual(t.resources, []);
});

test('the highest resource wins; before-correction comes from that same resource', () => {
  const A = 'http://x.org/a.jpg';
  const B = 'http://x.org/b.jpg';
  const t = tiers({
    type: 'IMAGE', rights: PDM, isShownBy: A, hasView: [B], preview: A,
    webResources: [
      { about: A, mime: 'image/jpeg', width: 2000, height: 1000, rights: INC }, // 4 → 2
      { about: B, mime: 'image/jpeg', width: 700, height: 600 }, // 2 → 2 (open)
    ],
  });
  assert.equal(t.tier, 2);
  assert.equal(t.beforeLicenseCorrection, 4); // the first resource with the top corrected tier
  assert.equal(t.resources.length, 2);
});

test('SOUND: an audio resource → 4; no resource but a landing page → 1; nothing → 0', () => {
  const A = 'http://x.org/a.mp3';
  assert.equal(tiers({ type: 'SOUND', rights: PDM, isShownBy: A, webResources: [{ about: A, mime: 'audio/mpeg' }] }).tier, 4);
  assert.equal(tiers({ type: 'SOUND', rights: PDM, isShownAt: PAGE, webResources: [{ about: PAGE, mime: 'text/html' }] }).tier, 1);
  assert.equal(tiers({ type: 'SOUND', rights: PDM, isShownAt: PAGE, webResources: [{ about: PAGE }] }).tier, 0);
  assert.equal(tiers({ type: 'SOUND', rights: PDM, isShownBy: 'https://soundcloud.com/x/y' }).tier, 0); // no web resource object
  const embedded = tiers({ type: 'SOUND', rights: PDM, isShownBy: 'https://soundcloud.com/x/y', webResources: [{ about: 'https://soundcloud.com/x/y', mime: 'text/html' }] });
  assert.deepEqual([embedded.tier, embedded.embeddableMediaAvailable], [4, true]);
});

test('VIDEO: video MIME with height ≥ 480 → 4, lower → 1; youtube wildcard pattern is embeddable', () => {
  const V = 'http://x.org/v.mp4';
  const video = (height: number) => tiers({ type: 'VIDEO', rights: PDM, isShownBy: V, webResources: [{ about: V, mime: 'video/mp4', width: 640, height }] });
  assert.equal(video(480).tier, 4);
  assert.equal(video(480).resources[0].verticalResolution, 480);
  assert.equal(video(360).tier, 1);
  const Y = 'https://www.youtube.com/watch?v=abc';
  const yt = tiers({ type: 'VIDEO', rights: PDM, isShownBy: Y, webResources: [{ about: Y, mime: 'text/html' }] });
  assert.deepEqual([yt.embeddableMediaAvailable, yt.tier], [true, 4]);
  const notYt = tiers({ type: 'VIDEO', rights: PDM, isShownBy: 'http://www.youtube.com/watch?v=1', webResources: [{ about: 'http://www.youtube.com/watch?v=1', mime: 'text/html' }] });
  assert.deepEqual([notYt.embeddableMediaAvailable, notYt.tier], [false, 0]); // only https is listed
});

test('an oEmbed MIME type on any web resource makes media embeddable', () => {
  const O = 'http://x.org/oembed';
  const t = tiers({ type: 'VIDEO', rights: PDM, hasView: [O], webResources: [{ about: O, mime: 'application/json+oembed', width: 10, height: 10 }] });
  assert.deepEqual([t.embeddableMediaAvailable, t.tier], [true, 4]);
});

test('TEXT: a PDF → 4, an image of 500,000 px → 2, a small image with a landing page → 1', () => {
  const P = 'http://x.org/doc.pdf';
  assert.equal(tiers({ type: 'TEXT', rights: PDM, isShownBy: P, webResources: [{ about: P, mime: 'application/pdf' }] }).tier, 4);
  assert.equal(tiers({ type: 'TEXT', rights: PDM, isShownBy: IMG, webResources: [{ about: IMG, mime: 'image/png', width: 1000, height: 500 }] }).tier, 2);
  const small = tiers({
    type: 'TEXT', rights: PDM, isShownBy: IMG, isShownAt: PAGE,
    webResources: [{ about: IMG, mime: 'image/png', width: 10, height: 10 }, { about: PAGE, mime: 'text/html' }],
  });
  assert.equal(small.tier, 1);
});

test('3D: a non-image, non-PDF MIME → 4 (3D flag set); an image → 0', () => {
  const M = 'http://x.org/cube.glb';
  const t = tiers({ type: '3D', rights: PDM, isShownBy: M, webResources: [{ about: M, mime: 'model/gltf-binary' }] });
  assert.deepEqual([t.tier, t.mediaResource3DAvailable], [4, true]);
  assert.equal(t.resources[0].mediaType, '3D');
  assert.equal(tiers({ type: '3D', rights: PDM, isShownBy: IMG, webResources: [{ about: IMG, mime: 'image/jpeg' }] }).tier, 0);
});

test('no edm:type, or two different ones, gives content tier 0 with no breakdown', () => {
  const P = 'http://x.org/doc.pdf';
  assert.equal(tiers({ rights: PDM, isShownBy: P, webResources: [{ about: P, mime: 'application/pdf' }] }).tier, 0);
  const two = tiers({ type: ['TEXT', 'IMAGE'], rights: PDM, isShownBy: P, webResources: [{ about: P, mime: 'application/pdf' }] });
  assert.deepEqual([two.tier, two.mediaType, two.resources.length], [0, null, 0]);
});
