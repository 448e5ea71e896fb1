/**
 * Content tier ("media tier", 0–4) with its Sandbox breakdown (metis-steps.md §14.1; Metis
 * `MediaClassifier` and its per-type classifiers). Resources are the `edm:WebResource`s linked by
 * `edm:hasView` / `edm:isShownBy`; each gets a tier from its media, capped by its licence (its own
 * `edm:rights`, else the record's, else CLOSED); the record takes the highest.
 */
import { isEmbeddableMediaUrl, isOembedMimeType } from './embeddable-media.ts';
import {
  aggregationLinks,
  firstValue,
  mimeTypeOf,
  numberOf,
  propertiesOf,
  type EdmView,
  type LinkType,
  type WebResource,
} from './edm-view.ts';
import { licenseCap, licenseTypeOf, type LicenseType } from './license.ts';
import { mediaTypeOf, type MediaType } from './media-type.ts';

export type ContentTier = 0 | 1 | 2 | 3 | 4;
/** `edm:type` values. */
export type RecordType = 'TEXT' | 'IMAGE' | 'SOUND' | 'VIDEO' | '3D';

const RECORD_TYPES: readonly string[] = ['TEXT', 'IMAGE', 'SOUND', 'VIDEO', '3D'];

/** One classified web resource, as the Sandbox's "media resources" table shows it. */
export interface MediaResourceTier {
  resourceUrl: string;
  mediaType: MediaType;
  mimeType: string | null;
  elementLinkTypes: LinkType[];
  licenseType: LicenseType;
  mediaTier: ContentTier;
  mediaTierBeforeLicenseCorrection: ContentTier;
  /** width × height, for image resources of IMAGE/TEXT records. */
  imageResolution?: number;
  imageResolutionTier?: ContentTier;
  /** ebucore:height, for VIDEO records. */
  verticalResolution?: number;
  verticalResolutionTier?: ContentTier;
}

export interface ContentTierResult {
  tier: ContentTier;
  beforeLicenseCorrection: ContentTier;
  /** The record's single edm:type (null when absent or ambiguous: tier 0). */
  mediaType: RecordType | null;
  /** Record licence (first categorizable aggregation edm:rights); CLOSED when none. */
  licenseType: LicenseType;
  thumbnailAvailable: boolean;
  landingPageAvailable: boolean;
  embeddableMediaAvailable: boolean;
  mediaResource3DAvailable: boolean;
  /** Classified resources, highest tier first. */
  resources: MediaResourceTier[];
}

/** The single distinct edm:type over all proxies, or null (none, several, or unknown). */
export function recordTypeOf(view: EdmView): RecordType | null {
  const types = new Set<string>();
  for (const p of view.proxies) for (const v of p.values) if (v.name === 'edm:type' && v.text) types.add(v.text);
  if (types.size !== 1) return null;
  const [t] = types;
  return RECORD_TYPES.includes(t) ? (t as RecordType) : null;
}

/** Record licence: the first aggregation carrying an edm:rights link (null when none). */
export function recordLicenseOf(view: EdmView): LicenseType | null {
  for (const agg of view.aggregations) {
    const rights = firstValue(propertiesOf(agg), 'edm:rights');
    if (rights?.resource) return licenseTypeOf(rights.resource);
  }
  return null;
}

/** edm:preview is set and its web resource has technical metadata (a LARGE thumbnail was made). */
export function hasThumbnails(view: EdmView): boolean {
  if (!view.europeanaAggregation) return false;
  const preview = firstValue(propertiesOf(view.europeanaAggregation), 'edm:preview')?.resource;
  return !!preview && mimeTypeOf(view.webResources.get(preview)) !== null;
}

/** The web resource linked by edm:isShownAt was reached by media processing. */
export function hasLandingPage(view: EdmView, links = aggregationLinks(view)): boolean {
  for (const [url, types] of links) {
    if (types.has('IS_SHOWN_AT') && mimeTypeOf(view.webResources.get(url)) !== null) return true;
  }
  return false;
}

/** isShownBy on the embeddable-media URL list, or any web resource with an oEmbed MIME type. */
export function hasEmbeddableMedia(view: EdmView, links = aggregationLinks(view)): boolean {
  for (const [url, types] of links) if (types.has('IS_SHOWN_BY') && isEmbeddableMediaUrl(url)) return true;
  for (const wr of view.webResources.values()) if (isOembedMimeType(mimeTypeOf(wr))) return true;
  return false;
}

function resolutionTier(pixels: number): ContentTier {
  if (pixels >= 950_000) return 4;
  if (pixels >= 420_000) return 2;
  if (pixels >= 100_000) return 1;
  return 0;
}

interface Flags {
  landingPage: boolean;
  embeddable: boolean;
}

/** Per-type media tier of one resource, before the licence cap, plus its resolution facts. */
function classifyResource(
  type: RecordType,
  wr: WebResource,
  flags: Flags,
): Pick<
  MediaResourceTier,
  | 'mediaTierBeforeLicenseCorrection'
  | 'imageResolution'
  | 'imageResolutionTier'
  | 'verticalResolution'
  | 'verticalResolutionTier'
