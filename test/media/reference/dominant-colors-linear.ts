/**
 * REFERENCE for test/media/dominant-colors.test.ts: src/steps/media/dominant-colors.ts as it was at
 * ac74927 (the remap with the linear nearest-colour search and the error queue read in a loop), kept
 * verbatim apart from this comment, so that the faster remap can be compared with it
 * histogram for histogram. Not used by the application.
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
  // Nearest-colour cache on 6 bits per channel, as ImageMagick's CacheOffset does.
  const cache = new Int16Array(1 << 18).fill(-1);
  // The error queue as a ring: logical entry i (0 = oldest) lives at head + i, each entry written
  // twice (at j and j + 16) so that the 16 entries from any head are contiguous.
  const errR = new Float64Array(2 * ERROR_QUEUE_LENGTH);
  const errG = new Float64Array(2 * ERROR_QUEUE_LENGTH);
  const errB = new Float64Array(2 * ERROR_QUEUE_LENGTH);
  const weights = Float64Array.from(WEIGHTS);
  const grey = channels < 3;
  let head = 0;
  const order = width > 0 && height > 0 ? curveOrder(width, height) : new Int32Array(0);
  for (let p = 0; p < order.length; p++) {
    const o = order[p] * channels;
    let r = data[o];
    let g = grey ? r : data[o + 1];
    let b = grey ? r : data[o + 2];
    for (let i = 0; i < ERROR_QUEUE_LENGTH; i++) {
      const w = weights[i];
      r += w * errR[head + i];
      g += w * errG[head + i];
      b += w * errB[head + i];
    }
    r = r < 0 ? 0 : r > 255 ? 255 : r;
    g = g < 0 ? 0 : g > 255 ? 255 : g;
    b = b < 0 ? 0 : b > 255 ? 255 : b;
    const key = (((r + 0.5) >> 2) << 12) | (((g + 0.5) >> 2) << 6) | ((b + 0.5) >> 2);
    let index = cache[key];
    if (index < 0) cache[key] = index = closest(r, g, b);
    counts[index]++;
    // The oldest entry is dropped and the newest error takes its slot.
    errR[head] = errR[head + ERROR_QUEUE_LENGTH] = r - PAL_R[index];
    errG[head] = errG[head + ERROR_QUEUE_LENGTH] = g - PAL_G[index];
    errB[head] = errB[head + ERROR_QUEUE_LENGTH] = b - PAL_B[index];
    head = (head + 1) & (ERROR_QUEUE_LENGTH - 1);
  }

  const out = new Map<string, number>();
  PALETTE.forEach(([r, g, b], i) => {
    if (counts[i] > 0) out.set(hex(r, g, b), counts[i]);
  });
  return out;
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

function closest(r: number, g: number, b: number): number {
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

function hex(r: number, g: number, b: number): string {
  return ((r << 16) | (g << 8) | b).toString(16).toUpperCase().padStart(6, '0');
}
