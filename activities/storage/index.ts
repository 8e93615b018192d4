// The storage activities (verify, retention, latest) and what the backup and restore activities
// build on: writeBackup / readBackup with heartbeats and cancellation of the running activity.
// Keys reach these functions from the worker's deps, never from workflow input.
import type { S3Client } from '@aws-sdk/client-s3';
import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  FailureType,
  type ArchiveLimits,
  type RetentionInput,
  type RetentionReport,
  type StoredBackup,
  type VerifyBackupResult,
} from '../../types/index.ts';
import type { BackupKey } from '../archive/index.ts';
import { readBackup } from './backup.ts';
import { findLatestBackup } from './listing.ts';
import { objectKeyFor } from './object-keys.ts';
import { applyRetention } from './retention.ts';

export {
  writeBackup,
  readBackup,
  METADATA_FORMAT,
  METADATA_KEY_ID,
  type BackupProgress,
  type WriteBackupOptions,
  type WriteBackupResult,
} from './backup.ts';
export { objectKeyFor, normalizePrefix, BACKUP_SUFFIX } from './object-keys.ts';
export { createS3Client, type S3ClientSettings } from './client.ts';
export { PATIENT_RETRIES } from './retry.ts';
export { classifyS3Error } from './errors.ts';

export interface StorageDeps {
  s3: S3Client;
  bucket: string;
  /** Unset when the worker has no PNO_BACKUP_KEY(_FILE); only the activities that need it fail. */
  backupKey?: BackupKey;
  /** Keys rotated out (PNO_BACKUP_RETIRED_KEYS_FILE): never used to write, still read by key id. */
  retiredKeys?: BackupKey[];
  /** The configuration's retention minimums: retention never deletes younger backups or keeps fewer. */
  retentionFloor?: { minDays: number; minKeep: number };
}

/** Heartbeat and cancellation of the running activity; nothing when called outside one (tests, scripts). */
export function activityStreamContext(): { onProgress?: (progress: object) => void; signal?: AbortSignal } {
  const context = asyncLocalStorage.getStore();
  if (!context) return {};
  // Progress comes per 64 KiB; the server needs a heartbeat now and then, not per chunk.
  let last = 0;
  const onProgress = (progress: object) => {
    if (Date.now() - last < 1000) return;
    last = Date.now();
    context.heartbeat({ ...progress });
  };
  return { onProgress, signal: context.cancellationSignal };
}

/** The object key for the running activity's workflow: a retried attempt or activity overwrites it. */
export function backupKeyForCurrentWorkflow(prefix: string): string {
  const info = asyncLocalStorage.getStore()?.info;
  const workflowId = info?.workflowExecution?.workflowId;
  if (!workflowId) throw new Error('backupKeyForCurrentWorkflow: not running inside a workflow activity');
  return objectKeyFor(prefix, workflowId);
}

export function requireBackupKey(deps: StorageDeps | undefined): BackupKey {
  if (!deps?.backupKey) {
    throw ApplicationFailure.nonRetryable(
      'no backup key on this worker: set PNO_BACKUP_KEY or PNO_BACKUP_KEY_FILE',
      FailureType.invalidInput,
    );
  }
  return deps.backupKey;
}

function requireStorage(deps: StorageDeps | undefined): StorageDeps {
  if (!deps)
    throw ApplicationFailure.nonRetryable(
      'no S3 storage configured on this worker (S3_BUCKET, S3_ENDPOINT)',
      FailureType.invalidInput,
    );
  return deps;
}

export function createStorageActivities(deps?: StorageDeps) {
  return {
    /** Downloads, authenticates, unpacks and checks every entry against the manifest. No secrets in the result. */
    async verifyBackup(input: { key: string; limits?: Partial<ArchiveLimits> }): Promise<VerifyBackupResult> {
      const { s3, bucket } = requireStorage(deps);
      const {
        fullManifest: _entries,
        etag: _etag,
        ...result
      } = await readBackup({
        s3,
        bucket,
        key: input.key,
        keyMaterial: requireBackupKey(deps),
        retiredKeys: deps?.retiredKeys,
        limits: input.limits,
        ...activityStreamContext(),
      });
      return result;
    },

    /** Deletes (or with dryRun lists) backups under `prefix` older than `olderThanDays`. */
    async applyRetention(input: RetentionInput & { asOf?: string }): Promise<RetentionReport> {
      const { s3, bucket } = requireStorage(deps);
      const asOf = input.asOf ? new Date(input.asOf) : undefined;
      if (asOf && Number.isNaN(asOf.getTime()))
        throw ApplicationFailure.nonRetryable(
          `asOf: not a date (got ${JSON.stringify(input.asOf)})`,
          FailureType.invalidInput,
        );
      // The minimums raise valid values only: an invalid one is still refused by applyRetention.
      const floor = deps?.retentionFloor ?? { minDays: 1, minKeep: 0 };
      const atLeast = (value: number, min: number, lowest: number) =>
        Number.isInteger(value) && value >= lowest ? Math.max(value, min) : value;
      const olderThanDays = atLeast(input.olderThanDays, floor.minDays, 1);
      const keepAtLeast = atLeast(input.keepAtLeast ?? 1, floor.minKeep, 0);
      const report = await applyRetention(s3, bucket, {
        ...input,
        olderThanDays,
        keepAtLeast,
        asOf,
        ...activityStreamContext(),
        keys: [...(deps?.backupKey ? [deps.backupKey] : []), ...(deps?.retiredKeys ?? [])],
      });
      const raised = [
        ...(olderThanDays > input.olderThanDays
          ? [`olderThanDays ${input.olderThanDays} → ${olderThanDays} (retention.minDays)`]
          : []),
        ...(keepAtLeast > (input.keepAtLeast ?? 1)
          ? [`keepAtLeast ${input.keepAtLeast ?? 1} → ${keepAtLeast} (retention.minKeep)`]
          : []),
      ];
      return raised.length > 0 ? { ...report, raised } : report;
    },

    /** The newest backup under `prefix`, or null when there is none. */
    async findLatestBackup(input: { prefix: string }): Promise<StoredBackup | null> {
      const { s3, bucket } = requireStorage(deps);
      return findLatestBackup(s3, bucket, input.prefix, activityStreamContext().signal);
    },
  };
}
