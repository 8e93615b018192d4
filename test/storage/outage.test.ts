// The store goes away in the middle of an upload and comes back: the pipeline waits it out with the
// worker's retry schedule and completes. Runs against a MinIO of its own, so pausing it disturbs no
// other test.
import { CreateBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createS3Client,
  createStorageActivities,
  objectKeyFor,
  PATIENT_RETRIES,
  writeBackup,
} from '../../activities/storage/index.ts';
import { startMinio, type LocalMinio } from '../../stack/minio.ts';
import { testKey } from '../archive/helpers.ts';
import { generated, manifestInfo, objectKeys, pendingUploads } from './helpers.ts';

const MiB = 1024 * 1024;
let minio: LocalMinio;

beforeAll(async () => {
  minio = await startMinio();
});
afterAll(async () => {
  await minio?.stop();
});

/** A client with the worker's retry schedule that reports every failed attempt's number. */
function observedClient(onFailedAttempt: (attempt: number) => void): S3Client {
  const s3 = createS3Client({
    endpoint: minio.endpoint,
    region: minio.region,
    credentials: { accessKeyId: minio.accessKeyId, secretAccessKey: minio.secretAccessKey },
    retry: PATIENT_RETRIES,
  });
  // The deserialize step runs once per attempt, inside the retry loop.
  s3.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (err) {
        const header = (args.request as { headers?: Record<string, string> }).headers?.['amz-sdk-request'] ?? '';
        onFailedAttempt(Number(/attempt=(\d+)/.exec(header)?.[1] ?? 0));
        throw err;
      }
    },
    { step: 'deserialize', name: 'recordFailedAttempts' },
  );
  return s3;
}

/** Resolves when `condition` holds, checked whenever `poke` is called. */
function when(condition: () => boolean): { reached: Promise<void>; poke: () => void } {
  let resolve!: () => void;
  const reached = new Promise<void>((r) => (resolve = r));
  return { reached, poke: () => condition() && resolve() };
}

describe('upload during a store outage', () => {
  it('retries through a ~20 s outage and completes a verifiable backup', { timeout: 180_000 }, async () => {
    // 1. Once the first piece of the model is acknowledged, stop the store. 2. The source holds back its second
    // half until the store is down, so the outage always lands mid-upload. 3. Bring the store back
    // once a request has failed its sixth attempt (0.5 + 1 + 2 + 4 + 8 s of backoff after the first),
    // leaving it four more (up to 47 s in all) to find the store back.
    const failedAttempts: number[] = [];
    const sixthAttemptFailed = when(() => failedAttempts.some((n) => n >= 6));
    const s3 = observedClient((attempt) => {
      failedAttempts.push(attempt);
      sixthAttemptFailed.poke();
    });
    const bucket = 'outage';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    const backupKey = testKey();
    const key = objectKeyFor('pno/backups', 'outage-wf');

    let uploaded = 0;
    const firstPartDone = when(() => uploaded >= 4 * MiB);
    const down = firstPartDone.reached.then(() => minio.pause());
    let downAt = 0;
    let upAt = 0;
    const recovery = down.then(async () => {
      downAt = Date.now();
      await sixthAttemptFailed.reached;
      upAt = Date.now();
      await minio.resume();
    });

    const size = 24 * MiB;
    const source = generated(size, async (produced) => {
      if (produced >= 12 * MiB) await down;
    });
    const result = await writeBackup({
      s3,
      bucket,
      key,
      keyMaterial: backupKey,
      manifest: manifestInfo,
      entries: [{ path: 'model/weights.bin', size, source: source.stream }],
      partSize: 5 * MiB,
      onProgress: (p) => {
        uploaded = p.uploadedBytes;
        firstPartDone.poke();
      },
    });
    await recovery;

    expect(failedAttempts.length).toBeGreaterThan(0);
    expect(Math.max(...failedAttempts)).toBeGreaterThanOrEqual(6);
    expect(upAt - downAt).toBeGreaterThan(14_000);
    expect(result.manifest.entries[0]?.sha256).toBe(source.digest());
    // The archive and the model's six 4 MiB pieces, nothing else.
    const stored = await objectKeys(s3, bucket);
    expect(stored.filter((k) => !k.startsWith('pno/backups/pieces/'))).toEqual([key]);
    expect(stored).toHaveLength(1 + 6);
    expect(result.pieces).toMatchObject({ stored: 6, reused: 0 });
    expect(await pendingUploads(s3, bucket)).toEqual([]);
    const verified = await createStorageActivities({ s3, bucket, backupKey }).verifyBackup({ key });
    expect(verified).toMatchObject({
      entries: 1,
      bytes: size,
      objectBytes: result.objectBytes,
      pieces: 6,
      pieceBytes: result.pieces.storedBytes,
    });
  });
});
