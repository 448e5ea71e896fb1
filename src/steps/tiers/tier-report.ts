/**
 * The Sandbox's record report (`GET /dataset/{id}/record/compute-tier-calculation`,
 * Metis `RecordTierCalculationView`): summary, content-tier breakdown and metadata-tier breakdown,
 * with Metis's JSON field names. Tiers are written as the Sandbox writes them elsewhere
 * ("0"–"4", "0"/"A"/"B"/"C"); media types use Metis's `MediaType` names (AUDIO, THREE_D).
 */
import type { TierResults } from './compute-tiers.ts';
import type { MediaType } from './media-type.ts';

export interface ProcessingError {
  errorMessage: string;
  stackTrace?: string;
}

export interface RecordTierReportOptions {
  europeanaRecordId: string;
  providerRecordId?: string;
  portalRecordLink?: string;
  /** Errors of the record's media processing (the Sandbox adds its MEDIA_PROCESS error log). */
  processingErrors?: ProcessingError[];
}

const metisMediaType = (t: MediaType | 'SOUND' | null): string | null =>
  t === 'SOUND' ? 'AUDIO' : t === '3D' ? 'THREE_D' : t;

/** Builds the record report from computed tiers. */
export function toRecordTierCalculationView(tiers: TierResults, opts: RecordTierReportOptions) {
  const c = tiers.content;
  const m = tiers.metadata;
  return {
    recordTierCalculationSummary: {
      europeanaRecordId: opts.europeanaRecordId,
      providerRecordId: opts.providerRecordId ?? null,
      contentTier: String(c.tier),
      metadataTier: m.tier,
      portalRecordLink: opts.portalRecordLink ?? null,
    },
    contentTierBreakdown: {
      recordType: metisMediaType(c.mediaType),
      licenseType: c.licenseType,
      thumbnailAvailable: c.thumbnailAvailable,
      landingPageAvailable: c.landingPageAvailable,
      embeddableMediaAvailable: c.embeddableMediaAvailable,
      mediaResource3DAvailable: c.mediaResource3DAvailable,
      mediaTierBeforeLicenseCorrection: String(c.beforeLicenseCorrection),
      mediaResourceTechnicalMetadataList: c.resources.map((r) => ({
        resourceUrl: r.resourceUrl,
        mediaType: metisMediaType(r.mediaType),
        mimeType: r.mimeType,
        elementLinkTypes: r.elementLinkTypes,
        licenseType: r.licenseType,
        mediaTier: String(r.mediaTier),
        mediaTierBeforeLicenseCorrection: String(r.mediaTierBeforeLicenseCorrection),
        ...(r.imageResolution !== undefined
          ? { imageResolution: r.imageResolution, imageResolutionTier: String(r.imageResolutionTier) }
          : {}),
        ...(r.verticalResolution !== undefined
          ? { verticalResolution: r.verticalResolution, verticalResolutionTier: String(r.verticalResolutionTier) }
          : {}),
      })),
      processingErrorsList: opts.processingErrors ?? [],
    },
    metadataTierBreakdown: {
      languageBreakdown: {
        qualifiedElements: m.language.qualifiedElements,
        qualifiedElementsWithLanguage: m.language.qualifiedElementsWithLanguage,
        qualifiedElementsWithLanguagePercentage: m.language.qualifiedElementsWithLanguagePercentage,
        qualifiedElementsWithoutLanguage: m.language.qualifiedElementsWithoutLanguage.length,
        qualifiedElementsWithoutLanguageList: m.language.qualifiedElementsWithoutLanguage,
        metadataTier: m.language.tier,
      },
      enablingElements: {
        distinctEnablingElementsList: m.enablingElements.distinctEnablingElements,
        metadataGroupsList: m.enablingElements.metadataGroups,
        metadataTier: m.enablingElements.tier,
      },
      contextualClasses: {
        completeContextualResources: m.contextualClasses.completeContextualResources,
        distinctClassesList: m.contextualClasses.distinctClassesOfCompleteContextualResources,
        metadataTier: m.contextualClasses.tier,
      },
    },
  };
}

export type RecordTierCalculationView = ReturnType<typeof toRecordTierCalculationView>;
