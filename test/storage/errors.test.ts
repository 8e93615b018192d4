// S3 failures reach Temporal as the right kind: refused credentials are permanent, an unreachable
// store is retryable, and a download cut short is never mistaken for a tampered archive.
import { ApplicationFailure } from '@temporalio/common';
import { inject, describe, expect, it } from 'vitest';
import { createS3Client, createStorageActivities } from '../../activities/storage/index.ts';
import { FailureType } from '../../types/index.ts';
import { closedPort } from '../helpers/net.ts';
import { freshBucket } from '../helpers/s3.ts';
import { testKey } from '../archive/helpers.ts';

const backupKey = testKey();

describe('S3 error classification', () => {
  it('refused credentials are a permanent Forbidden', async () => {
    const bucket = await freshBucket('errors');
    const { endpoint, region, accessKeyId } = inject('s3');
    const s3 = createS3Client({ endpoint, region, credentials: { accessKeyId, secretAccessKey: 'wrong-secret-0000' } });
    const err = await createStorageActivities({ s3, bucket, backupKey })
      .findLatestBackup({ prefix: 'pno/backups' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplicationFailure);
    expect(err).toMatchObject({ type: FailureType.forbidden, nonRetryable: true });
    expect((err as Error).message).toMatch(/SignatureDoesNotMatch \(HTTP 403\)/);
  });

  it('an unreachable store is a plain, retryable error', async () => {
    const s3 = createS3Client({
      endpoint: `http://127.0.0.1:${await closedPort()}`,
      region: 'us-east-1',
      credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
    });
    const activities = createStorageActivities({ s3, bucket: 'any', backupKey });
    for (const call of [
      () => activities.findLatestBackup({ prefix: 'pno/backups' }),
      () => activities.verifyBackup({ key: 'pno/backups/x.tar.gz.enc' }),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(Error);
      expect(err).not.toBeInstanceOf(ApplicationFailure);
      expect(String((err as Error & { code?: string }).code ?? (err as Error).message)).toMatch(/ECONNREFUSED/);
    }
  });
});
