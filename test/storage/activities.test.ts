// Inside a Temporal activity: writeBackup heartbeats its progress (never a secret), derives its key
// from the workflow id, and stops when the activity is cancelled, leaving nothing behind.
import { randomBytes } from 'node:crypto';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import {
  activityStreamContext,
  backupKeyForCurrentWorkflow,
  createStorageActivities,
  writeBackup,
  type WriteBackupResult,
} from '../../activities/storage/index.ts';
import type { VerifyBackupResult } from '../../types/index.ts';
import { testKey } from '../archive/helpers.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { generated, manifestInfo, objectKeys, pendingUploads, secretYaml } from './helpers.ts';

const s3 = testS3();
const backupKey = testKey();
const MiB = 1024 * 1024;
const workflowExecution = { workflowId: 'scheduled-backup-2025-01-01T00:00:00Z', runId: 'run-7' };

/** What a backup activity written on top of this library does. */
const backupActivity =
  (bucket: string, size: number, secret: Buffer = Buffer.alloc(0)) =>
  async () =>
    writeBackup({
      s3,
      bucket,
      key: backupKeyForCurrentWorkflow('pno/backups'),
      keyMaterial: backupKey,
      manifest: manifestInfo,
      entries: [
        { path: 'resources/core/secrets/pno-api.yaml', size: secret.length, source: secret },
        { path: 'model/weights.bin', size, source: generated(size).stream },
      ],
      partSize: 5 * MiB,
      ...activityStreamContext(),
    });

describe('storage activities in an activity context', () => {
  it('heartbeats bytes done, without secrets, and writes under a key derived from the workflow id', async () => {
    const bucket = await freshBucket('activity');
    const planted = `pno-secret-${randomBytes(8).toString('hex')}`;
    const env = new MockActivityEnvironment({ workflowExecution });
    const heartbeats: unknown[] = [];
    env.on('heartbeat', (details: unknown) => heartbeats.push(details));
    const result = (await env.run(backupActivity(bucket, 8 * MiB, secretYaml(planted)))) as WriteBackupResult;

    expect(result.key).toBe('pno/backups/scheduled-backup-2025-01-01T00:00:00Z.tar.gz.enc');
    // The archive, and the 8 MiB model's two pieces beside it.
    const stored = await objectKeys(s3, bucket);
    expect(stored.filter((k) => !k.startsWith('pno/backups/pieces/'))).toEqual([result.key]);
    expect(stored).toHaveLength(3);
    expect(heartbeats.length).toBeGreaterThan(0);
    expect(heartbeats[0]).toEqual({
      entries: expect.any(Number),
      bytes: expect.any(Number),
      uploadedBytes: expect.any(Number),
    });
    const shown = JSON.stringify(heartbeats);
    for (const form of [planted, Buffer.from(planted).toString('base64'), backupKey.material().toString('base64')])
      expect(shown).not.toContain(form);

    const verifyEnv = new MockActivityEnvironment({ workflowExecution });
    const verifyBeats: unknown[] = [];
    verifyEnv.on('heartbeat', (details: unknown) => verifyBeats.push(details));
    const verified = (await verifyEnv.run(createStorageActivities({ s3, bucket, backupKey }).verifyBackup, {
      key: result.key,
    })) as VerifyBackupResult;
    expect(verified.entries).toBe(2);
    expect(verifyBeats[0]).toEqual({
      entries: expect.any(Number),
      bytes: expect.any(Number),
      downloadedBytes: expect.any(Number),
    });
  });

  it('stops on cancellation: the activity ends cancelled and no object or upload is left', async () => {
    const bucket = await freshBucket('activity');
    const env = new MockActivityEnvironment({ workflowExecution });
    env.on('heartbeat', () => env.cancel());
    const err = await env.run(backupActivity(bucket, 64 * MiB)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CancelledFailure);
    expect(await objectKeys(s3, bucket)).toEqual([]);
    expect(await pendingUploads(s3, bucket)).toEqual([]);
  });

  it('backupKeyForCurrentWorkflow refuses to guess outside an activity', () => {
    expect(() => backupKeyForCurrentWorkflow('pno/backups')).toThrow(/not running inside a workflow activity/);
  });
});
