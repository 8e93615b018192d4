// Deletes objects by key, a thousand per request (the S3 limit), failing on the first refusal.
import { DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../types/index.ts';
import { s3Call } from './errors.ts';

export async function deleteKeys(s3: S3Client, bucket: string, keys: string[], signal?: AbortSignal): Promise<void> {
  for (let at = 0; at < keys.length; at += 1000) {
    const batch = keys.slice(at, at + 1000);
    const result = await s3Call(`delete from s3://${bucket}`, () =>
      s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true } }),
        { abortSignal: signal },
      ),
    );
    const failed = result.Errors ?? [];
    if (failed.length > 0) {
      const first = failed[0]!;
      const message = `delete s3://${bucket}/${first.Key}: ${first.Code} ${first.Message ?? ''} (${failed.length} of ${batch.length} failed)`;
      if (first.Code === 'AccessDenied') throw ApplicationFailure.nonRetryable(message, FailureType.forbidden);
      throw new Error(message);
    }
  }
}
