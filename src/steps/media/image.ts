/**
 * Image metadata and thumbnails (Metis `ImageProcessor` + `ThumbnailGenerator`, done with sharp
 * instead of the ImageMagick command line): width, height, colour space, the six dominant colours,
 * and the 200 px (MEDIUM) and 400 px (LARGE) wide thumbnails.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import sharp, { type Metadata, type SharpOptions } from 'sharp';
import { dominantColors, type RawImage } from './dominant-colors.ts';
import { errors, isMetisError } from '../../errors/index.ts';

export type ThumbnailKind = 'MEDIUM' | 'LARGE';

/** Thumbnail widths (Metis `ThumbnailKind`). */
export const THUMBNAIL_WIDTHS: Record<ThumbnailKind, number> = { MEDIUM: 200, LARGE: 400 };

export interface Thumbnail {
  kind: ThumbnailKind;
  /** `md5hex(resourceUrl)-MEDIUM|LARGE`, the storage key. */
  name: string;
  /** MIME type of `bytes`. */
  mimeType: string;
  bytes: Buffer;
}

export interface ImageAnalysis {
  width: number;
  height: number;
  /** EDM colour space name (`sRGB`, `grayscale`, `CMYK`, …), when known. */
  colorSpace?: string;
  /** Six (or fewer) `RRGGBB` colours. */
  dominantColors: string[];
  thumbnails: Thumbnail[];
}

export interface ImageOptions {
  /** Refuse images with more pixels than this (decompression bombs). Default 100 megapixels. */
  maxInputPixels?: number;
  /** Write PNG thumbnails (for PNG input); otherwise JPEG. */
  pngThumbnails: boolean;
  /** MIME type of the input, used when its own bytes serve as a thumbnail. */
  inputMimeType: string;
  /** Flatten transparency onto white before anything else (PDF renderings). */
  flattenOnWhite?: boolean;
  /** Give up on one image after this many seconds (sharp `timeout`). Default 20. */
  timeoutSeconds?: number;
}

/** The storage name of a thumbnail: 32 lower-case hex digits of md5(url), then `-MEDIUM` or `-LARGE`. */
export function thumbnailName(resourceUrl: string, kind: ThumbnailKind): string {
  return `${createHash('md5').update(resourceUrl, 'utf8').digest('hex')}-${kind}`;
}

// sharp's interpretation → the EDM ColorSpaceType value ImageMagick would have reported.
const COLOR_SPACES: Record<string, string> = {
  srgb: 'sRGB',
  rgb: 'sRGB',
  rgb16: 'sRGB',
  scrgb: 'scRGB',
  'b-w': 'grayscale',
  grey16: 'grayscale',
  cmyk: 'CMYK',
  cmy: 'CMY',
  lab: 'Lab',
  labs: 'Lab',
  hsv: 'HSV',
};

/**
 * Analyses an image: reads its size, makes both thumbnails and computes dominant colours from the LARGE one.
 * Image data the decoder refuses is `MEDIA_CORRUPT` naming the problem (libvips says "Unknown error" for
 * a PNG header with a bad CRC): a PNG's first bad chunk is named with its offset.
 */
export async function analyseImage(bytes: Buffer, resourceUrl: string, options: ImageOptions): Promise<ImageAnalysis> {
  try {
    return await analyse(bytes, resourceUrl, options);
  } catch (err) {
    if (isMetisError(err)) throw err;
    // The decoder's own message is kept when it says something ("Input image exceeds pixel limit").
    const said = ((err as Error)?.message ?? String(err)).split('\n')[0].trim();
    const damage = pngDamage(bytes);
    if (damage) throw errors.MEDIA_CORRUPT({ detail: damage }, { cause: err });
    if (!said || /^unknown error$/i.test(said))
      throw errors.MEDIA_CORRUPT({ detail: 'the decoder refused the data without a reason' }, { cause: err });
    throw err;
  }
}

/** The first PNG chunk whose CRC does not match, or a truncated chunk; undefined for other formats. */
export function pngDamage(bytes: Buffer): string | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 8 || signature.some((b, i) => bytes[i] !== b)) return undefined;
  for (let at = 8; at + 8 <= bytes.length;) {
    const length = bytes.readUInt32BE(at);
    const type = bytes.toString('latin1', at + 4, at + 8);
    const end = at + 12 + length;
    if (end > bytes.length) return `PNG chunk ${JSON.stringify(type)} at byte ${at} is truncated`;
    if (crc32(bytes.subarray(at + 4, end - 4)) !== bytes.readUInt32BE(end - 4))
      return `PNG chunk ${JSON.stringify(type)} at byte ${at} has a bad CRC`;
    if (type === 'IEND') return undefined;
    at = end;
  }
  return 'PNG data ends without an IEND chunk';
}

