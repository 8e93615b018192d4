// S3 access for tests: a client bound to the MinIO started by global setup, and a bucket per test.
import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { inject } from 'vitest';
import { createS3Client } from '../../activities/storage/client.ts';

let client: S3Client | undefined;

export function testS3(): S3Client {
  const s3 = inject('s3');
  client ??= createS3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  return client;
}

/** A new, empty bucket for one test, so tests never see each other's objects. */
export async function freshBucket(prefix = 'test'): Promise<string> {
  const bucket = `${prefix}-${randomUUID().slice(0, 13)}`;
  await testS3().send(new CreateBucketCommand({ Bucket: bucket }));
  return bucket;
}

/** A client of its own that counts the objects it downloads (GetObject calls), for tests of how often a step reads. */
export function countingS3(): { s3: S3Client; downloads: () => number } {
  const s3 = inject('s3');
  const counted = createS3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  let gets = 0;
  counted.middlewareStack.add(
    (next, context) => (args) => {
      if (context.commandName === 'GetObjectCommand') gets += 1;
      return next(args);
    },
    { step: 'initialize', name: 'countDownloads' },
  );
  return { s3: counted, downloads: () => gets };
}
