// Streams an object down. A body that ends before its Content-Length is a dropped connection, not a
// short archive: it fails as a plain (retryable) error so the reader never mistakes it for tampering.
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { classifyS3Error, s3Call } from './errors.ts';

export interface OpenedObject {
  body: AsyncIterable<Uint8Array>;
  contentLength: number;
  metadata: Record<string, string>;
  lastModified?: Date;
  /** The object's ETag: pass it back as `ifMatch` to read the very same object again. */
  etag: string;
  /** Bytes received so far. */
  received(): number;
  /** Lets go of a body that will not be read (a refusal on metadata alone), so the connection is freed. */
  close(): void;
}

export async function openObject(
  s3: S3Client,
  bucket: string,
  key: string,
  signal?: AbortSignal,
  /** Read only this version of the object (its ETag): another one fails as BackupChanged. */
  ifMatch?: string,
): Promise<OpenedObject> {
  const where = `download s3://${bucket}/${key}`;
  const response = await s3Call(where, () =>
    s3.send(new GetObjectCommand({ Bucket: bucket, Key: key, IfMatch: ifMatch }), { abortSignal: signal }),
  );
  const stream = response.Body as Readable | undefined;
  if (!stream) throw new Error(`${where}: response has no body`);
  const contentLength = response.ContentLength ?? -1;
  let received = 0;

  async function* body() {
    try {
      for await (const chunk of stream!) {
        received += (chunk as Uint8Array).length;
        yield chunk as Uint8Array;
      }
    } catch (err) {
      throw classifyS3Error(err, where);
    }
    if (contentLength >= 0 && received !== contentLength) {
      throw new Error(`${where}: connection ended after ${received} of ${contentLength} bytes`);
    }
  }

  return {
    body: body(),
    contentLength,
    metadata: response.Metadata ?? {},
    lastModified: response.LastModified,
    etag: response.ETag ?? '',
    received: () => received,
    close: () => stream.destroy(),
  };
}
