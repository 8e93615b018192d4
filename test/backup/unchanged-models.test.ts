// Nightly backups of the same models, from a pod on the real node, as the worker: the pod lists its
// models directory (busybox find and stat in the container), the large files the last backup holds
// in that very version are not read from the pod again, and a replaced file is. What was not read
// still restores byte for byte.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackupKey, CURRENT_LAYOUT, PIECE_BYTES } from '../../activities/archive/index.ts';
import { collectBackup } from '../../activities/backup/collect.ts';
import { DEFAULT_COMMANDS } from '../../activities/kubernetes/commands.ts';
import { objectKeyFor } from '../../activities/storage/index.ts';
import { restoredDigests } from '../storage/helpers.ts';
import type { CreateBackupInput } from '../../types/index.ts';
import { workerKube } from '../helpers/kube.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import {
  MODELS_MOUNT,
  SERVICE_CONTAINER,
  SERVICE_SELECTOR,
  modelsOnVolume,
  modelsVolume,
  serviceCopy,
  sha256,
} from '../helpers/service.ts';

const WEIGHTS = 'weights/layer-0.bin';
const WEIGHTS_BYTES = PIECE_BYTES + 1_000_000;
/** The volume's files were written just now: judge change times as a nightly run hours later would. */
const later = () => Date.now() + 60 * 60 * 1000;

describe('nightly backups of unchanged models', () => {
  it('read from the pod only what changed since the last backup, and restore what they did not read', async () => {
    const namespace = await serviceCopy('nightly');
    const volume = await modelsVolume(namespace);
    const files = await modelsOnVolume(namespace);
    await mkdir(join(volume, 'weights'), { recursive: true });
    let weights = randomBytes(WEIGHTS_BYTES);
    await writeFile(join(volume, WEIGHTS), weights);

    const bucket = await freshBucket('nightly');
    const backupKey = new BackupKey(randomBytes(32));
    const input: CreateBackupInput = {
      namespace,
      selector: SERVICE_SELECTOR,
      container: SERVICE_CONTAINER,
      monitoringNamespace: 'monitoring',
      modelsDir: MODELS_MOUNT,
      components: ['models'],
      prefix: 'nightly',
      createdAt: new Date().toISOString(),
    };
    const backup = (night: number) =>
      collectBackup(
        {
          kube: workerKube(),
          storage: { s3: testS3(), bucket, backupKey },
          workflowId: `backup-night-${night}`,
          runId: 'run',
          objectKey: objectKeyFor('nightly', `backup-night-${night}`),
          commands: DEFAULT_COMMANDS,
          now: later,
        },
        input,
      );
    const restored = async (key: string) => Object.fromEntries(await restoredDigests(testS3(), bucket, key, backupKey));
    const expected = () => ({
      ...Object.fromEntries(
        Object.entries(files).map(([path, bytes]) => [CURRENT_LAYOUT.modelPath(path), sha256(bytes)]),
      ),
      [CURRENT_LAYOUT.modelPath(WEIGHTS)]: sha256(weights),
    });

    const first = await backup(1);
    expect(first).toMatchObject({ filesUnchanged: 0, piecesStored: 2 });
    expect(first.comparedWith).toBeUndefined();
    expect(first.notes).toEqual(['no database configured']);

    const second = await backup(2);
    expect(second).toMatchObject({
      comparedWith: first.key,
      filesUnchanged: 1,
      bytesUnchanged: WEIGHTS_BYTES,
      piecesStored: 0,
    });
    expect(await restored(second.key)).toEqual(expected());

    // A deploy writes the new weights beside the old and renames them over: a new version of the file.
    weights = randomBytes(WEIGHTS_BYTES);
    await writeFile(join(volume, 'weights/layer-0.new'), weights);
    await rename(join(volume, 'weights/layer-0.new'), join(volume, WEIGHTS));
    const third = await backup(3);
    expect(third).toMatchObject({ comparedWith: second.key, filesUnchanged: 0, piecesStored: 2 });
    expect(await restored(third.key)).toEqual(expected());
  });
});
