// Retention and "latest backup" against MinIO: only this product's keys under the prefix, only the
// old ones, never the newest, and a dry run that changes nothing.
import { setTimeout as delay } from 'node:timers/promises';
import { CreateMultipartUploadCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { createStorageActivities, objectKeyFor } from '../../activities/storage/index.ts';
import { FailureType } from '../../types/index.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { objectKeys, pendingUploads } from './helpers.ts';

const s3 = testS3();
const DAY = 24 * 60 * 60 * 1000;
const prefix = 'pno/backups';

async function put(bucket: string, key: string): Promise<Date> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: `bytes of ${key}` }));
  return (await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).LastModified!;
}

/** Rewrites `key` until the store stamps it later than `after` (its clock counts whole seconds). */
async function putAfter(bucket: string, key: string, after: Date): Promise<Date> {
  for (let attempt = 0; attempt < 40; attempt += 1) {
    const modified = await put(bucket, key);
    if (modified > after) return modified;
    await delay(100);
  }
  throw new Error(`store clock did not pass ${after.toISOString()}`);
}

/**
 * Three backups, oldest first, and objects retention must never touch. Written within a second they
 * may share a LastModified; ties are broken by key, which here follows the write order.
 */
async function storeWithBackups() {
  const bucket = await freshBucket('retention');
  const backups = ['backup-1', 'backup-2', 'backup-3'].map((id) => objectKeyFor(prefix, id));
  for (const key of backups) await put(bucket, key);
  const untouchable = [
    'pno/backups-old/backup-0.tar.gz.enc', // a sibling prefix that merely starts the same
    'pno/backups/nested/backup-x.tar.gz.enc', // not a key this product writes
    'pno/backups/notes.txt', // not a backup
    'elsewhere/backup-9.tar.gz.enc', // outside the prefix
  ];
  for (const key of untouchable) await put(bucket, key);
  const activities = createStorageActivities({ s3, bucket });
  return { bucket, backups, untouchable, activities, inTenDays: new Date(Date.now() + 10 * DAY).toISOString() };
}

