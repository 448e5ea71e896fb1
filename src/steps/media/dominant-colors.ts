/**
 * The six dominant colours of an image, as Metis computes them with ImageMagick
 * (`-colorspace sRGB -dither Riemersma -remap colormap.png -format %c histogram:info:`, then the
 * histogram lines in reverse string order, first six): every pixel is mapped onto a fixed palette
 * of CSS colours with Riemersma error diffusion along a Hilbert curve, and the palette colours are
 * counted. Our own implementation of that remap, following ImageMagick's algorithm.
 */

/** The pixels of `colormap.png` (147×1, CSS colour names; some colours appear twice), in order. */
export const PALETTE_HEX = (
  'FF69B4 FFDEAD FF6347 FFFF00 FFE4B5 808000 FFEBCD 8B4513 BDB76B ADD8E6 FFFAFA 228B22 FFC0CB 778899 000000 ' +
  'D3D3D3 4B0082 D8BFD8 9400D3 F8F8FF 8B0000 2F4F4F 9ACD32 8B008B DDA0DD FFF0F5 40E0D0 F0F8FF 48D1CC FA8072 ' +
  '00FFFF 7B68EE 008B8B D2B48C DEB887 FAF0E6 A0522D BA55D3 FFFFE0 CD853F 90EE90 FFF8DC FAFAD2 8A2BE2 ADFF2F ' +
  'BC8F8F 7FFF00 B0C4DE FFDAB9 32CD32 B22222 1E90FF C71585 808080 FFD700 FFEFD5 708090 800080 A9A9A9 008000 ' +
  '6495ED 00FF00 483D8B FAEBD7 696969 D2691E FF0000 00FFFF FF00FF DA70D6 FF00FF 66CDAA FFA07A 3CB371 5F9EA0 ' +
  'F0FFF0 FDF5E6 9370DB 00BFFF AFEEEE 00008B B0E0E6 778899 800000 DB7093 D3D3D3 F08080 F0FFFF 2E8B57 FFA500 ' +
  '7CFC00 FFB6C1 87CEEB FFFFFF 6A5ACD 008080 00FA9A E6E6FA 006400 DCDCDC 2F4F4F DC143C FFFACD 191970 FFFAF0 ' +
  'FFE4C4 FFF5EE 556B2F B8860B FF7F50 98FB98 DAA520 E9967A 7FFFD4 FF1493 8FBC8F 20B2AA 9932CC F5F5DC 87CEFA ' +
  'FFFFF0 F5F5F5 F5DEB3 EEE8AA 6B8E23 696969 C0C0C0 FF8C00 00FF7F 4169E1 808080 F0E68C CD5C5C 708090 0000CD ' +
  'F5FFFA A9A9A9 E0FFFF FF4500 FFE4E1 0000FF 00CED1 EE82EE F4A460 A52A2A 4682B4 000080'
).split(' ');

/** The distinct palette colours as [r, g, b] (ImageMagick's remap uses the image's unique colours). */
const PALETTE: Array<[number, number, number]> = [...new Set(PALETTE_HEX)].map((h) => [
  parseInt(h.slice(0, 2), 16),
  parseInt(h.slice(2, 4), 16),
  parseInt(h.slice(4, 6), 16),
]);

// Flat channel arrays: the per-pixel loop must not allocate.
const PAL_R = Int32Array.from(PALETTE, (c) => c[0]);
const PAL_G = Int32Array.from(PALETTE, (c) => c[1]);
const PAL_B = Int32Array.from(PALETTE, (c) => c[2]);

const ERROR_QUEUE_LENGTH = 16;
// ImageMagick (Q16, as Debian builds it) weighs the queued errors on an exponential curve from the
// newest down to 1/65536 of it for the oldest, normalised to sum 1.
const WEIGHTS: number[] = (() => {
  const w = new Array<number>(ERROR_QUEUE_LENGTH);
  let weight = 1;
  const step = Math.exp(Math.log(65536) / (ERROR_QUEUE_LENGTH - 1));
  for (let i = 0; i < ERROR_QUEUE_LENGTH; i++) {
    w[ERROR_QUEUE_LENGTH - i - 1] = 1 / weight;
    weight *= step;
  }
  // Normalised to sum 1, so the diffused error never exceeds the error made.
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => x / sum);
})();

type Weights = [number, number, number, number, number, number, number, number, number, number, number, number, number, number, number, number];

