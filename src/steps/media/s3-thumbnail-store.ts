/**
 * Thumbnails in an S3-compatible bucket (AWS S3, MinIO, Ceph, …), as Metis stores them
 * (eCloud `AmazonClient`, Sandbox `ThumbnailStoreServiceImpl`): one object per thumbnail, the
 * thumbnail name as key (after an optional prefix). Built on the maintained AWS SDK v3 client.
 *
 * The SDK is an optional dependency, loaded on first use (like the Kafka client): installs that keep
 * thumbnails in a directory neither need it nor pay for loading it.
 */
import type { S3Client } from '@aws-sdk/client-s3';
import type { ThumbnailStore } from './thumbnail-store.ts';
import { errors } from '../../errors/index.ts';

type S3Sdk = typeof import('@aws-sdk/client-s3');
let sdk: Promise<S3Sdk> | undefined;
/** The AWS SDK's S3 module, imported once, with a clear error when the optional package is missing. */
function loadSdk(): Promise<S3Sdk> {
  sdk ??= import('@aws-sdk/client-s3').catch((err: unknown) => {
    sdk = undefined;
    throw errors.S3_SDK_MISSING({ detail: err instanceof Error ? err.message : String(err) }, { cause: err });
  });
  return sdk;
}

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
  let client: Promise<{ s3: S3Sdk; client: S3Client }> | undefined;
  let created: S3Client | undefined;
  let closed = false;
  const connect = () =>
    (client ??= loadSdk().then((s3) => {
      if (closed) throw errors.INTERNAL({ detail: 'S3 thumbnail store is closed' });
      created = new s3.S3Client({
        region: options.region ?? 'us-east-1',
        endpoint: options.endpoint,
        credentials: options.credentials,
        forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
        // Checksums only where S3 requires them: several S3-compatible services reject the SDK's
        // default extra checksum headers.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
      });
      return { s3, client: created };
    }));
  const key = (name: string) => `${options.prefix ?? ''}${name}`;
  return {
    async put(name, bytes, contentType) {
      const { s3, client } = await connect();
      await client.send(
        new s3.PutObjectCommand({ Bucket: options.bucket, Key: key(name), Body: bytes, ContentType: contentType }),
      );
    },
    async get(name) {
      const { s3, client } = await connect();
      try {
        const res = await client.send(new s3.GetObjectCommand({ Bucket: options.bucket, Key: key(name) }));
        const bytes = Buffer.from(await res.Body!.transformToByteArray());
        return { bytes, contentType: res.ContentType ?? 'application/octet-stream' };
      } catch (err) {
        if (err instanceof s3.NoSuchKey || (err as { name?: string }).name === 'NoSuchKey') return undefined;
        throw err;
      }
    },
    close: () => {
      closed = true;
      created?.destroy();
    },
  };
}
