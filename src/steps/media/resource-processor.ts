/**
 * Processes one resource (Metis `MediaExtractorImpl` and its processors): download what is
 * needed, detect the real MIME type, and extract metadata and thumbnails by media type.
 * Throws on any problem with the resource; the caller turns that into a record warning.
 */
import type { OpenResponse, SafeFetcher } from '../http/safe-fetch.ts';
import { factsFromDashManifest, probeAudioVideo, type AudioVideoFacts } from './audio-video.ts';
import { analyseImage, orientationOf, type ImageAnalysis, type ImageOptions, type Thumbnail } from './image.ts';
import { infoJsonUrl, parseInfoJson, renditionUrl } from './iiif.ts';
import type { MediaRelay } from './media-relay.ts';
import type { MediaThreads } from './media-threads.ts';
import { baseMimeType, detectMimeType, fileNameOf, mediaTypeOf, needsContent, type MediaType } from './media-type.ts';
import { parseOEmbed } from './oembed.ts';
import { analysePdf } from './pdf.ts';
import { processingModeOf, type MediaResource } from './resources.ts';
import type { EdmType, ResourceMetadata } from './web-resource-writer.ts';
import { errors } from '../../errors/index.ts';

export interface ResourceContext {
  fetcher: SafeFetcher;
  /** Lets ffprobe read through the safe fetcher. */
  relay: MediaRelay;
  /** `REDUCED` caps every resource at REDUCED (MIME type and size only). */
  mode: 'FULL' | 'REDUCED';
  maxInputPixels: number;
  imageTimeoutSeconds: number;
  ffprobeTimeoutMs: number;
  pdfTimeoutMs: number;
  /** Cancels downloads and tools of this record. */
  signal?: AbortSignal;
  /** Where images are analysed; in this thread without. */
  threads?: MediaThreads;
}

/** Analyses an image in the media threads when there are some; `bytes` is not used by the caller afterwards. */
function analyse(ctx: ResourceContext, bytes: Buffer, resourceUrl: string, options: ImageOptions): Promise<ImageAnalysis> {
  return ctx.threads
    ? ctx.threads.analyseImage(bytes, resourceUrl, options, { handOver: true })
    : analyseImage(bytes, resourceUrl, options);
}

export interface ResourceResult {
  /** Undefined when the resource's type is not processed (Metis returns no metadata then). */
  metadata?: ResourceMetadata;
  thumbnails: Thumbnail[];
  detectedMimeType?: string;
}

/** Bytes read to detect the type of a resource whose content is not needed. */
const SNIFF_BYTES = 8192;

const EDM_TYPES: Record<MediaType, EdmType | undefined> = {
  IMAGE: 'IMAGE',
  AUDIO: 'SOUND',
  VIDEO: 'VIDEO',
  TEXT: 'TEXT',
  '3D': '3D',
  OTHER: undefined,
};

/**
 * Processes one resource. `mainThumbnailAvailable`: the edm:object already produced a thumbnail,
 * so a PDF that is isShownBy gets none.
 */
export async function processResource(
  resource: MediaResource,
  ctx: ResourceContext,
  mainThumbnailAvailable: boolean,
): Promise<ResourceResult> {
  const mode = ctx.mode === 'REDUCED' ? 'REDUCED' : processingModeOf(resource);
  if (mode === 'NONE') return { thumbnails: [] };
  if (mode === 'REDUCED') return reduced(resource, ctx);
  if (resource.kind === 'IIIF') return iiif(resource, ctx);
  return standard(resource, ctx, mainThumbnailAvailable);
}

async function reduced(resource: MediaResource, ctx: ResourceContext): Promise<ResourceResult> {
  const res = await ctx.fetcher.open(resource.url, { signal: ctx.signal });
  const prefix = await res.readPrefix(SNIFF_BYTES);
  const mimeType = await detect(res, prefix);
  const edmType = EDM_TYPES[mediaTypeOf(mimeType)];
  if (!edmType) return { thumbnails: [], detectedMimeType: mimeType };
  return {
    metadata: { mimeType, fileByteSize: res.contentLength, edmType },
    thumbnails: [],
    detectedMimeType: mimeType,
  };
}