// Moves along the curve: west, east, north, south, none.
const W = 0;
const E = 1;
const N = 2;
const S = 3;
const NONE = 4;
const DX = [-1, 1, 0, 0, 0];
const DY = [0, 0, -1, 1, 0];
// ImageMagick's Riemersma(): per direction of the curve, the last level is three moves; above it,
// four sub-curves (directions in SUB) joined by the same three moves.
const MOVES = [
  [E, S, W],
  [W, N, E],
  [S, E, N],
  [N, W, S],
];
const SUB = [
  [N, W, W, S],
  [S, E, E, N],
  [W, N, N, E],
  [E, S, S, W],
];

/** Where a curve of some level and direction goes, relative to its start: end offset and the box of the pixels it dithers. */
interface Span {
  dx: number;
  dy: number;
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
}
const spans: Span[][] = [];

function spanOf(level: number, direction: number): Span {
  const cached = spans[level]?.[direction];
  if (cached) return cached;
  const span: Span = { dx: 0, dy: 0, minX: 0, maxX: 0, minY: 0, maxY: 0 };
  const visit = (x: number, y: number) => {
    span.minX = Math.min(span.minX, x);
    span.maxX = Math.max(span.maxX, x);
    span.minY = Math.min(span.minY, y);
    span.maxY = Math.max(span.maxY, y);
  };
  let x = 0;
  let y = 0;
  for (let i = 0; i < 4; i++) {
    if (level === 1) {
      if (i === 3) break;
    } else {
      const sub = spanOf(level - 1, SUB[direction][i]);
      visit(x + sub.minX, y + sub.minY);
      visit(x + sub.maxX, y + sub.maxY);
      x += sub.dx;
      y += sub.dy;
      if (i === 3) break;
    }
    visit(x, y); // the pixel dithered before the joining move
    x += DX[MOVES[direction][i]];
    y += DY[MOVES[direction][i]];
  }
  span.dx = x;
  span.dy = y;
  (spans[level] ??= [])[direction] = span;
  return span;
}

/** Interleaved 8-bit pixels: 1 (grey), 2 (grey + alpha), 3 (RGB) or 4 (RGBA) channels; alpha is ignored. */
export interface RawImage {
  data: Uint8Array;
  width: number;
  height: number;
  channels: number;
}

/**
 * The pixels of a `width` × `height` image in the order ImageMagick's Riemersma() visits them: a
 * Hilbert curve over the smallest power-of-two square covering the image, the points outside the
 * image skipped. The same for every image of that size, so it is kept for the last few sizes
 * (thumbnails are 400 px wide, and most of one collection share a height).
 */
function curveOrder(width: number, height: number): Int32Array {
  const key = `${width}x${height}`;
  const cached = orders.get(key);
  if (cached) {
    // Most recently used last.
    orders.delete(key);
    orders.set(key, cached);
    return cached;
  }
  const order = new Int32Array(width * height);
  let n = 0;
  let x = 0;
  let y = 0;
  const visitAndMove = (direction: number) => {
    if (x >= 0 && x < width && y >= 0 && y < height) order[n++] = y * width + x;
    x += DX[direction];
    y += DY[direction];
  };
  const hilbert = (level: number, direction: number): void => {
    if (level === 1) {
      const moves = MOVES[direction];
      visitAndMove(moves[0]);
      visitAndMove(moves[1]);
      visitAndMove(moves[2]);
      return;
    }
    // A sub-curve that lies wholly outside the image visits nothing: jump to its end.
    const span = spanOf(level, direction);
    if (x + span.maxX < 0 || x + span.minX >= width || y + span.maxY < 0 || y + span.minY >= height) {
      x += span.dx;
      y += span.dy;
      return;
    }
    const sub = SUB[direction];
    const join = MOVES[direction];
    hilbert(level - 1, sub[0]);
    visitAndMove(join[0]);
    hilbert(level - 1, sub[1]);
    visitAndMove(join[1]);
    hilbert(level - 1, sub[2]);
    visitAndMove(join[2]);
    hilbert(level - 1, sub[3]);
  };
  let depth = 1;
  for (let i = Math.max(width, height); i !== 0; i >>= 1) depth++;
  if (1 << depth < Math.max(width, height)) depth++;
  if (depth > 1) hilbert(depth - 1, N);
  visitAndMove(NONE);
  if (n !== order.length) throw new Error(`the curve visited ${n} of ${order.length} pixels`);
  if (order.length <= MAX_CACHED_ORDER) {
    orders.set(key, order);
    for (const k of orders.keys()) {
      if (orders.size <= MAX_CACHED_ORDERS) break;
      orders.delete(k);
    }
  }
  return order;
}