describe('applyRetention', () => {
  it('in a dry run, reports the old backups but the newest and deletes nothing', async () => {
    const { bucket, backups, activities, inTenDays } = await storeWithBackups();
    const before = await objectKeys(s3, bucket);
    const report = await activities.applyRetention({ prefix, olderThanDays: 7, dryRun: true, asOf: inTenDays });
    expect(report).toMatchObject({ prefix: 'pno/backups/', dryRun: true, deletedCount: 2, kept: 1, abortedUploads: 0 });
    expect(report.deleted.map((b) => b.key)).toEqual([backups[0], backups[1]]);
    expect(report.deletedBytes).toBe(report.deleted.reduce((sum, b) => sum + b.size, 0));
    expect(await objectKeys(s3, bucket)).toEqual(before);
  });

  it('deletes old backups under the prefix only, keeps the newest, and is idempotent', async () => {
    const { bucket, backups, untouchable, activities, inTenDays } = await storeWithBackups();
    const report = await activities.applyRetention({ prefix, olderThanDays: 7, dryRun: false, asOf: inTenDays });
    expect(report.deleted.map((b) => b.key)).toEqual([backups[0], backups[1]]);
    expect(await objectKeys(s3, bucket)).toEqual([backups[2]!, ...untouchable].sort());
    const again = await activities.applyRetention({ prefix, olderThanDays: 7, dryRun: false, asOf: inTenDays });
    expect(again).toMatchObject({ deletedCount: 0, deleted: [], kept: 1 });
  });

  it("never goes below the configuration's minimums, and says what it raised", async () => {
    const { bucket, backups, untouchable } = await storeWithBackups();
    const floored = createStorageActivities({ s3, bucket, retentionFloor: { minDays: 12, minKeep: 2 } });
    const inTenDays = new Date(Date.now() + 10 * DAY).toISOString();
    // Asked to delete everything over a day old, keeping none: ten-day-old backups are younger than 12 days.
    const report = await floored.applyRetention({
      prefix,
      olderThanDays: 1,
      keepAtLeast: 0,
      dryRun: false,
      asOf: inTenDays,
    });
    expect(report).toMatchObject({
      deletedCount: 0,
      kept: 3,
      raised: ['olderThanDays 1 → 12 (retention.minDays)', 'keepAtLeast 0 → 2 (retention.minKeep)'],
    });
    // Past the minimum age, the newest two stay whatever the input says.
    const later = new Date(Date.now() + 13 * DAY).toISOString();
    const second = await floored.applyRetention({
      prefix,
      olderThanDays: 30,
      keepAtLeast: 0,
      dryRun: false,
      asOf: later,
    });
    expect(second).toMatchObject({ deletedCount: 0, raised: ['keepAtLeast 0 → 2 (retention.minKeep)'] });
    const third = await floored.applyRetention({
      prefix,
      olderThanDays: 12,
      keepAtLeast: 0,
      dryRun: false,
      asOf: later,
    });
    expect(third.deleted.map((b) => b.key)).toEqual([backups[0]]);
    expect(await objectKeys(s3, bucket)).toEqual([backups[1]!, backups[2]!, ...untouchable].sort());
  });

  it('keeps everything younger than the cutoff; keepAtLeast 0 lets the newest go too', async () => {
    const { bucket, untouchable, activities, inTenDays } = await storeWithBackups();
    expect(await activities.applyRetention({ prefix, olderThanDays: 7, dryRun: false })).toMatchObject({
      deletedCount: 0,
      kept: 3,
    });
    expect(
      await activities.applyRetention({ prefix, olderThanDays: 7, dryRun: false, keepAtLeast: 0, asOf: inTenDays }),
    ).toMatchObject({ deletedCount: 3, kept: 0 });
    expect(await objectKeys(s3, bucket)).toEqual([...untouchable].sort());
  });

  it('aborts stale incomplete uploads of backups under the prefix (counted in a dry run)', async () => {
    const { bucket, activities, inTenDays } = await storeWithBackups();
    const stale = objectKeyFor(prefix, 'crashed-worker');
    await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: stale }));
    await s3.send(new CreateMultipartUploadCommand({ Bucket: bucket, Key: 'elsewhere/other.tar.gz.enc' }));
    expect(
      (await activities.applyRetention({ prefix, olderThanDays: 7, dryRun: true, asOf: inTenDays })).abortedUploads,
    ).toBe(1);
    expect((await pendingUploads(s3, bucket)).sort()).toEqual(['elsewhere/other.tar.gz.enc', stale]);
    expect(
      (await activities.applyRetention({ prefix, olderThanDays: 7, dryRun: false, asOf: inTenDays })).abortedUploads,
    ).toBe(1);
    expect(await pendingUploads(s3, bucket)).toEqual(['elsewhere/other.tar.gz.enc']);
  });

  it('refuses input that could delete too much, naming the field', async () => {
    const { activities } = await storeWithBackups();
    for (const [input, message] of [
      [{ prefix: '', olderThanDays: 7 }, /^prefix: must be a non-empty path/],
      [{ prefix: '/', olderThanDays: 7 }, /^prefix:/],
      [{ prefix: 'pno/../other', olderThanDays: 7 }, /^prefix:/],
      [{ prefix, olderThanDays: 0 }, /^olderThanDays: must be a whole number of days, at least 1/],
      [{ prefix, olderThanDays: 1.5 }, /^olderThanDays:/],
      [{ prefix, olderThanDays: 7, keepAtLeast: -1 }, /^keepAtLeast:/],
      [{ prefix, olderThanDays: 7, asOf: 'yesterday' }, /^asOf: not a date/],
    ] as const) {
      const err = await activities.applyRetention({ dryRun: false, ...input }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect(err).toMatchObject({ type: FailureType.invalidInput, nonRetryable: true });
      expect((err as Error).message).toMatch(message);
    }
  });
});

describe('findLatestBackup', () => {
  it('returns the newest backup under the prefix, or null when there is none', async () => {
    const { backups, activities } = await storeWithBackups();
    const latest = await activities.findLatestBackup({ prefix });
    expect(latest?.key).toBe(backups[2]);
    expect(latest?.size).toBe(`bytes of ${backups[2]}`.length);
    expect(await activities.findLatestBackup({ prefix: 'pno/nothing-here' })).toBeNull();
  });

  it('goes by LastModified, not by name', async () => {
    const bucket = await freshBucket('latest');
    const older = await put(bucket, objectKeyFor(prefix, 'z-first'));
    await putAfter(bucket, objectKeyFor(prefix, 'a-second'), older);
    expect((await createStorageActivities({ s3, bucket }).findLatestBackup({ prefix }))?.key).toBe(
      objectKeyFor(prefix, 'a-second'),
    );
  });
});
