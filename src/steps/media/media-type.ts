/**
 * MIME types: which media type a MIME type belongs to (metis-schema `MediaType`), and detection of
 * the real type of a resource from its bytes, its name and the Content-Type it was served with
 * (a small stand-in for Apache Tika plus Metis's `custom-mimetypes.xml` for 3D formats).
 */
import { fileTypeFromBuffer } from 'file-type';

export type MediaType = 'IMAGE' | 'AUDIO' | 'VIDEO' | 'TEXT' | '3D' | 'OTHER';

/** The MIME type without parameters, lower-cased (`Text/HTML; charset=x` → `text/html`). */
export function baseMimeType(contentType: string | undefined): string | undefined {
  const base = contentType?.split(';')[0].trim().toLowerCase();
  return base ? base : undefined;
}

const TEXT_APPLICATION_TYPES = [
  'application/xml',
  'application/rtf',
  'application/epub',
  'application/pdf',
  'application/xhtml+xml',
];

/** Media type by MIME (metis-schema MediaType.getMediaType). */
export function mediaTypeOf(mimeType: string | undefined): MediaType {
  const mime = baseMimeType(mimeType);
  if (!mime) return 'OTHER';
  if (mime.startsWith('model/') || mime.startsWith('application/vnd.las') || mime.startsWith('image/vnd.dxf'))
    return '3D';
  if (mime.startsWith('image/')) return 'IMAGE';
  if (mime.startsWith('audio/')) return 'AUDIO';
  if (mime.startsWith('video/') || mime === 'application/dash+xml') return 'VIDEO';
  if (mime.startsWith('text/')) return 'TEXT';
  // `application/pdf`, and suffixed variants such as `application/epub+zip`.
  const withoutSuffix = mime.replace(/\+[^/]*$/, '');
  if (TEXT_APPLICATION_TYPES.some((t) => mime === t || withoutSuffix === t)) return 'TEXT';
  return 'OTHER';
}

/** True when processing a resource of this MIME type needs its content downloaded (images, text/PDF, oEmbed JSON/XML, DASH manifests). */
export function needsContent(mimeType: string | undefined, oEmbedService = false): boolean {
  const mime = baseMimeType(mimeType);
  if (mime === 'application/dash+xml') return true;
  if (oEmbedService && (mime === 'application/json' || mime?.endsWith('/xml') || mime === 'text/plain')) return true;
  const type = mediaTypeOf(mime);
  return type === 'IMAGE' || type === 'TEXT';
}

/** Extension → MIME, for formats without magic bytes (Metis `custom-mimetypes.xml` globs, plus a few common ones). */
const BY_EXTENSION: Record<string, string> = {
  dxf: 'image/vnd.dxf',
  obj: 'model/obj',
  dae: 'model/vnd.collada+xml',
  iges: 'model/iges',
  igs: 'model/iges',
  stp: 'model/step',
  step: 'model/step',
  p21: 'model/step',
  stpz: 'model/step+zip',
  vrml: 'model/vrml',
  wrl: 'model/vrml',
  x3d: 'model/x3d+xml',
  x3dv: 'model/x3d-vrml',
  gltf: 'model/gltf+json',
  glb: 'model/gltf-binary',
  usda: 'model/vnd.usda',
  usdz: 'model/vnd.usdz+zip',
  stl: 'model/stl',
  e57: 'model/e57',
  las: 'application/vnd.las',
  laz: 'application/vnd.laszip',
  mpd: 'application/dash+xml',
  json: 'application/json',
  xml: 'application/xml',
  html: 'text/html',
  htm: 'text/html',
  txt: 'text/plain',
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  mp3: 'audio/mpeg',
  mp4: 'video/mp4',
};

/** Text signatures at offset 0 (from `custom-mimetypes.xml` and Tika's own magic). */
const TEXT_MAGIC: Array<[string, string]> = [
  ['#VRML V', 'model/vrml'],
  ['#X3D V', 'model/x3d-vrml'],
  ['ISO-10303-21;', 'model/step'],
  ['#usda', 'model/vnd.usda'],
  ['glTF', 'model/gltf-binary'],
  ['ASTM-E57', 'model/e57'],
  ['%PDF-', 'application/pdf'],
];