const orders = new Map<string, Int32Array>();
const MAX_CACHED_ORDERS = 8;
/** Pixels of the largest order kept (4 MB as Int32). */
const MAX_CACHED_ORDER = 1 << 20;

/** Counts of each palette colour after the dithered remap, keyed by `RRGGBB`. */
export function remapHistogram(image: RawImage): Map<string, number> {
  const { data, width, height, channels } = image;
  const counts = new Uint32Array(PALETTE.length);
  const order = width > 0 && height > 0 ? curveOrder(width, height) : new Int32Array(0);
  // Nearest-colour cache on 6 bits per channel, as ImageMagick's CacheOffset does: a cell keeps the
  // colour nearest to the first value that fell into it, for this image only. It starts with the
  // cells whose values all have the same nearest colour whatever the image (keyColour).
  remapCache.set(keyColour);
  dither(data, channels, order, remapCache, counts);
  return histogramOf(counts);
}

/**
 * Riemersma dithering of the pixels in `order`, counting the palette colour each becomes. A function
 * of the loop alone: V8 compiles it while in the loop (on-stack replacement) and reuses that code on
 * the next calls, and code after the loop that it had never run there (making the histogram) made
 * it give up (deoptimise) on every call.
 */
function dither(data: Uint8Array, channels: number, order: Int32Array, cache: Uint8Array, counts: Uint32Array): void {
  // The error queue as a ring: logical entry i (0 = oldest) lives at head + i, each entry written
  // twice (at j and j + 16) so that the 16 entries from any head are contiguous.
  const errR = new Float64Array(2 * ERROR_QUEUE_LENGTH);
  const errG = new Float64Array(2 * ERROR_QUEUE_LENGTH);
  const errB = new Float64Array(2 * ERROR_QUEUE_LENGTH);
  // A pixel's value is its own plus the 16 queued errors times their weights, added oldest first
  // (ImageMagick's loop). Only the last term, the previous pixel's error, waits for the previous
  // pixel: the sum of the pixel and the first 15 terms (pr, pg, pb) is made while the previous
  // pixel is still being mapped, so the processor overlaps the two. The same additions in the same
  // order as the loop, so the same sums to the last bit (JavaScript does not fuse multiply-adds).
  const [w0, w1, w2, w3, w4, w5, w6, w7, w8, w9, w10, w11, w12, w13, w14, w15] = WEIGHTS as Weights;
  const grey = channels < 3;
  let head = 0;
  const n = order.length;
  // The first pixel's queue is all zeros; its partial sums are made like every other's.
  let pr = 0;
  let pg = 0;
  let pb = 0;
  if (n > 0) {
    const o = order[0] * channels;
    pr = data[o];
    pg = grey ? pr : data[o + 1];
    pb = grey ? pr : data[o + 2];
    const h = 0;
    pr += w0 * errR[h]; pr += w1 * errR[h + 1]; pr += w2 * errR[h + 2]; pr += w3 * errR[h + 3];
    pr += w4 * errR[h + 4]; pr += w5 * errR[h + 5]; pr += w6 * errR[h + 6]; pr += w7 * errR[h + 7];
    pr += w8 * errR[h + 8]; pr += w9 * errR[h + 9]; pr += w10 * errR[h + 10]; pr += w11 * errR[h + 11];
    pr += w12 * errR[h + 12]; pr += w13 * errR[h + 13]; pr += w14 * errR[h + 14];
    pg += w0 * errG[h]; pg += w1 * errG[h + 1]; pg += w2 * errG[h + 2]; pg += w3 * errG[h + 3];
    pg += w4 * errG[h + 4]; pg += w5 * errG[h + 5]; pg += w6 * errG[h + 6]; pg += w7 * errG[h + 7];
    pg += w8 * errG[h + 8]; pg += w9 * errG[h + 9]; pg += w10 * errG[h + 10]; pg += w11 * errG[h + 11];
    pg += w12 * errG[h + 12]; pg += w13 * errG[h + 13]; pg += w14 * errG[h + 14];
    pb += w0 * errB[h]; pb += w1 * errB[h + 1]; pb += w2 * errB[h + 2]; pb += w3 * errB[h + 3];
    pb += w4 * errB[h + 4]; pb += w5 * errB[h + 5]; pb += w6 * errB[h + 6]; pb += w7 * errB[h + 7];
    pb += w8 * errB[h + 8]; pb += w9 * errB[h + 9]; pb += w10 * errB[h + 10]; pb += w11 * errB[h + 11];
    pb += w12 * errB[h + 12]; pb += w13 * errB[h + 13]; pb += w14 * errB[h + 14];
  }
  for (let p = 0; p < n; p++) {
    const h = head;
    let r = pr + w15 * errR[h + 15];
    let g = pg + w15 * errG[h + 15];
    let b = pb + w15 * errB[h + 15];
    if (p + 1 < n) {
      // The next pixel's queue is this one's entries 1..15 and then this pixel's error.
      const o = order[p + 1] * channels;
      pr = data[o];
      pg = grey ? pr : data[o + 1];
      pb = grey ? pr : data[o + 2];
      pr += w0 * errR[h + 1]; pr += w1 * errR[h + 2]; pr += w2 * errR[h + 3]; pr += w3 * errR[h + 4];
      pr += w4 * errR[h + 5]; pr += w5 * errR[h + 6]; pr += w6 * errR[h + 7]; pr += w7 * errR[h + 8];
      pr += w8 * errR[h + 9]; pr += w9 * errR[h + 10]; pr += w10 * errR[h + 11]; pr += w11 * errR[h + 12];
      pr += w12 * errR[h + 13]; pr += w13 * errR[h + 14]; pr += w14 * errR[h + 15];
      pg += w0 * errG[h + 1]; pg += w1 * errG[h + 2]; pg += w2 * errG[h + 3]; pg += w3 * errG[h + 4];
      pg += w4 * errG[h + 5]; pg += w5 * errG[h + 6]; pg += w6 * errG[h + 7]; pg += w7 * errG[h + 8];
      pg += w8 * errG[h + 9]; pg += w9 * errG[h + 10]; pg += w10 * errG[h + 11]; pg += w11 * errG[h + 12];
      pg += w12 * errG[h + 13]; pg += w13 * errG[h + 14]; pg += w14 * errG[h + 15];
      pb += w0 * errB[h + 1]; pb += w1 * errB[h + 2]; pb += w2 * errB[h + 3]; pb += w3 * errB[h + 4];
      pb += w4 * errB[h + 5]; pb += w5 * errB[h + 6]; pb += w6 * errB[h + 7]; pb += w7 * errB[h + 8];
      pb += w8 * errB[h + 9]; pb += w9 * errB[h + 10]; pb += w10 * errB[h + 11]; pb += w11 * errB[h + 12];
      pb += w12 * errB[h + 13]; pb += w13 * errB[h + 14]; pb += w14 * errB[h + 15];
    }
    r = r < 0 ? 0 : r > 255 ? 255 : r;
    g = g < 0 ? 0 : g > 255 ? 255 : g;
    b = b < 0 ? 0 : b > 255 ? 255 : b;
    const key = (((r + 0.5) >> 2) << 12) | (((g + 0.5) >> 2) << 6) | ((b + 0.5) >> 2);
    let index = cache[key];
    if (index >= AMBIGUOUS) {
      // Not yet met in this image: a cell not known yet is resolved once for all images; a cell
      // whose colour depends on the value gets that of this first value, for this image.
      if (index === UNKNOWN) index = keyColour[key] = resolveKey(key);
      if (index === AMBIGUOUS) index = closestColor(r, g, b);
      cache[key] = index;
    }
    counts[index]++;
    // The oldest entry is dropped and the newest error takes its slot.
    errR[h] = errR[h + ERROR_QUEUE_LENGTH] = r - PAL_R[index];
    errG[h] = errG[h + ERROR_QUEUE_LENGTH] = g - PAL_G[index];
    errB[h] = errB[h + ERROR_QUEUE_LENGTH] = b - PAL_B[index];
    head = (h + 1) & (ERROR_QUEUE_LENGTH - 1);
  }
}

