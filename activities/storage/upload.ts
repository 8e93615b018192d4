// Streams a body of unknown length to S3 as a multipart upload. Memory is bounded by
// partSize × (queueSize + 1). On failure or cancellation the multipart upload is aborted, so no
// object appears: S3 only shows an object once CompleteMultipartUpload succeeds.
import type { Readable } from 'node:stream';
import { AbortMultipartUploadCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { classifyS3Error } from './errors.ts';

/**
 * The S3 minimum. Parts are held twice while lib-storage assembles them, so this is most of the
 * pipeline's memory; the cost is a 48.8 GiB object limit (10,000 parts): pass a larger partSize
 * for bigger backups.
 */
export const DEFAULT_PART_SIZE = 5 * 1024 * 1024;
export const DEFAULT_QUEUE_SIZE = 2;

export interface UploadStreamOptions {
  s3: S3Client;
  bucket: string;
  key: string;
  body: Readable;
  metadata?: Record<string, string>;
  /** Bytes acknowledged by the store so far. */
  onProgress?: (uploadedBytes: number) => void;
  signal?: AbortSignal;
  partSize?: number;
  queueSize?: number;
}

export async function uploadStream(
  options: UploadStreamOptions,
): Promise<{ bucket: string; key: string; etag?: string }> {
  const { s3, bucket, key, body, signal } = options;
  const where = `upload s3://${bucket}/${key}`;
  let upload: Upload | undefined;
  const cancel = () => {
    body.destroy(signal?.reason instanceof Error ? signal.reason : new Error('upload cancelled'));
    void upload?.abort();
  };
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    signal?.throwIfAborted();
    upload = new Upload({
      client: s3,
      params: {
        Bucket: bucket,
        Key: key,
        Body: body,
        Metadata: options.metadata,
        ContentType: 'application/octet-stream',
      },
      partSize: Math.max(options.partSize ?? DEFAULT_PART_SIZE, 5 * 1024 * 1024),
      queueSize: options.queueSize ?? DEFAULT_QUEUE_SIZE,
      leavePartsOnError: false,
    });
    upload.on('httpUploadProgress', (progress) => options.onProgress?.(progress.loaded ?? 0));
    const result = await upload.done();
    return { bucket, key, etag: result.ETag };
  } catch (err) {
    // Whatever failed, the producer must stop: it would otherwise wait forever on backpressure.
    if (!body.destroyed) body.destroy();
    await abortMultipart(s3, bucket, key, upload?.uploadId);
    if (signal?.aborted) throw signal.reason;
    throw classifyS3Error(err, where);
  } finally {
    signal?.removeEventListener('abort', cancel);
  }
}

/**
 * lib-storage aborts on failure too, but not before `done()` rejects after `abort()`; this makes the
 * clean-up finish before we return. Best effort: if the store is down, its parts stay invisible and
 * a bucket lifecycle rule (AbortIncompleteMultipartUpload) or retention's sweep removes them.
 */
async function abortMultipart(s3: S3Client, bucket: string, key: string, uploadId: string | undefined): Promise<void> {
  if (!uploadId) return;
  await s3
    .send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: key, UploadId: uploadId }), {
      abortSignal: AbortSignal.timeout(15_000),
    })
    .catch(() => undefined);
}
