// Deletes backups older than N days under one prefix, and nothing else: only keys this product
// named (see object-keys.ts), never the newest `keepAtLeast`, and never when the prefix is empty;
// then the pieces no kept backup names (piece-sweep.ts).
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand, type S3Client } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, type RetentionInput, type RetentionReport } from '../../types/index.ts';
import type { BackupKey } from '../archive/index.ts';
import { deleteKeys } from './delete-keys.ts';
import { s3Call } from './errors.ts';
import { listBackups, newestFirst } from './listing.ts';
import { isBackupKey, normalizePrefix } from './object-keys.ts';
import { sweepPieces } from './piece-sweep.ts';

const DAY_MS = 24 * 60 * 60 * 1000;
/** The report names at most this many objects (it goes into workflow history); counts are exact. */
export const RETENTION_REPORT_LIMIT = 200;

export interface RetentionOptions extends RetentionInput {
  /** The time "older than" is measured from; defaults to now. */
  asOf?: Date;
  signal?: AbortSignal;
  /** The worker's keys, current first: the sweep of pieces reads the kept backups with them. */
  keys?: BackupKey[];
  /**
   * The clock the sweep of pieces judges age by: now, never `asOf` (a date in a workflow's input
   * must not make young pieces look old). Tests set it to stand days ahead.
   */
  piecesNow?: Date;
  /** Called as the sweep of pieces reads each kept backup (the activity heartbeats on it). */
  onProgress?: (progress: { readingBackup: string }) => void;
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
  const asOf = options.asOf ?? new Date();
  const cutoff = new Date(asOf.getTime() - olderThanDays * DAY_MS);

  const all = newestFirst(await listBackups(s3, bucket, prefix, options.signal));
  const expired = all
    .slice(keepAtLeast)
    .filter((b) => new Date(b.lastModified) < cutoff)
    .reverse();
  if (!dryRun)
    await deleteKeys(
      s3,
      bucket,
      expired.map((b) => b.key),
      options.signal,
    );
  const abortedUploads = await sweepUploads(s3, bucket, prefix, cutoff, dryRun, options.signal);
  const pieces = await sweepPieces(s3, bucket, prefix, {
    keys: options.keys ?? [],
    deleting: new Set(expired.map((b) => b.key)),
    now: options.piecesNow ?? new Date(),
    onProgress: options.onProgress,
    dryRun,
    signal: options.signal,
  });

  return {
    prefix,
    dryRun,
    cutoff: cutoff.toISOString(),
    deleted: expired.slice(0, RETENTION_REPORT_LIMIT),
    deletedCount: expired.length,
    deletedBytes: expired.reduce((sum, b) => sum + b.size, 0),
    kept: all.length - expired.length,
    abortedUploads,
    pieces,
  };
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
