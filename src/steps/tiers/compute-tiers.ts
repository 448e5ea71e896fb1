/**
 * `computeTiers`: the record tiers Metis computes at indexing time (metis-steps.md §14): the
 * content tier with its breakdown, the metadata tier over provider proxies (the record's metadata
 * tier, shown in the Sandbox) and over all proxies (written on the Europeana aggregation).
 */
import type { XmlDocument } from '../../edm/xml.ts';
import { computeContentTier, type ContentTierResult } from './content-tier.ts';
import { createEdmView, type EdmView } from './edm-view.ts';
import type { LicenseType } from './license.ts';
import { computeMetadataTier, type MetadataTierResult } from './metadata-tier.ts';

export interface TierResults {
  content: ContentTierResult;
  /** Over provider proxies: the record's metadata tier. */
  metadata: MetadataTierResult;
  /** Over all proxies, including Europeana-proxy enrichment links. */
  metadataAllProxies: MetadataTierResult;
  license: LicenseType;
}

/** Computes all tiers of a fully processed EDM-internal record (XML text, parsed tree, or view). */
export function computeTiers(record: string | Buffer | XmlDocument | EdmView): TierResults {
  const view =
    typeof record === 'object' && 'proxies' in record ? record : createEdmView(record as string | Buffer | XmlDocument);
  const content = computeContentTier(view);
  return {
    content,
    metadata: computeMetadataTier(view, 'PROVIDER_PROXIES'),
    metadataAllProxies: computeMetadataTier(view, 'ALL_PROXIES'),
    license: content.licenseType,
  };
}

/** One row of the Sandbox's `GET /dataset/{id}/records-tiers` answer. */
export interface SandboxTierRow {
  'record-id': string;
  'content-tier': string;
  'content-tier-before-license-correction': string;
  license: LicenseType;
  'metadata-tier': string;
  'metadata-tier-language': string;
  'metadata-tier-enabling-elements': string;
  'metadata-tier-contextual-classes': string;
}

/** Formats tiers as the Sandbox's records-tiers row. */
export function toSandboxTierRow(recordId: string, tiers: TierResults): SandboxTierRow {
  return {
    'record-id': recordId,
    'content-tier': String(tiers.content.tier),
    'content-tier-before-license-correction': String(tiers.content.beforeLicenseCorrection),
    license: tiers.license,
    'metadata-tier': tiers.metadata.tier,
    'metadata-tier-language': tiers.metadata.language.tier,
    'metadata-tier-enabling-elements': tiers.metadata.enablingElements.tier,
    'metadata-tier-contextual-classes': tiers.metadata.contextualClasses.tier,
  };
}