> {
  const mime = mimeTypeOf(wr);
  const mediaType = mediaTypeOf(mime);
  const pixels = numberOf(wr, 'ebucore:width') * numberOf(wr, 'ebucore:height');
  switch (type) {
    case 'IMAGE': {
      const tier = mediaType === 'IMAGE' ? resolutionTier(pixels) : 0;
      return {
        mediaTierBeforeLicenseCorrection: tier,
        imageResolution: pixels,
        imageResolutionTier: resolutionTier(pixels),
      };
    }
    case 'TEXT': {
      const resolution = mediaType === 'IMAGE' ? pixels : 0;
      let tier: ContentTier;
      if ((mime !== null && mime.startsWith('application/pdf')) || resolution >= 950_000) tier = 4;
      else if (resolution >= 420_000) tier = 2;
      else if (flags.landingPage || resolution >= 100_000) tier = 1;
      else tier = 0;
      return mediaType === 'IMAGE'
        ? {
            mediaTierBeforeLicenseCorrection: tier,
            imageResolution: pixels,
            imageResolutionTier: resolutionTier(pixels),
          }
        : { mediaTierBeforeLicenseCorrection: tier };
    }
    case 'SOUND': {
      const tier: ContentTier = flags.embeddable || mediaType === 'AUDIO' ? 4 : flags.landingPage ? 1 : 0;
      return { mediaTierBeforeLicenseCorrection: tier };
    }
    case 'VIDEO': {
      const height = numberOf(wr, 'ebucore:height');
      const isVideo = mime !== null && mime.startsWith('video');
      const tier: ContentTier =
        (isVideo && height >= 480) || flags.embeddable ? 4 : isVideo || flags.landingPage ? 1 : 0;
      return {
        mediaTierBeforeLicenseCorrection: tier,
        verticalResolution: height,
        verticalResolutionTier: isVideo && height >= 480 ? 4 : 0,
      };
    }
    case '3D': {
      const tier: ContentTier =
        mime !== null && !mime.startsWith('image/') && !mime.startsWith('application/pdf') ? 4 : 0;
      return { mediaTierBeforeLicenseCorrection: tier };
    }
  }
}

/** Tier of a record whose type has no hasView/isShownBy web resources. */
function tierWithoutResources(type: RecordType, flags: Flags): ContentTier {
  return type === 'IMAGE' ? 0 : flags.landingPage ? 1 : 0;
}

/** Computes the content tier and its breakdown (metis-steps.md §14.1). */
export function computeContentTier(view: EdmView): ContentTierResult {
  const links = aggregationLinks(view);
  const license = recordLicenseOf(view);
  const type = recordTypeOf(view);
  const thumbnailAvailable = hasThumbnails(view);
  const flags: Flags = { landingPage: hasLandingPage(view, links), embeddable: hasEmbeddableMedia(view, links) };
  const base = {
    mediaType: type,
    licenseType: license ?? ('CLOSED' as LicenseType),
    thumbnailAvailable,
    landingPageAvailable: flags.landingPage,
    embeddableMediaAvailable: flags.embeddable,
  };
  // No single edm:type, or an IMAGE without thumbnail: tier 0 with an empty resource list.
  if (type === null || (type === 'IMAGE' && !thumbnailAvailable)) {
    return { ...base, tier: 0, beforeLicenseCorrection: 0, mediaResource3DAvailable: false, resources: [] };
  }
  const resources: MediaResourceTier[] = [];
  // Web resources in document order (as Metis iterates them), kept when linked by hasView/isShownBy.
  for (const [url, wr] of view.webResources) {
    const types = links.get(url);
    if (!types || (!types.has('HAS_VIEW') && !types.has('IS_SHOWN_BY'))) continue;
    const own = firstValue(wr.values, 'edm:rights')?.resource;
    const licenseType = own ? licenseTypeOf(own) : (license ?? 'CLOSED');
    const classified = classifyResource(type, wr, flags);
    const mime = mimeTypeOf(wr);
    resources.push({
      resourceUrl: url,
      mediaType: mediaTypeOf(mime),
      mimeType: mime,
      elementLinkTypes: [...types],
      licenseType,
      mediaTier: Math.min(classified.mediaTierBeforeLicenseCorrection, licenseCap(licenseType)) as ContentTier,
      ...classified,
    });
  }
  // Stable sort: the first resource with the highest corrected tier decides both tiers.
  resources.sort((a, b) => b.mediaTier - a.mediaTier);
  let tier: ContentTier;
  let beforeLicenseCorrection: ContentTier;
  if (resources.length === 0) {
    tier = beforeLicenseCorrection = tierWithoutResources(type, flags);
  } else {
    tier = resources[0].mediaTier;
    beforeLicenseCorrection = resources[0].mediaTierBeforeLicenseCorrection;
  }
  return { ...base, tier, beforeLicenseCorrection, mediaResource3DAvailable: type === '3D' && tier > 1, resources };
}
