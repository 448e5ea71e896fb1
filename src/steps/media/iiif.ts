/**
 * IIIF Image API services (Metis `IIIFProcessor`): read `{service}/info.json` (v2 or v3), take
 * width and height from it, and pick a small rendition `{id}/full/!400,400/0/default.{format}`
 * to download instead of the full image.
 */
import { z } from 'zod';
import { errors } from '../../errors/index.ts';

const V2_CONTEXT = 'http://iiif.io/api/image/2/context.json';
const V3_CONTEXT = 'http://iiif.io/api/image/3/context.json';
const FORMAT_PRIORITY = ['jpg', 'png', 'gif', 'webp'];

const context = z.union([z.string(), z.array(z.string())]);
const profileEntry = z.union([z.string(), z.object({ formats: z.array(z.string()).optional() }).passthrough()]);

const infoJsonSchema = z
  .object({
    '@context': context,
    '@id': z.string().optional(),
    id: z.string().optional(),
    width: z.number().int().positive(),
    height: z.number().int().positive(),
    profile: z.union([profileEntry, z.array(profileEntry)]).optional(),
    preferredFormats: z.array(z.string()).optional(),
    extraFormats: z.array(z.string()).optional(),
  })
  .passthrough();

export interface IiifInfo {
  version: 2 | 3;
  id: string;
  width: number;
  height: number;
  /** Formats the service declares (may be empty: then only the mandatory jpg is assumed). */
  formats: string[];
}

/** The info.json URL of a service (`{service}/info.json`, no doubled slash). */
export function infoJsonUrl(serviceUrl: string): string {
  return `${serviceUrl.replace(/\/+$/, '')}/info.json`;
}

/** Parses and checks an info.json document; throws with a reason when it is not a v2/v3 image service. */
export function parseInfoJson(json: unknown): IiifInfo {
  const info = infoJsonSchema.parse(json);
  const contexts = Array.isArray(info['@context']) ? info['@context'] : [info['@context']];
  const version = contexts.includes(V3_CONTEXT) ? 3 : contexts.includes(V2_CONTEXT) ? 2 : undefined;
  if (!version) throw errors.MEDIA_UNSUPPORTED({ detail: `Unsupported IIIF context: ${contexts.join(', ')}` });
  const id = version === 3 ? (info.id ?? info['@id']) : (info['@id'] ?? info.id);
  if (!id) throw errors.MEDIA_UNSUPPORTED({ detail: 'IIIF info.json has no id' });
  const formats: string[] = [];
  const profiles = info.profile === undefined ? [] : Array.isArray(info.profile) ? info.profile : [info.profile];
  for (const p of profiles) if (typeof p === 'object' && p.formats) formats.push(...p.formats);
  formats.push(...(info.preferredFormats ?? []), ...(info.extraFormats ?? []));
  return { version, id, width: info.width, height: info.height, formats };
}

/** The URL of the small rendition: the first of jpg, png, gif, webp that the service declares (jpg when none is declared). */
export function renditionUrl(info: IiifInfo): string {
  const format = FORMAT_PRIORITY.find((f) => info.formats.includes(f)) ?? 'jpg';
  return `${info.id.replace(/\/+$/, '')}/full/!400,400/0/default.${format}`;
}
