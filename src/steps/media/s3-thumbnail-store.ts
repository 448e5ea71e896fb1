/**
 * Thumbnails in an S3-compatible bucket (AWS S3, MinIO, Ceph, …), as Metis stores them
 * (eCloud `AmazonClient`, Sandbox `ThumbnailStoreServiceImpl`): one object per thumbnail, the
 * thumbnail name as key (after an optional prefix). Built on the maintained AWS SDK v3 client.
 */
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ThumbnailStore } from './thumbnail-store.ts';

export interface S3ThumbnailStoreOptions {
  bucket: string;
  /** Endpoint of an S3-compatible service, e.g. `http://127.0.0.1:9000`; omit for AWS. */
  endpoint?: string;
  /** Default `us-east-1`. */
  region?: string;
  /** Omit to use the SDK's default credential chain (environment, profile, instance role). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Key prefix, e.g. `thumbnails/`. Default none. */
  prefix?: string;
  /** Path-style URLs (`endpoint/bucket/key`), needed by most self-hosted services. Default true with an endpoint. */
  forcePathStyle?: boolean;
}

/** Creates an S3-backed thumbnail store; `close()` releases the client's connections. */
export function createS3ThumbnailStore(options: S3ThumbnailStoreOptions): ThumbnailStore & { close(): void } {
  const client = new S3Client({
    region: options.region ?? 'us-east-1',
    endpoint: options.endpoint,
    credentials: options.credentials,
    forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
    // Checksums only where S3 requires them: several S3-compatible services reject the SDK's
    // default extra checksum headers.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const key = (name: string) => `${options.prefix ?? ''}${name}`;
  return {
    async put(name, bytes, contentType) {
      await client.send(new PutObjectCommand({ Bucket: options.bucket, Key: key(name), Body: bytes, ContentType: contentType }));
    },
    async get(name) {
      try {
        const res = await client.send(new GetObjectCommand({ Bucket: options.bucket, Key: key(name) }));
        const bytes = Buffer.from(await res.Body!.transformToByteArray());
        return { bytes, contentType: res.ContentType ?? 'application/octet-stream' };
      } catch (err) {
        if (err instanceof NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
        throw err;
      }
    },
    close: () => client.destroy(),
  };
}
