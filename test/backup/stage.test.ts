// The restore stage on the real MinIO: a recovery downloads its backup once, verified, and every later
// step (and a retry or reset on the same worker) reads the stage; a pinned ETag refuses a replaced
// object; a stage too small or a bad archive leaves nothing behind.
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { discardStage, ensureStaged, modelsOf, stagedYaml, type StageContext } from '../../activities/backup/stage.ts';
import { loadV1Fixture, V1_KEY_ID, V1_MODEL_FILES, V1_OBJECT_BYTES } from '../archive/v1-fixture.ts';
import { testKey } from '../archive/helpers.ts';
import { countingS3, freshBucket, testS3 } from '../helpers/s3.ts';

const { sealed, key: backupKey } = loadV1Fixture();
// Where its workflow (backup-fixture-v1) wrote it: a backup is restored only from its own key.
const objectKey = 'pno/backups/backup-fixture-v1.tar.gz.enc';
const metadata = { 'pno-key-id': V1_KEY_ID, 'pno-format': 'pno-backup-v1' };

async function stageSetup(limitBytes = 64 * 1024 ** 2) {
  const bucket = await freshBucket('stage');
  await testS3().send(new PutObjectCommand({ Bucket: bucket, Key: objectKey, Body: sealed, Metadata: metadata }));
  const counting = countingS3();
  const stage = { dir: await mkdtemp(join(tmpdir(), 'pno-stage-test-')), limitBytes };
  const ctx: StageContext = { storage: { s3: counting.s3, bucket, backupKey }, stage, owner: `dr-${randomUUID()}` };
  return { ctx, bucket, downloads: counting.downloads };
}

describe('the restore stage', () => {
  it('downloads once: the later steps, a retry and a reset on the same worker read the stage', async () => {
    const { ctx, downloads } = await stageSetup();
    const first = await ensureStaged(ctx, objectKey);
    expect(first.staged).toMatchObject({ reused: false, downloadedBytes: V1_OBJECT_BYTES, keyId: V1_KEY_ID });
    expect(first.staged.etag).toMatch(/^"[0-9a-f]+"$/);
    const again = await ensureStaged(ctx, objectKey, first.staged.etag);
    expect(again.staged).toMatchObject({ reused: true, downloadedBytes: 0, etag: first.staged.etag });
    expect(downloads()).toBe(1);

    expect((await stagedYaml(again, 'resources')).join('\n')).toContain('kind: Deployment');
    for (const [path, sha] of Object.entries(V1_MODEL_FILES)) {
      const bytes = await readFile(join(modelsOf(again), path));
      expect(createHash('sha256').update(bytes).digest('hex'), path).toBe(sha);
    }
    await expect(discardStage(ctx.stage, ctx.owner)).resolves.toEqual({ removed: true });
    expect(await readdir(ctx.stage.dir)).toEqual([]);
  });

  it('pins the ETag it first read: another worker staging again refuses a replaced object', async () => {
    const { ctx, bucket } = await stageSetup();
    const { staged } = await ensureStaged(ctx, objectKey);
    await testS3().send(
      // An older or other backup copied over the key: other bytes, another ETag.
      new PutObjectCommand({
        Bucket: bucket,
        Key: objectKey,
        Body: Buffer.concat([sealed, sealed]),
        Metadata: metadata,
      }),
    );
    const otherWorker = { ...ctx, stage: { ...ctx.stage, dir: await mkdtemp(join(tmpdir(), 'pno-stage-test-')) } };
    await expect(ensureStaged(otherWorker, objectKey, staged.etag)).rejects.toMatchObject({
      type: 'BackupChanged',
      nonRetryable: true,
    });
    expect(await readdir(otherWorker.stage.dir)).toEqual([]);
  });

  it('refuses an authentic backup copied to another key (an old one put where the newest is expected)', async () => {
    const { ctx, bucket } = await stageSetup();
    const copy = 'pno/backups/backup-daily-2026-12-01.tar.gz.enc';
    await testS3().send(new PutObjectCommand({ Bucket: bucket, Key: copy, Body: sealed, Metadata: metadata }));
    await expect(ensureStaged(ctx, copy)).rejects.toMatchObject({
      type: 'BadArchive',
      message: expect.stringContaining(
        'was written by backup-fixture-v1 as backup-fixture-v1.tar.gz.enc: a copy is not restored',
      ),
    });
    expect(await readdir(ctx.stage.dir)).toEqual([]);
  });

  it('reads a backup sealed with a retired key after rotation, and names the keys when it has none that fits', async () => {
    const { ctx } = await stageSetup();
    const rotated = { ...ctx, storage: { ...ctx.storage, backupKey: testKey(), retiredKeys: [backupKey] } };
    await expect(ensureStaged(rotated, objectKey)).resolves.toMatchObject({ staged: { keyId: V1_KEY_ID } });
    const forgotten = { ...rotated, owner: `${ctx.owner}-2`, storage: { ...rotated.storage, retiredKeys: [] } };
    await expect(ensureStaged(forgotten, objectKey)).rejects.toMatchObject({
      type: 'BadArchive',
      message: expect.stringContaining(
        `sealed with key ${V1_KEY_ID}; the loaded keys are ${forgotten.storage.backupKey.id}`,
      ),
    });
  });

  it('refuses a backup bigger than the stage may hold, and leaves nothing', async () => {
    const { ctx } = await stageSetup(1000);
    await expect(ensureStaged(ctx, objectKey)).rejects.toMatchObject({
      type: 'StageFull',
      nonRetryable: true,
      message: expect.stringContaining('limited by PNO_RESTORE_STAGE_LIMIT_MIB'),
    });
    expect(await readdir(ctx.stage.dir)).toEqual([]);
  });

  it('stages nothing of an archive that fails authentication', async () => {
    const { ctx, bucket } = await stageSetup();
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 40]! ^= 0x01;
    await testS3().send(new PutObjectCommand({ Bucket: bucket, Key: objectKey, Body: flipped, Metadata: metadata }));
    await expect(ensureStaged(ctx, objectKey)).rejects.toMatchObject({ type: 'BadArchive' });
    expect(await readdir(ctx.stage.dir)).toEqual([]);
  });
});
