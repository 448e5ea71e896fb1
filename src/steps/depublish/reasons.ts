/** Depublication reasons (metis-common `DepublicationReason`): code, title and vocabulary URI. */

export const DEPUBLICATION_REASON_BASE = 'http://data.europeana.eu/vocabulary/depublicationReason/';

export const DEPUBLICATION_REASONS = {
  BROKEN_MEDIA_LINKS: { title: 'Broken media links', uriSuffix: 'contentTier0' },
  GDPR: { title: 'GDPR', uriSuffix: 'gdpr' },
  PERMISSION_ISSUES: { title: 'Permission issues', uriSuffix: 'noPermission' },
  SENSITIVE_CONTENT: { title: 'Sensitive content', uriSuffix: 'sensitiveContent' },
  REMOVED_DATA_AT_SOURCE: { title: 'Removed data at source', uriSuffix: 'sourceRemoval' },
  GENERIC: { title: 'Generic', uriSuffix: 'generic' },
  LEGACY: { title: 'Legacy', uriSuffix: 'legacy' },
} as const;

export type DepublicationReason = keyof typeof DEPUBLICATION_REASONS;

export function isDepublicationReason(value: string): value is DepublicationReason {
  return Object.hasOwn(DEPUBLICATION_REASONS, value);
}

/** The reason's vocabulary URI, e.g. `…/depublicationReason/gdpr`. */
export function depublicationReasonUri(reason: DepublicationReason): string {
  return DEPUBLICATION_REASON_BASE + DEPUBLICATION_REASONS[reason].uriSuffix;
}
