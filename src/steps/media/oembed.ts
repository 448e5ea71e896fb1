/**
 * oEmbed responses (Metis `OEmbedProcessor`): a JSON or XML document whose `version` is 1.0 and
 * whose `type` says what it embeds; photos and videos yield image / video metadata.
 */
import { z } from 'zod';
import { childElements, parseXml, textContent } from '../../edm/xml.ts';

const numeric = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^\d+(\.\d+)?$/)
    .transform(Number),
]);

const oEmbedSchema = z
  .object({
    type: z.enum(['photo', 'video', 'link', 'rich']),
    version: z.literal('1.0'),
    width: numeric.optional(),
    height: numeric.optional(),
    duration: numeric.optional(),
    url: z.string().optional(),
    thumbnail_url: z.string().optional(),
  })
  .passthrough();

export interface OEmbedInfo {
  type: 'photo' | 'video' | 'link' | 'rich';
  /** `application/json+oembed` or `application/xml+oembed`. */
  mimeType: string;
  width?: number;
  height?: number;
  /** Seconds, as oEmbed gives it. */
  duration?: number;
}

/** Parses an oEmbed response; returns undefined when the content is not a valid oEmbed document. */
export function parseOEmbed(bytes: Buffer, detectedMime: string): OEmbedInfo | undefined {
  const text = bytes.toString('utf8').trim();
  let candidate: unknown;
  let mimeType: string;
  if (detectedMime.includes('json') || text.startsWith('{')) {
    mimeType = 'application/json+oembed';
    try {
      candidate = JSON.parse(text);
    } catch {
      return undefined;
    }
  } else if (detectedMime.includes('xml') || text.startsWith('<')) {
    mimeType = 'application/xml+oembed';
    try {
      const { root } = parseXml(text);
      if (root.local !== 'oembed') return undefined;
      const fields: Record<string, string> = {};
      for (const c of childElements(root)) fields[c.local] = textContent(c).trim();
      candidate = fields;
    } catch {
      return undefined;
    }
  } else {
    return undefined;
  }
  const parsed = oEmbedSchema.safeParse(candidate);
  if (!parsed.success) return undefined;
  const { type, width, height, duration } = parsed.data;
  return { type, mimeType, width, height, duration };
}