/** Types that only say "some text / some XML / some archive"; a name or a hint may refine them. */
const GENERIC = new Set([
  'text/plain',
  'application/xml',
  'application/zip',
  'application/gzip',
  'application/octet-stream',
]);

export interface DetectInput {
  /** The content, or at least its first few kilobytes. */
  bytes?: Buffer;
  /** The file name (Content-Disposition) or the last URL path segment. */
  fileName?: string;
  /** The Content-Type the server sent. */
  contentTypeHint?: string;
}

/**
 * Detects the MIME type: a specific magic-byte match wins; a generic match (text, XML, zip) is
 * refined by the file extension and then by the served Content-Type when they are compatible
 * with it; without bytes, the extension and then the hint decide.
 */
export async function detectMimeType(input: DetectInput): Promise<string> {
  const magic = input.bytes && input.bytes.length > 0 ? await sniff(input.bytes) : undefined;
  if (magic && !GENERIC.has(magic)) return magic;
  const ext = input.fileName?.toLowerCase().match(/\.([a-z0-9]+)$/)?.[1];
  const byName = ext ? BY_EXTENSION[ext] : undefined;
  const hint = baseMimeType(input.contentTypeHint);
  for (const candidate of [byName, hint]) {
    if (candidate && candidate !== 'application/octet-stream' && compatible(magic, candidate)) return candidate;
  }
  return magic ?? 'application/octet-stream';
}

function compatible(generic: string | undefined, candidate: string): boolean {
  if (!generic || generic === 'application/octet-stream') return true;
  const binaryMedia =
    (candidate.startsWith('image/') && candidate !== 'image/svg+xml' && candidate !== 'image/vnd.dxf') ||
    candidate.startsWith('audio/') ||
    candidate.startsWith('video/') ||
    candidate === 'application/pdf';
  if (generic === 'text/plain') return !binaryMedia && !candidate.endsWith('+zip') && candidate !== 'model/gltf-binary';
  if (generic === 'application/xml') return candidate.endsWith('+xml') || candidate.endsWith('/xml');
  if (generic === 'application/zip') return candidate.endsWith('+zip') || candidate === 'application/epub+zip';
  if (generic === 'application/gzip') return candidate === 'model/step+zip';
  return false;
}

async function sniff(bytes: Buffer): Promise<string | undefined> {
  const head = bytes.subarray(0, 64).toString('latin1');
  for (const [signature, mime] of TEXT_MAGIC) if (head.startsWith(signature)) return mime;
  if (head.startsWith('LASF')) return 'application/vnd.las';
  const found = await fileTypeFromBuffer(bytes).catch(() => undefined);
  // file-type stops at "some XML"; the root element tells DASH, COLLADA, X3D and SVG apart.
  if (found && found.mime !== 'application/xml')
    return found.mime === 'application/x-gzip' ? 'application/gzip' : found.mime;
  return sniffText(bytes) ?? found?.mime;
}

/** Recognises text formats by their first characters; undefined for binary data. */
function sniffText(bytes: Buffer): string | undefined {
  const sample = bytes.subarray(0, 4096);
  if (sample.includes(0)) return undefined;
  const text = sample
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .trimStart();
  const lower = text.slice(0, 1024).toLowerCase();
  if (lower.startsWith('<!doctype html') || /^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<html[\s>]/.test(lower))
    return 'text/html';
  if (lower.startsWith('<')) {
    const root = /<([a-zA-Z_][\w.:-]*)[\s>/]/.exec(
      text.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>/g, ''),
    )?.[1];
    if (root === 'COLLADA') return 'model/vnd.collada+xml';
    if (root === 'X3D') return 'model/x3d+xml';
    if (root === 'MPD') return 'application/dash+xml';
    if (root === 'svg') return 'image/svg+xml';
    if (root) return 'application/xml';
  }
  if (/^solid\s/.test(text) && /facet\s+normal/.test(text)) return 'model/stl';
  return 'text/plain';
}

/** The last path segment of a URL (what Tika gets as the resource name). */
export function fileNameOf(url: string, contentDisposition?: string): string | undefined {
  const fromHeader = contentDisposition && /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(contentDisposition)?.[1];
  if (fromHeader) return decodeURIComponentSafe(fromHeader);
  try {
    const segment = new URL(url).pathname.split('/').pop();
    return segment ? decodeURIComponentSafe(segment) : undefined;
  } catch {
    return undefined;
  }
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