/** The counts as a map keyed by `RRGGBB`. */
function histogramOf(counts: Uint32Array): Map<string, number> {
  const out = new Map<string, number>();
  PALETTE.forEach(([r, g, b], i) => {
    if (counts[i] > 0) out.set(hex(r, g, b), counts[i]);
  });
  return out;
}

/** The per-image nearest-colour cache, reused (reset per image): a thread remaps one image at a time. */
const remapCache = new Uint8Array(1 << 18);

/*
 * Cells of the 6-bit cache whose values all have the same nearest colour. Cell k of a channel holds
 * the values v with (v + 0.5) >> 2 = k, i.e. [4k - 0.5, 4k + 3.5) within [0, 255]. Colour i is the
 * nearest for every value of the cell's box when, for every other colour j, d_j - d_i > 0 all over
 * the box: d_j(p) - d_i(p) = sum over the channels of 2 p (c_i - c_j) + c_j^2 - c_i^2 is linear in p,
 * so its least value over the box is at a corner, found per channel. The box's bounds are multiples
 * of 0.5 and the palette's values integers, so that least value is an exact integer: when it is > 0
 * it is >= 1, far above the rounding of the search's own distances (< 1e-10), so the search would
 * find i, and only i, for any value of the cell, whichever came first. Only the colours listed for
 * the nearest-colour cell holding the box (below) need the check: any other j has, all over that
 * cell, d_j >= minD_j > U >= d_i, multiples of 0.25 apart by at least 0.25. Then the cell's colour is i
 * for every image; for the other cells (near a boundary between two colours) the first value of
 * each image decides, as in ImageMagick's cache. Resolved when first met, kept for the thread's life.
 */