async function detect(res: OpenResponse, bytes: Buffer): Promise<string> {
  return detectMimeType({
    bytes,
    fileName: fileNameOf(res.url, res.headers['content-disposition']),
    contentTypeHint: res.contentType,
  });
}

async function standard(
  resource: MediaResource,
  ctx: ResourceContext,
  mainThumbnailAvailable: boolean,
): Promise<ResourceResult> {
  const oEmbed = resource.kind === 'OEMBEDDED';
  const res = await ctx.fetcher.open(resource.url, { signal: ctx.signal });
  // Download the content only when the *provided* type needs it (Metis never downloads audio, video or 3D).
  let content = needsContent(res.contentType, oEmbed) ? await res.readAll() : undefined;
  const sniffed = content ?? (await res.readPrefix(SNIFF_BYTES));
  const mimeType = await detect(res, sniffed);
  if (!content && needsContent(mimeType, oEmbed))
    content = (await ctx.fetcher.fetchBytes(resource.url, { signal: ctx.signal })).body;
  const size = content?.length ?? res.contentLength;
  const base = { detectedMimeType: mimeType };

  if (oEmbed && content) {
    const info = parseOEmbed(content, mimeType);
    if (info?.type === 'photo' || info?.type === 'video') {
      const dims = { width: info.width, height: info.height };
      const metadata: ResourceMetadata =
        info.type === 'photo'
          ? {
              mimeType: info.mimeType,
              fileByteSize: size,
              edmType: 'IMAGE',
              ...dims,
              orientation: dims.width && dims.height ? orientationOf(dims.width, dims.height) : undefined,
            }
          : {
              mimeType: info.mimeType,
              fileByteSize: size,
              edmType: 'VIDEO',
              ...dims,
              duration: info.duration === undefined ? undefined : Math.round(info.duration * 1000),
            };
      return { ...base, metadata, thumbnails: [] };
    }
    if (info) return { ...base, metadata: { mimeType: info.mimeType, fileByteSize: size }, thumbnails: [] };
    // Not oEmbed after all: handled as whatever it is (Metis falls back to the text processor).
  }

  const mediaType = mediaTypeOf(mimeType);
  switch (mediaType) {
    case 'IMAGE': {
      if (!content)
        throw errors.MEDIA_UNSUPPORTED({
          detail: 'File content is not downloaded and mimeType does not support processing without a downloaded file.',
        });
      const image = await analyse(ctx, content, resource.url, {
        pngThumbnails: baseMimeType(mimeType) === 'image/png',
        inputMimeType: mimeType,
        maxInputPixels: ctx.maxInputPixels,
        timeoutSeconds: ctx.imageTimeoutSeconds,
      });
      return {
        ...base,
        metadata: imageMetadata(mimeType, size, image.width, image.height, image),
        thumbnails: image.thumbnails,
      };
    }
    case 'TEXT':
      return text(resource, ctx, mimeType, content, size, mainThumbnailAvailable);
    case 'AUDIO':
    case 'VIDEO': {
      let facts: AudioVideoFacts;
      if (baseMimeType(mimeType) === 'application/dash+xml') {
        facts = factsFromDashManifest(content!);
      } else {
        const exposed = ctx.relay.expose(resource.url);
        try {
          facts = await probeAudioVideo(exposed.url, ctx.ffprobeTimeoutMs, ctx.signal, ctx.threads?.runTool);
        } finally {
          exposed.release();
        }
      }
      return { ...base, metadata: audioVideoMetadata(mimeType, facts, size), thumbnails: [] };
    }
    case '3D':
      return {
        ...base,
        metadata: { mimeType, fileByteSize: res.contentLength ?? size, edmType: '3D' },
        thumbnails: [],
      };
    default:
      return { ...base, thumbnails: [] };
  }
}

