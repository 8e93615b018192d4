// A backup given the one before it (format v2's change tokens) in the real local MinIO: large files
// the source reports unchanged are named again without being read, a replaced file is read, and an
// earlier backup that cannot vouch (another namespace, tampered, another format) is not used.
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { directoryEntries, PIECE_BYTES } from '../../activities/archive/index.ts';
import { objectKeyFor, writeBackup } from '../../activities/storage/index.ts';
import { testKey } from '../archive/helpers.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { manifestInfo, objectBytes, restoredDigests, sha256 } from './helpers.ts';

const s3 = testS3();
const backupKey = testKey();
const prefix = 'pno/backups/';
/** The files were written just now: judge their change times from a minute on, as a nightly run would. */
const later = () => Date.now() + 60_000;

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pno-unchanged-'));
  await mkdir(join(dir, 'weights'));
  await writeFile(join(dir, 'weights/a.bin'), randomBytes(2 * PIECE_BYTES + 17));
  await writeFile(join(dir, 'weights/b.bin'), randomBytes(PIECE_BYTES + 3));
  await writeFile(join(dir, 'config.json'), '{"layers": 4}\n');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

/** The backup, and the plaintext bytes it read from files. */
async function backup(bucket: string, id: string, options: { namespace?: string; now?: () => number } = {}) {
  let read = 0;
  const written = await writeBackup({
    s3,
    bucket,
    key: objectKeyFor(prefix, id),
    entries: (earlier) => directoryEntries(dir, { earlier, now: options.now ?? later }),
    keyMaterial: backupKey,
    manifest: { ...manifestInfo, namespace: options.namespace ?? manifestInfo.namespace, workflowId: id },
    onProgress: (p) => (read = p.bytes),
  });
  return { ...written, read };
}

const restored = async (bucket: string, key: string) =>
  Object.fromEntries(await restoredDigests(s3, bucket, key, backupKey));

const onDisk = async () => {
  const digests: Record<string, string> = {};
  for (const path of ['config.json', 'weights/a.bin', 'weights/b.bin'])
    digests[path] = sha256(await readFile(join(dir, path)));
  return digests;
};

describe('a backup given the one before it', () => {
  it('names unchanged large files again without reading them, and restores them whole', async () => {
    const bucket = await freshBucket('unchanged');
    const first = await backup(bucket, 'nightly-1');
    expect(first.comparedWith).toEqual({ unusable: 'no earlier backup' });
    expect(first.unchanged).toEqual({ files: 0, bytes: 0 });
    const tokens = first.manifest.entries.filter((e) => e.changeToken).map((e) => e.path);
    expect(tokens.sort()).toEqual(['weights/a.bin', 'weights/b.bin']);

    const second = await backup(bucket, 'nightly-2');
    expect(second.comparedWith).toEqual({ key: first.key });
    expect(second.unchanged).toEqual({ files: 2, bytes: 3 * PIECE_BYTES + 20 });
    // Only the small file was read.
    expect(first.read).toBe(3 * PIECE_BYTES + 20 + 14);
    expect(second.read).toBe(14);
    expect(second.pieces).toMatchObject({ stored: 0, reused: 5 });
    expect(await restored(bucket, second.key)).toEqual(await onDisk());
  });

  it('reads a file replaced since (same size, new content) and only that one', async () => {
    const bucket = await freshBucket('replaced');
    await backup(bucket, 'nightly-1');
    // Written beside and renamed over, as a model deploy does: a new inode and change time.
    await writeFile(join(dir, 'weights/b.new'), randomBytes(PIECE_BYTES + 3));
    await rename(join(dir, 'weights/b.new'), join(dir, 'weights/b.bin'));
    const second = await backup(bucket, 'nightly-2');
    expect(second.unchanged).toEqual({ files: 1, bytes: 2 * PIECE_BYTES + 17 });
    expect(second.read).toBe(PIECE_BYTES + 3 + 14);
    expect(second.pieces).toMatchObject({ stored: 2 });
    expect(await restored(bucket, second.key)).toEqual(await onDisk());
  });

  it('records no token for a file changed within the margin, so the next backup reads it again', async () => {
    const bucket = await freshBucket('racy');
    const first = await backup(bucket, 'nightly-1', { now: Date.now });
    expect(first.manifest.entries.filter((e) => e.changeToken)).toEqual([]);
    const second = await backup(bucket, 'nightly-2');
    expect(second.unchanged).toEqual({ files: 0, bytes: 0 });
    expect(second.pieces).toMatchObject({ stored: 0, reused: 5 });
  });

  it('compares with the newest backup of its own namespace, passing over another one sharing the prefix', async () => {
    const bucket = await freshBucket('namespace');
    const own = await backup(bucket, 'nightly-1');
    await backup(bucket, 'staging-1', { namespace: 'staging' });
    const second = await backup(bucket, 'nightly-2');
    expect(second.comparedWith).toEqual({ key: own.key });
    expect(second.unchanged.files).toBe(2);

    const alone = await freshBucket('namespace');
    await backup(alone, 'staging-1', { namespace: 'staging' });
    const first = await backup(alone, 'nightly-1');
    expect(first.comparedWith.unusable).toBe('a backup of namespace staging');
    expect(first.unchanged.files).toBe(0);
  });

  it('backs up in full when the earlier backup does not authenticate', async () => {
    const bucket = await freshBucket('tampered');
    const first = await backup(bucket, 'nightly-1');
    // One byte flipped inside a sealed chunk, the metadata kept (format v2).
    const forged = await objectBytes(s3, bucket, first.key);
    forged[100] = forged[100]! ^ 1;
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: first.key,
        Body: forged,
        Metadata: { 'pno-key-id': backupKey.id, 'pno-format': 'pno-backup-v2' },
      }),
    );
    const second = await backup(bucket, 'nightly-2');
    expect(second.comparedWith.key).toBe(first.key);
    expect(second.comparedWith.unusable).toMatch(/failed authentication/);
    expect(second.unchanged.files).toBe(0);
    expect(await restored(bucket, second.key)).toEqual(await onDisk());
  });

  it('a retry of the same backup does not compare with its own earlier attempt', async () => {
    const bucket = await freshBucket('retry');
    const first = await backup(bucket, 'nightly-1');
    const again = await backup(bucket, 'nightly-1');
    expect(again.key).toBe(first.key);
    expect(again.comparedWith).toEqual({ unusable: 'no earlier backup' });
  });
});
