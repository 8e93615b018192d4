// Streams one S3 object to a local file. Missing or forbidden objects are permanent; anything else
// (5xx, throttling, dropped connections) is left retryable.
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { FailureType } from '../../types/index.ts';
import { cancellationSignal, heartbeat } from './activity-context.ts';
import { modelFailure } from './failures.ts';

const permanent = new Set([
  'NoSuchKey',
  'NoSuchBucket',
  'NotFound',
  'AccessDenied',
  'InvalidBucketName',
  'InvalidObjectState',
]);

export async function downloadObject(s3: S3Client, bucket: string, key: string, target: string): Promise<void> {
  const where = `s3://${bucket}/${key}`;
  try {
    const signal = cancellationSignal();
    const response = await s3.send(
      new GetObjectCommand({ Bucket: bucket, Key: key }),
      signal ? { abortSignal: signal } : {},
    );
    if (!response.Body) throw new Error(`${where}: empty response body`);
    let received = 0;
    const progress = async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        heartbeat({ downloadedBytes: (received += chunk.length) });
        yield chunk;
      }
    };
    await pipeline(response.Body as Readable, progress, createWriteStream(target), signal ? { signal } : {});
  } catch (err) {
    throw classifyS3Error(err, where);
  }
}

export function classifyS3Error(err: unknown, where: string): Error {
  if (err instanceof S3ServiceException) {
    const status = err.$metadata.httpStatusCode;
    if (permanent.has(err.name) || status === 403 || status === 404) {
      return modelFailure(FailureType.modelUnavailable, `${where}: ${err.name}${status ? ` (HTTP ${status})` : ''}`);
    }
    return new Error(`${where}: ${err.name}: ${err.message}`);
  }
  return err instanceof Error ? err : new Error(`${where}: ${String(err)}`);
}