async function iiif(resource: MediaResource, ctx: ResourceContext): Promise<ResourceResult> {
  const { body: infoBytes } = await ctx.fetcher.fetchBytes(infoJsonUrl(resource.serviceUrl!), { signal: ctx.signal });
  const info = parseInfoJson(JSON.parse(infoBytes.toString('utf8')));
  const { response, body } = await ctx.fetcher.fetchBytes(renditionUrl(info), { signal: ctx.signal });
  const mimeType = await detect(response, body);
  if (mediaTypeOf(mimeType) !== 'IMAGE')
    throw errors.MEDIA_UNSUPPORTED({ detail: `IIIF rendition is not an image: ${mimeType}` });
  const size = body.length;
  const image = await analyse(ctx, body, resource.url, {
    pngThumbnails: mimeType === 'image/png',
    inputMimeType: mimeType,
    maxInputPixels: ctx.maxInputPixels,
    timeoutSeconds: ctx.imageTimeoutSeconds,
  });
  // Width and height of the real image come from info.json, not from the small rendition.
  return {
    detectedMimeType: mimeType,
    metadata: imageMetadata(mimeType, size, info.width, info.height, image),
    thumbnails: image.thumbnails,
  };
}

async function text(
  resource: MediaResource,
  ctx: ResourceContext,
  mimeType: string,
  content: Buffer | undefined,
  size: number | undefined,
  mainThumbnailAvailable: boolean,
): Promise<ResourceResult> {
  const base = baseMimeType(mimeType)!;
  if (base !== 'application/pdf') {
    const containsText = base.startsWith('text/') || base === 'application/xhtml+xml';
    return {
      detectedMimeType: mimeType,
      metadata: { mimeType, fileByteSize: size, edmType: 'TEXT', containsText },
      thumbnails: [],
    };
  }
  if (!content)
    throw errors.MEDIA_UNSUPPORTED({
      detail: 'File content is not downloaded and mimeType does not support processing without a downloaded file.',
    });
  const skipThumbnail = mainThumbnailAvailable && resource.linkTypes.has('IS_SHOWN_BY');
  const pdf = await analysePdf(content, {
    renderFirstPage: !skipThumbnail,
    timeoutMs: ctx.pdfTimeoutMs,
    signal: ctx.signal,
    runner: ctx.threads?.runTool,
  });
  let thumbnails: Thumbnail[] = [];
  if (pdf.firstPage) {
    const image = await analyse(ctx, pdf.firstPage, resource.url, {
      pngThumbnails: false,
      inputMimeType: 'image/png',
      flattenOnWhite: true,
      maxInputPixels: ctx.maxInputPixels,
      timeoutSeconds: ctx.imageTimeoutSeconds,
    });
    thumbnails = image.thumbnails;
  }
  return {
    detectedMimeType: mimeType,
    metadata: {
      mimeType,
      fileByteSize: size,
      edmType: 'TEXT',
      containsText: pdf.containsText,
      spatialResolution: pdf.dpi,
    },
    thumbnails,
  };
}

function imageMetadata(
  mimeType: string,
  size: number | undefined,
  width: number,
  height: number,
  image: { colorSpace?: string; dominantColors: string[] },
): ResourceMetadata {
  return {
    mimeType,
    fileByteSize: size,
    edmType: 'IMAGE',
    width,
    height,
    orientation: orientationOf(width, height),
    colorSpace: image.colorSpace,
    dominantColors: image.dominantColors,
  };
}

function audioVideoMetadata(mimeType: string, facts: AudioVideoFacts, size: number | undefined): ResourceMetadata {
  const common = {
    duration: facts.duration,
    bitRate: facts.bitRate,
    codecName: facts.codecName,
    fileByteSize: facts.fileByteSize ?? size,
  };
  if (facts.kind === 'video') {
    return {
      mimeType,
      edmType: 'VIDEO',
      ...common,
      width: facts.width,
      height: facts.height,
      frameRate: facts.frameRate,
    };
  }
  // An MP4 container holding only audio is audio (Metis AudioVideoProcessor).
  const audioMime = baseMimeType(mimeType) === 'video/mp4' ? 'audio/mp4' : mimeType;
  return {
    mimeType: audioMime,
    edmType: 'SOUND',
    ...common,
    audioChannelNumber: facts.channels,
    sampleRate: facts.sampleRate,
    sampleSize: facts.sampleSize || undefined,
  };
}