async function analyse(bytes: Buffer, resourceUrl: string, options: ImageOptions): Promise<ImageAnalysis> {
  const input = {
    limitInputPixels: options.maxInputPixels ?? 100_000_000,
    failOn: 'error' as const,
    pages: 1,
  };
  const timeout = { seconds: options.timeoutSeconds ?? 20 };
  const meta = await sharp(bytes, input).metadata();
  if (!meta.width || !meta.height) throw errors.MEDIA_UNSUPPORTED({ detail: 'Image has no dimensions' });
  const { width, height } = meta;

  // Decode once, at the LARGE width (ImageMagick's `-thumbnail 400x` also enlarges narrow images);
  // both thumbnails and the colour histogram are derived from these pixels.
  let pipeline = sharp(bytes, input).timeout(timeout);
  if (options.flattenOnWhite) pipeline = pipeline.flatten({ background: '#ffffff' });
  const large = await pipeline
    .resize({ width: THUMBNAIL_WIDTHS.LARGE, kernel: 'lanczos3' })
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const raw = { width: large.info.width, height: large.info.height, channels: large.info.channels };

  const thumbnails: Thumbnail[] = [];
  for (const kind of ['MEDIUM', 'LARGE'] as const) {
    const target = THUMBNAIL_WIDTHS[kind];
    const name = thumbnailName(resourceUrl, kind);
    if (width < target && !options.flattenOnWhite) {
      // Metis keeps the original bytes when the image is narrower than the thumbnail.
      thumbnails.push({ kind, name, mimeType: options.inputMimeType, bytes });
      continue;
    }
    let t = sharp(large.data, { raw }).timeout(timeout);
    if (kind === 'MEDIUM') t = t.resize({ width: target, kernel: 'lanczos3' });
    const out = options.pngThumbnails
      ? await t.png().toBuffer()
      : await t.flatten({ background: '#ffffff' }).jpeg({ quality: 90 }).toBuffer();
    thumbnails.push({ kind, name, mimeType: options.pngThumbnails ? 'image/png' : 'image/jpeg', bytes: out });
  }

  return {
    width,
    height,
    colorSpace: meta.space ? COLOR_SPACES[meta.space] : undefined,
    dominantColors: dominantColors(
      await colourPixels(bytes, meta, input, timeout, options.flattenOnWhite === true, { data: large.data, ...raw }),
    ),
    thumbnails,
  };
}

/**
 * The pixels ImageMagick would remap: usually the LARGE pixels already decoded. Two cases need
 * their own decode to match it: transparency (ImageMagick weighs by alpha, which for the colour
 * counts amounts to the stored RGB; libvips' premultiplied resize would shift semi-transparent
 * colours) and CMYK (ImageMagick converts without a colour profile, libvips with one).
 */
async function colourPixels(
  bytes: Buffer,
  meta: Metadata,
  input: SharpOptions,
  timeout: { seconds: number },
  flattened: boolean,
  decoded: RawImage,
): Promise<RawImage> {
  const resize = { width: THUMBNAIL_WIDTHS.LARGE, kernel: 'lanczos3' as const };
  if (meta.space === 'cmyk') {
    const cmyk = await sharp(bytes, input)
      .timeout(timeout)
      .pipelineColourspace('cmyk')
      .resize(resize)
      .toColourspace('cmyk')
      .raw()
      .toBuffer({ resolveWithObject: true });
    const n = cmyk.info.width * cmyk.info.height;
    const rgb = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) {
      const k = 1 - cmyk.data[i * 4 + 3] / 255;
      for (let c = 0; c < 3; c++) rgb[i * 3 + c] = Math.round(255 * (1 - cmyk.data[i * 4 + c] / 255) * k);
    }
    return { data: rgb, width: cmyk.info.width, height: cmyk.info.height, channels: 3 };
  }
  if (meta.hasAlpha && !flattened) {
    // Drop alpha before any resampling: libvips resizes premultiplied, which shifts the colours.
    const full = await sharp(bytes, input)
      .timeout(timeout)
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const { width, height, channels } = full.info;
    const n = width * height;
    const opaqueChannels = channels - 1;
    const stripped = Buffer.alloc(n * opaqueChannels);
    for (let i = 0; i < n; i++)
      for (let c = 0; c < opaqueChannels; c++) stripped[i * opaqueChannels + c] = full.data[i * channels + c];
    const opaque = await sharp(stripped, { raw: { width, height, channels: opaqueChannels as 1 | 3 } })
      .timeout(timeout)
      .resize(resize)
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { data: opaque.data, width: opaque.info.width, height: opaque.info.height, channels: opaque.info.channels };
  }
  return decoded;
}

/** `landscape` when wider than high, else `portrait` (Metis `ImageResourceMetadata`). */
export function orientationOf(width: number, height: number): 'landscape' | 'portrait' {
  return width > height ? 'landscape' : 'portrait';
}
