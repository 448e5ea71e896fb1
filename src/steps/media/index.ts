/** Public API of the media-processing step (Metis §9). */
export { createMediaProcessor } from './media-processor.ts';
export type {
  MediaProcessor,
  MediaProcessorOptions,
  MediaRunOptions,
  MediaData,
  MediaRecord,
  MediaResourceReport,
  MediaTimeouts,
} from './media-processor.ts';
export { createFileThumbnailStore, createMemoryThumbnailStore, type ThumbnailStore } from './thumbnail-store.ts';
export { createS3ThumbnailStore, type S3ThumbnailStoreOptions } from './s3-thumbnail-store.ts';
export { thumbnailName, type Thumbnail, type ThumbnailKind } from './image.ts';
export type { ResourceMetadata, EdmType } from './web-resource-writer.ts';