const UNKNOWN = 255;
const AMBIGUOUS = 254;
/** Per cache cell: its colour (palette index < 138), AMBIGUOUS, or UNKNOWN until first met. */
const keyColour = new Uint8Array(1 << 18).fill(UNKNOWN);

/** The colour every value of cache cell `key` maps to, or AMBIGUOUS. */
export function resolveKey(key: number): number {
  const kr = (key >> 12) & 63;
  const kg = (key >> 6) & 63;
  const kb = key & 63;
  const loR = Math.max(0, 4 * kr - 0.5);
  const hiR = Math.min(255, 4 * kr + 3.5);
  const loG = Math.max(0, 4 * kg - 0.5);
  const hiG = Math.min(255, 4 * kg + 3.5);
  const loB = Math.max(0, 4 * kb - 0.5);
  const hiB = Math.min(255, 4 * kb + 3.5);
  const i = closestColor((loR + hiR) / 2, (loG + hiG) / 2, (loB + hiB) / 2);
  const ir = PAL_R[i];
  const ig = PAL_G[i];
  const ib = PAL_B[i];
  const own = ir * ir + ig * ig + ib * ib;
  // The colours off the list of the nearest-colour cell holding this one are farther than i all over it.
  const list = cellList(kr >> 1, kg >> 1, kb >> 1);
  for (let k = 0; k < list.length; k++) {
    const j = list[k];
    if (j === i) continue;
    const jr = PAL_R[j];
    const jg = PAL_G[j];
    const jb = PAL_B[j];
    // The least of d_j - d_i over the box: per channel, the slope 2 (c_i - c_j) times the bound it favours.
    const sr = 2 * (ir - jr);
    const sg = 2 * (ig - jg);
    const sb = 2 * (ib - jb);
    const least = sr * (sr >= 0 ? loR : hiR) + sg * (sg >= 0 ? loG : hiG) + sb * (sb >= 0 ? loB : hiB) + jr * jr + jg * jg + jb * jb - own;
    if (least <= 0) return AMBIGUOUS;
  }
  return i;
}

/**
 * The six dominant colours (`RRGGBB`, no `#`): histogram entries ordered as ImageMagick's
 * `histogram:info:` lines sorted in reverse string order (count, right-aligned in 10 columns,
 * then the `(r,g,b)` tuple).
 */
export function dominantColors(image: RawImage, count = 6): string[] {
  const lines = [...remapHistogram(image)].map(([color, n]) => {
    const r = parseInt(color.slice(0, 2), 16);
    const g = parseInt(color.slice(2, 4), 16);
    const b = parseInt(color.slice(4, 6), 16);
    return { color, line: `${String(n).padStart(10)}: (${r},${g},${b}) #${color}` };
  });
  lines.sort((a, b) => (a.line < b.line ? 1 : a.line > b.line ? -1 : 0));
  return lines.slice(0, count).map((l) => l.color);
}

/**
 * The palette colour nearest to (r, g, b), each in [0, 255]: the first of the palette (in palette
 * order) at the smallest squared distance. The linear search over all 138 colours, kept as the
 * reference `closestColor` must equal (the tests compare them).
 */
