/**
 * Error groups by cause: the store groups messages by their exact text, so a media warning that names
 * its URL ("Problem while processing http://host/1/a.jpg (HTTP_STATUS 404)") makes one group per URL.
 * Here each URL in a message is replaced by its host, so such groups merge into one per cause and host
 * ("Problem while processing <http://host/…> (HTTP_STATUS 404)"), counts add up, and one URL is kept
 * as a sample.
 */
import type { ErrorGroup } from '../store/pipeline-store.ts';

export interface CauseGroup {
  step: ErrorGroup['step'];
  level: ErrorGroup['level'];
  /** The message with each URL replaced by `<scheme://host/…>`. */
  cause: string;
  /** Records (occurrences) in the merged groups. */
  count: number;
  /** Exact messages merged into this group. */
  messages: number;
  sampleIds: string[];
  /** A URL from one of the merged messages. */
  sampleUrl?: string;
}

// A URL in quotes or braces is a namespace (XSD messages name elements as "ns":local): it stays.
const URL_PATTERN = /(?<!["{])\bhttps?:\/\/[^\s"'<>)\]]+/gi;

/** The message with its URLs reduced to their scheme and host, and the first URL. */
export function causeOf(message: string): { cause: string; url?: string } {
  let url: string | undefined;
  const cause = message.replace(URL_PATTERN, (u) => {
    url ??= u;
    try {
      const parsed = new URL(u);
      return `<${parsed.protocol}//${parsed.host}/…>`;
    } catch {
      return u;
    }
  });
  return { cause, url };
}

/** Merges groups that differ only by URL (same step, level and cause); largest first. */
export function groupByCause(groups: readonly ErrorGroup[], maxSamples = 10): CauseGroup[] {
  const merged = new Map<string, CauseGroup>();
  for (const g of groups) {
    const { cause, url } = causeOf(g.message);
    const key = `${g.step}\u0000${g.level}\u0000${cause}`;
    const m = merged.get(key);
    if (!m) {
      merged.set(key, {
        step: g.step,
        level: g.level,
        cause,
        count: g.count,
        messages: 1,
        sampleIds: g.sampleIds.slice(0, maxSamples),
        ...(url !== undefined && { sampleUrl: url }),
      });
      continue;
    }
    m.count += g.count;
    m.messages++;
    for (const id of g.sampleIds)
      if (m.sampleIds.length < maxSamples && !m.sampleIds.includes(id)) m.sampleIds.push(id);
  }
  // Errors before warnings, then the largest; ties by cause so the order is stable.
  return [...merged.values()].sort(
    (a, b) =>
      (a.level === b.level ? 0 : a.level === 'error' ? -1 : 1) || b.count - a.count || a.cause.localeCompare(b.cause),
  );
}
