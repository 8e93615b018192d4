// Deletes backups older than N days under one prefix, and nothing else: only keys this product
// named (see object-keys.ts), never the newest `keepAtLeast`, and never when the prefix is empty.
import {
  AbortMultipartUploadCommand,
  DeleteObjectsCommand,
  ListMultipartUploadsCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, type RetentionInput, type RetentionReport, type StoredBackup } from '../../types/index.ts';
import { s3Call } from './errors.ts';
import { listBackups, newestFirst } from './listing.ts';
import { isBackupKey, normalizePrefix } from './object-keys.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The report names at most this many objects (it goes into workflow history); counts are exact. */
export const RETENTION_REPORT_LIMIT = 200;

export interface RetentionOptions extends RetentionInput {
  /** The time "older than" is measured from; defaults to now. */
  asOf?: Date;
  signal?: AbortSignal;
}

export async function applyRetention(
  s3: S3Client,
  bucket: string,
  options: RetentionOptions,
): Promise<RetentionReport> {
  const { olderThanDays, dryRun } = options;
  const keepAtLeast = options.keepAtLeast ?? 1;
  const invalid = (message: string) => ApplicationFailure.nonRetryable(message, FailureType.invalidInput);
  if (!Number.isInteger(olderThanDays) || olderThanDays < 1)
    throw invalid(`olderThanDays: must be a whole number of days, at least 1 (got ${olderThanDays})`);
  if (!Number.isInteger(keepAtLeast) || keepAtLeast < 0)
    throw invalid(`keepAtLeast: must be a whole number, at least 0 (got ${keepAtLeast})`);
  const prefix = normalizePrefix(options.prefix);
  const cutoff = new Date((options.asOf ?? new Date()).getTime() - olderThanDays * DAY_MS);

  const all = newestFirst(await listBackups(s3, bucket, prefix, options.signal));
  const expired = all
    .slice(keepAtLeast)
    .filter((b) => new Date(b.lastModified) < cutoff)
    .reverse();
  if (!dryRun) await deleteAll(s3, bucket, expired, options.signal);
  const abortedUploads = await sweepUploads(s3, bucket, prefix, cutoff, dryRun, options.signal);

  return {
    prefix,
    dryRun,
    cutoff: cutoff.toISOString(),
    deleted: expired.slice(0, RETENTION_REPORT_LIMIT),
    deletedCount: expired.length,
    deletedBytes: expired.reduce((sum, b) => sum + b.size, 0),
    kept: all.length - expired.length,
    abortedUploads,
  };
}

async function deleteAll(s3: S3Client, bucket: string, backups: StoredBackup[], signal?: AbortSignal): Promise<void> {
  for (let at = 0; at < backups.length; at += 1000) {
    const batch = backups.slice(at, at + 1000);
    const result = await s3Call(`delete from s3://${bucket}`, () =>
      s3.send(
        new DeleteObjectsCommand({
          Bucket: bucket,
          Delete: { Objects: batch.map((b) => ({ Key: b.key })), Quiet: true },
        }),
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

/**
 * Uploads that never completed (a crashed worker) hold storage invisibly; old ones are aborted. The
 * whole bucket's uploads are listed and filtered here: MinIO matches an uploads Prefix only as an
 * exact key, where S3 matches it as a prefix.
 */
async function sweepUploads(
  s3: S3Client,
  bucket: string,
  prefix: string,
  cutoff: Date,
  dryRun: boolean,
  signal?: AbortSignal,
): Promise<number> {
  let count = 0;
  let keyMarker: string | undefined;
  let uploadIdMarker: string | undefined;
  do {
    const page = await s3Call(`list uploads in s3://${bucket}`, () =>
      s3.send(
        new ListMultipartUploadsCommand({ Bucket: bucket, KeyMarker: keyMarker, UploadIdMarker: uploadIdMarker }),
        { abortSignal: signal },
      ),
    );
    for (const upload of page.Uploads ?? []) {
      if (
        !upload.Key ||
        !upload.UploadId ||
        !upload.Initiated ||
        upload.Initiated >= cutoff ||
        !isBackupKey(prefix, upload.Key)
      )
        continue;
      count += 1;
      if (!dryRun) {
        await s3Call(`abort upload of s3://${bucket}/${upload.Key}`, () =>
          s3.send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.Key, UploadId: upload.UploadId }), {
            abortSignal: signal,
          }),
        );
      }
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    uploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (keyMarker);
  return count;
}