export function closestLinear(r: number, g: number, b: number): number {
  let best = 0;
  let bestDistance = Infinity;
  for (let i = 0; i < PAL_R.length; i++) {
    // A partial sum already as far as the best cannot win (ties keep the first): skip the rest.
    const dr = r - PAL_R[i];
    let d = dr * dr;
    if (d >= bestDistance) continue;
    const dg = g - PAL_G[i];
    d += dg * dg;
    if (d >= bestDistance) continue;
    const db = b - PAL_B[i];
    d += db * db;
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best;
}

/*
 * The exact nearest colour without visiting the whole palette. The RGB cube is cut into cells of two
 * cache cells per channel: cell c holds the values v with (v + 0.5) >> 3 = c, the box
 * [8c - 0.5, 8c + 7.5] within [0, 255]. A cell lists, in palette order, every colour that can be the
 * nearest for some point of the cell: colour i is left out only when even its nearest distance to
 * the box (minD_i) exceeds U, the smallest over all colours of their farthest distance to the box
 * (maxD). For a point p of the cell, the winner w has d_w(p) <= d_k(p) <= maxD_k = U (k the colour
 * giving U), so minD_w <= d_w(p) <= U and w is listed; so is every colour tied with w at p, hence the
 * same tie-breaking when the list is searched in palette order with the linear search's comparisons.
 * Rounding: the search's distances are doubles (relative error < 4e-16 of at most 3 * 255^2), while
 * minD and U are exact multiples of 0.25 (bounds multiples of 0.5, integer palette values), so
 * minD_w <= U + 1e-10 means minD_w <= U. Cells are built when first needed.
 */
const CELL_BITS = 3;
const CELLS_PER_AXIS = 32;
const cells: Array<Uint8Array | undefined> = new Array(CELLS_PER_AXIS ** 3);

/** The colours that can be the nearest in cell (cr, cg, cb), in palette order. */
export function cellCandidates(cr: number, cg: number, cb: number): Uint8Array {
  const loR = Math.max(0, 8 * cr - 0.5);
  const loG = Math.max(0, 8 * cg - 0.5);
  const loB = Math.max(0, 8 * cb - 0.5);
  const hiR = Math.min(255, 8 * cr + 7.5);
  const hiG = Math.min(255, 8 * cg + 7.5);
  const hiB = Math.min(255, 8 * cb + 7.5);
  const minD = cellScratch;
  let bound = Infinity;
  let count = 0;
  for (let i = 0; i < PAL_R.length; i++) {
    const r = PAL_R[i];
    const g = PAL_G[i];
    const b = PAL_B[i];
    // Per channel: the distance to the box's nearer side (0 inside it), and to its farther side.
    const nr = r < loR ? loR - r : r > hiR ? r - hiR : 0;
    const ng = g < loG ? loG - g : g > hiG ? g - hiG : 0;
    const nb = b < loB ? loB - b : b > hiB ? b - hiB : 0;
    minD[i] = nr * nr + ng * ng + nb * nb;
    const fr = Math.max(r - loR, hiR - r);
    const fg = Math.max(g - loG, hiG - g);
    const fb = Math.max(b - loB, hiB - b);
    bound = Math.min(bound, fr * fr + fg * fg + fb * fb);
  }
  for (let i = 0; i < PAL_R.length; i++) if (minD[i] <= bound) count++;
  const list = new Uint8Array(count);
  count = 0;
  for (let i = 0; i < PAL_R.length; i++) if (minD[i] <= bound) list[count++] = i;
  return list;
}
const cellScratch = new Float64Array(PAL_R.length);

/** The candidate list of cell (cr, cg, cb), built when first asked for. */
function cellList(cr: number, cg: number, cb: number): Uint8Array {
  const at = (((cr << 5) | cg) << 5) | cb;
  return (cells[at] ??= cellCandidates(cr, cg, cb));
}

/** The same colour as `closestLinear(r, g, b)`, for r, g, b in [0, 255], searching only the point's cell's list. */
export function closestColor(r: number, g: number, b: number): number {
  const list = cellList((r + 0.5) >> CELL_BITS, (g + 0.5) >> CELL_BITS, (b + 0.5) >> CELL_BITS);
  let best = list[0];
  let bestDistance = Infinity;
  for (let k = 0; k < list.length; k++) {
    const i = list[k];
    const dr = r - PAL_R[i];
    let d = dr * dr;
    if (d >= bestDistance) continue;
    const dg = g - PAL_G[i];
    d += dg * dg;
    if (d >= bestDistance) continue;
    const db = b - PAL_B[i];
    d += db * db;
    if (d < bestDistance) {
      bestDistance = d;
      best = i;
    }
  }
  return best;
}

function hex(r: number, g: number, b: number): string {
  return ((r << 16) | (g << 8) | b).toString(16).toUpperCase().padStart(6, '0');
}
