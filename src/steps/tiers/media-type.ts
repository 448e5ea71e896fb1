/** MIME type → media type (metis-schema `MediaType.getMediaType`). */

export type MediaType = 'IMAGE' | 'AUDIO' | 'VIDEO' | 'TEXT' | '3D' | 'OTHER';

const TEXT_APPLICATION_TYPES = [
  'application/xml',
  'application/rtf',
  'application/epub',
  'application/pdf',
  'application/xhtml+xml',
];

/** Classifies a base MIME type (already without parameters); null or unknown → OTHER. */
export function mediaTypeOf(mime: string | null): MediaType {
  if (!mime) return 'OTHER';
  const m = mime.toLowerCase();
  // 3D first: some 3D formats live under image/ and application/.
  if (m.startsWith('model/') || m.startsWith('application/vnd.las') || m.startsWith('image/vnd.dxf')) return '3D';
  if (m.startsWith('image/')) return 'IMAGE';
  if (m.startsWith('audio/')) return 'AUDIO';
  if (m.startsWith('video/') || m === 'application/dash+xml') return 'VIDEO';
  if (m.startsWith('text/')) return 'TEXT';
  if (TEXT_APPLICATION_TYPES.some((t) => m === t || m.startsWith(`${t}+`))) return 'TEXT';
  return 'OTHER';
}
