// Format v2's pieces in the real local MinIO: a backup uploads only the pieces the store lacks,
// retention deletes only the ones no kept backup names once past the grace period, a backup in flight
// while retention runs loses nothing, and a piece that is altered or gone fails verification.
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { DeleteObjectCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { ArchiveEntry } from '../../activities/archive/index.ts';
import { PIECE_BYTES } from '../../activities/archive/index.ts';
import { applyRetention } from '../../activities/storage/retention.ts';
import { listPieces, PIECE_EPOCH_MS, PIECE_GRACE_MS, piecesPrefix } from '../../activities/storage/pieces.ts';
import { createStorageActivities, objectKeyFor, writeBackup } from '../../activities/storage/index.ts';
import { expectBadArchive, testKey } from '../archive/helpers.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { manifestInfo, objectBytes, restoredDigests, sha256, smallEntries } from './helpers.ts';

const s3 = testS3();
const backupKey = testKey();
const prefix = 'pno/backups/';
const HOUR = 60 * 60 * 1000;

/** A file read in 1 MiB pieces; `gate` runs before every read but the first (to hold a backup midway). */
function entry(path: string, bytes: Buffer, gate?: () => Promise<void>): ArchiveEntry {
  const reads = async function* () {
    for (let at = 0; at < bytes.length; at += 1024 * 1024) {
      if (at > 0) await gate?.();
      yield bytes.subarray(at, at + 1024 * 1024);
    }
  };
  return { path, size: bytes.length, source: Readable.from(reads()) };
}

function backup(bucket: string, id: string, entries: ArchiveEntry[], now?: Date) {
  return writeBackup({
    s3,
    bucket,
    key: objectKeyFor(prefix, id),
    entries,
    keyMaterial: backupKey,
    manifest: { ...manifestInfo, workflowId: id },
    ...(now ? { now } : {}),
  });
}

const restored = (bucket: string, key: string) => restoredDigests(s3, bucket, key, backupKey);

const pieceCount = (bytes: number) => Math.ceil(bytes / PIECE_BYTES);

describe('pieces in the store', () => {
  it('a second backup of the same models uploads only the pieces of the file that changed', async () => {
    const bucket = await freshBucket('pieces');
    const a = randomBytes(2 * PIECE_BYTES + 1000);
    const b = randomBytes(PIECE_BYTES + 5);
    const first = await backup(bucket, 'backup-1', [
      ...smallEntries(),
      entry('models/a.bin', a),
      entry('models/b.bin', b),
    ]);
    expect(first.pieces).toMatchObject({ stored: pieceCount(a.length) + pieceCount(b.length), reused: 0 });
    // The archive holds the small files and the manifest only: a few KiB, not the models.
    expect(first.objectBytes).toBeLessThan(16 * 1024);
    const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: first.key }));
    expect(head.Metadata).toEqual({ 'pno-key-id': backupKey.id, 'pno-format': 'pno-backup-v2' });

    const changed = Buffer.from(b);
    changed[7] = changed[7]! ^ 0xff;
    const second = await backup(bucket, 'backup-2', [
      ...smallEntries(),
      entry('models/a.bin', a),
      entry('models/b.bin', changed),
    ]);
    expect(second.pieces).toEqual({
      stored: 1,
      storedBytes: expect.any(Number) as number,
      reused: pieceCount(a.length) + pieceCount(changed.length) - 1,
      copied: 0,
    });
    expect((await listPieces(s3, bucket, prefix)).size).toBe(pieceCount(a.length) + pieceCount(b.length) + 1);

    // Each backup restores its own bytes.
    expect((await restored(bucket, first.key)).get('models/b.bin')).toBe(sha256(b));
    const latest = await restored(bucket, second.key);
    expect(latest.get('models/a.bin')).toBe(sha256(a));
    expect(latest.get('models/b.bin')).toBe(sha256(changed));
    // Names say nothing: no piece object is named by its content's digest.
    const names = [...(await listPieces(s3, bucket, prefix)).keys()];
    expect(names).not.toContain(sha256(a.subarray(0, PIECE_BYTES)));
  });

  it('names a piece reused while younger than an epoch, and copies an older one forward in the store, uploading nothing', async () => {
    const bucket = await freshBucket('pieces');
    const a = randomBytes(PIECE_BYTES + 1);
    await backup(bucket, 'backup-1', [entry('models/a.bin', a)]);
    const written = Math.min(
      ...[...(await listPieces(s3, bucket, prefix)).values()].map((p) => p.lastModified.getTime()),
    );
    const young = await backup(
      bucket,
      'backup-2',
      [entry('models/a.bin', a)],
      new Date(written + PIECE_EPOCH_MS - HOUR),
    );
    expect(young.pieces).toMatchObject({ stored: 0, reused: 2, copied: 0 });
    const aging = await backup(
      bucket,
      'backup-3',
      [entry('models/a.bin', a)],
      new Date(written + PIECE_EPOCH_MS + HOUR),
    );
    expect(aging.pieces).toMatchObject({ stored: 0, reused: 0, copied: 2 });
    // The copies are new objects, named in the later epoch; the backup that names them restores.
    const names = (manifest: typeof aging.manifest) => manifest.entries.flatMap((e) => e.pieces!.map((p) => p.object));
    expect(names(aging.manifest).some((n) => names(young.manifest).includes(n))).toBe(false);
    expect((await listPieces(s3, bucket, prefix)).size).toBe(4);
    expect((await restored(bucket, aging.key)).get('models/a.bin')).toBe(sha256(a));
  });

  it('retention run while a backup is in flight: the backup loses no piece, and only old unnamed pieces go', async () => {
    const bucket = await freshBucket('pieces');
    const t0 = Date.now();
    const shared = randomBytes(PIECE_BYTES + 100);
    const first = await backup(bucket, 'backup-1', [...smallEntries(), entry('models/shared.bin', shared)]);

    // A backup that failed midway leaves its uploaded pieces behind, named by no archive.
    const orphan = randomBytes(PIECE_BYTES);
    const failing = async function* (): AsyncGenerator<ArchiveEntry> {
      yield entry('models/orphan.bin', orphan);
      throw new Error('pod went away');
    };
    await expect(
      writeBackup({
        s3,
        bucket,
        key: objectKeyFor(prefix, 'backup-failed'),
        entries: failing(),
        keyMaterial: backupKey,
        manifest: manifestInfo,
      }),
    ).rejects.toThrow(/pod went away/);

    // The next backup, 23 hours on, reuses the shared pieces and stops halfway through a new file.
    let reachedGate!: () => void;
    const inFlight = new Promise<void>((resolve) => (reachedGate = resolve));
    let resume!: () => void;
    const resumed = new Promise<void>((resolve) => (resume = resolve));
    const gate = () => (reachedGate(), resumed);
    const fresh = randomBytes(3 * 1024 * 1024 + 7);
    const second = backup(
      bucket,
      'backup-2',
      [...smallEntries(), entry('models/shared.bin', shared), entry('models/new.bin', fresh, gate)],
      new Date(t0 + 23 * HOUR),
    );
    await inFlight;

    // Retention 25 hours on: the first backup is past its day and goes; its pieces, now named by
    // no archive in the store, are younger than the grace period and stay.
    const during = await applyRetention(s3, bucket, {
      prefix,
      olderThanDays: 1,
      keepAtLeast: 0,
      dryRun: false,
      asOf: new Date(t0 + 25 * HOUR),
      piecesNow: new Date(t0 + 25 * HOUR),
      keys: [backupKey],
    });
    expect(during.deleted.map((b) => b.key)).toEqual([first.key]);
    expect(during.pieces).toMatchObject({ deleted: 0 });

    resume();
    const done = await second;
    expect(done.pieces.reused).toBe(pieceCount(shared.length));
    const digests = await restored(bucket, done.key);
    expect(digests.get('models/shared.bin')).toBe(sha256(shared));
    expect(digests.get('models/new.bin')).toBe(sha256(fresh));

    // Two days on, the orphan is past the grace period and named by nothing: it goes, alone.
    const before = await listPieces(s3, bucket, prefix);
    const later = await applyRetention(s3, bucket, {
      prefix,
      olderThanDays: 7,
      dryRun: false,
      piecesNow: new Date(t0 + PIECE_GRACE_MS + HOUR),
      keys: [backupKey],
    });
    expect(later.pieces).toMatchObject({ deleted: 1, kept: before.size - 1 });
    expect(later.pieces.deletedBytes).toBeGreaterThan(PIECE_BYTES);
    expect((await restored(bucket, done.key)).get('models/shared.bin')).toBe(sha256(shared));
    await createStorageActivities({ s3, bucket, backupKey }).verifyBackup({ key: done.key });
  });

  it("deletes no piece when a kept backup cannot be read with the worker's keys, and says why", async () => {
    const bucket = await freshBucket('pieces');
    const t0 = Date.now();
    await backup(bucket, 'backup-1', [entry('models/a.bin', randomBytes(PIECE_BYTES + 1))]);
    const piecesNow = new Date(t0 + PIECE_GRACE_MS + HOUR);
    const noKey = await applyRetention(s3, bucket, { prefix, olderThanDays: 30, dryRun: false, piecesNow });
    expect(noKey.pieces).toEqual({
      deleted: 0,
      deletedBytes: 0,
      kept: 2,
      skipped: expect.stringMatching(/no backup key/) as string,
    });
    const otherKey = await applyRetention(s3, bucket, {
      prefix,
      olderThanDays: 30,
      dryRun: false,
      piecesNow,
      keys: [testKey()],
    });
    expect(otherKey.pieces).toMatchObject({
      deleted: 0,
      kept: 2,
      skipped: expect.stringMatching(/cannot read .*backup-1.*sealed with key/) as string,
    });
    expect((await listPieces(s3, bucket, prefix)).size).toBe(2);
  });

  it("a date in the activity's input ages backups, never pieces: young pieces stay whatever asOf says", async () => {
    const bucket = await freshBucket('pieces');
    const first = await backup(bucket, 'backup-1', [entry('models/a.bin', randomBytes(PIECE_BYTES + 1))]);
    const report = await createStorageActivities({ s3, bucket, backupKey }).applyRetention({
      prefix,
      olderThanDays: 1,
      keepAtLeast: 0,
      dryRun: false,
      asOf: new Date(Date.now() + 30 * 24 * HOUR).toISOString(),
    });
    expect(report.deleted.map((b) => b.key)).toEqual([first.key]);
    expect(report.pieces).toEqual({ deleted: 0, deletedBytes: 0, kept: 2 });
    expect((await listPieces(s3, bucket, prefix)).size).toBe(2);
  });

  describe('verification refuses a backup whose piece is', () => {
    const stored = async () => {
      const bucket = await freshBucket('pieces');
      const result = await backup(bucket, 'backup-1', [entry('models/a.bin', randomBytes(PIECE_BYTES + 1))]);
      const [name] = [...(await listPieces(s3, bucket, prefix)).keys()];
      return { bucket, key: result.key, pieceKey: `${piecesPrefix(prefix)}${name}` };
    };

    it('altered in the store', async () => {
      const { bucket, key, pieceKey } = await stored();
      const bytes = await objectBytes(s3, bucket, pieceKey);
      const at = bytes.length - 17; // the last ciphertext byte, before the tag
      bytes[at] = bytes[at]! ^ 1;
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: pieceKey, Body: bytes }));
      await expectBadArchive(
        createStorageActivities({ s3, bucket, backupKey }).verifyBackup({ key }),
        /failed authentication/,
      );
    });

    it('swapped for another piece', async () => {
      const { bucket, key, pieceKey } = await stored();
      const names = [...(await listPieces(s3, bucket, prefix)).keys()];
      const other = names.map((n) => `${piecesPrefix(prefix)}${n}`).find((k) => k !== pieceKey)!;
      await s3.send(
        new PutObjectCommand({ Bucket: bucket, Key: pieceKey, Body: await objectBytes(s3, bucket, other) }),
      );
      await expectBadArchive(
        createStorageActivities({ s3, bucket, backupKey }).verifyBackup({ key }),
        /does not match the manifest/,
      );
    });

    it('gone', async () => {
      const { bucket, key, pieceKey } = await stored();
      await s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: pieceKey }));
      await expectBadArchive(
        createStorageActivities({ s3, bucket, backupKey }).verifyBackup({ key }),
        /missing from the store/,
      );
    });
  });
});
