import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { cellCandidates, closestColor, closestLinear, dominantColors, remapHistogram, resolveKey, type RawImage } from '../../src/steps/media/dominant-colors.ts';
import * as reference from './reference/dominant-colors-linear.ts';
import { fixtureBytes } from './fixture-server.ts';

/** A small deterministic generator (mulberry32): the same points on every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function noise(width: number, height: number, channels: number, seed: number): RawImage {
  const next = random(seed);
  const data = new Uint8Array(width * height * channels);
  for (let i = 0; i < data.length; i++) data[i] = Math.floor(next() * 256);
  return { data, width, height, channels };
}

describe('nearest palette colour by cells', () => {
  it('gives the linear search’s colour at every integer point of the RGB cube', () => {
    let differences = 0;
    for (let r = 0; r < 256; r++)
      for (let g = 0; g < 256; g++)
        for (let b = 0; b < 256; b++) if (closestColor(r, g, b) !== closestLinear(r, g, b)) differences++;
    assert.equal(differences, 0);
  });

  it('gives the linear search’s colour at random fractional points, half-integers, cell borders and the cube’s faces', () => {
    const next = random(13);
    const points: Array<[number, number, number]> = [];
    // Dithered values are doubles in [0, 255] (clamped before the search).
    for (let i = 0; i < 1_000_000; i++) points.push([next() * 255, next() * 255, next() * 255]);
    // Half-integers: where two integer palette colours can be exactly equidistant.
    for (let i = 0; i < 500_000; i++) points.push([Math.floor(next() * 511) / 2, Math.floor(next() * 511) / 2, Math.floor(next() * 511) / 2]);
    // On and just beside the cells' borders (8k - 0.5) and the cache cells' (4k - 0.5), and at the faces 0 and 255.
    const borders = [0, 1e-9, 255, 255 - 1e-9, 254.5];
    for (let k = 1; k < 64; k++) borders.push(4 * k - 0.5, 4 * k - 0.5 - 1e-9, 4 * k - 0.5 + 1e-9, 4 * k, 4 * k - 1);
    for (let i = 0; i < 300_000; i++) {
      const pick = () => (next() < 0.5 ? borders[Math.floor(next() * borders.length)] : next() * 255);
      points.push([pick(), pick(), pick()]);
    }
    const wrong = points.filter(([r, g, b]) => closestColor(r, g, b) !== closestLinear(r, g, b));
    assert.deepEqual(wrong.slice(0, 5), []);
  });

  it('resolves a cache cell to one colour only where the linear search gives it all over the cell', () => {
    // Cell k of a channel: the values v with (v + 0.5) >> 2 = k, i.e. [4k - 0.5, 4k + 3.5) within [0, 255].
    const span = (k: number) => [Math.max(0, 4 * k - 0.5), 4 * k + 1.5, Math.min(255, 4 * k + 3.5 - 1e-9)];
    let fixed = 0;
    const wrong: string[] = [];
    for (let key = 0; key < 1 << 18; key++) {
      const colour = resolveKey(key);
      if (colour > 137) continue;
      fixed++;
      for (const r of span(key >> 12))
        for (const g of span((key >> 6) & 63))
          for (const b of span(key & 63)) if (closestLinear(r, g, b) !== colour) wrong.push(`${key}: ${r},${g},${b}`);
    }
    assert.deepEqual(wrong.slice(0, 5), []);
    // Most cells are away from a boundary between two colours.
    assert.ok(fixed > (1 << 18) / 2, `${fixed} fixed cells`);
  });

  it('lists few colours per cell, in palette order', () => {
    let longest = 0;
    let total = 0;
    for (let r = 0; r < 32; r++)
      for (let g = 0; g < 32; g++)
        for (let b = 0; b < 32; b++) {
          const list = [...cellCandidates(r, g, b)];
          assert.deepEqual(list, [...list].sort((x, y) => x - y));
          assert.ok(list.length > 0);
          longest = Math.max(longest, list.length);
          total += list.length;
        }
    // The palette has 138 distinct colours; a cell's list is a small part of it.
    assert.ok(total / 32 ** 3 < 20, `mean ${total / 32 ** 3}`);
    assert.ok(longest < 138, `longest ${longest}`);
  });
});

describe('dithered remap', () => {
  it('gives the same histograms as the remap with the linear search (reference), for noise, grey, alpha and odd sizes', () => {
    const images: RawImage[] = [
      noise(1, 1, 3, 1),
      noise(2, 3, 3, 2),
      noise(17, 513, 3, 3),
      noise(400, 300, 3, 4),
      noise(400, 533, 3, 5),
      noise(300, 400, 1, 6),
      noise(257, 129, 2, 7),
      noise(400, 250, 4, 8),
      { data: new Uint8Array(0), width: 0, height: 0, channels: 3 },
    ];
    // Smooth gradients: long runs through the same cells, where the error queue matters most.
    const gradient = new Uint8Array(400 * 300 * 3);
    for (let y = 0; y < 300; y++)
      for (let x = 0; x < 400; x++) gradient.set([(x * 255) / 399, (y * 255) / 299, ((x + y) * 255) / 698], (y * 400 + x) * 3);
    images.push({ data: gradient, width: 400, height: 300, channels: 3 });
    images.push({ data: new Uint8Array(400 * 300 * 3).fill(255), width: 400, height: 300, channels: 3 });
    // Twice over, so that a cache kept between images would show.
    for (const image of [...images, ...images]) {
      const label = `${image.width}x${image.height}x${image.channels}`;
      assert.deepEqual([...remapHistogram(image)], [...reference.remapHistogram(image)], label);
      assert.deepEqual(dominantColors(image), reference.dominantColors(image), label);
    }
  });

  it('gives the same histograms as the reference for photographs at the 400 px the media step remaps', async () => {
    const photo = fixtureBytes('default.jpg');
    const sizes = [400, 401, 640, 1000];
    for (const width of sizes) {
      const { data, info } = await sharp(photo).resize({ width, kernel: 'lanczos3' }).toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
      const image = { data, width: info.width, height: info.height, channels: info.channels };
      assert.deepEqual([...remapHistogram(image)], [...reference.remapHistogram(image)], `default.jpg at ${width} px`);
    }
  });
});
