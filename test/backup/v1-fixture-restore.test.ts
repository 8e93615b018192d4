// The committed format-v1 backup, stored in MinIO as the v1 writer labels it, verified and restored
// on the real servers: resources applied into a namespace, the models tree copied into its pods.
import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { DEFAULT_STAGE } from '../../activities/backup/index.ts';
import { restoreModels, restoreResources, type RestoreContext } from '../../activities/backup/restore.ts';
import { execCommand } from '../../activities/kubernetes/exec.ts';
import { strategicMergePatch } from '../../activities/kubernetes/patch.ts';
import { waitForRollout } from '../../activities/kubernetes/rollout.ts';
import { REAL_NODE_PLACEMENT } from '../../stack/kube/node.ts';
import { createStorageActivities } from '../../activities/storage/index.ts';
import { loadV1Fixture, V1_KEY_ID, V1_MANIFEST, V1_MODEL_FILES, V1_OBJECT_BYTES } from '../archive/v1-fixture.ts';
import { bindWorkerRoles, freshNamespace, testKube, workerKube } from '../helpers/kube.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';

const { sealed, key } = loadV1Fixture();
const realNodePodSpec = {
  ...REAL_NODE_PLACEMENT,
  containers: [{ name: 'pno-inference', imagePullPolicy: 'Never' }],
};
const objectKey = 'pno/backups/backup-fixture-v1.tar.gz.enc';

async function storedFixture(): Promise<string> {
  const bucket = await freshBucket('v1');
  await testS3().send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: objectKey,
      Body: sealed,
      Metadata: { 'pno-key-id': V1_KEY_ID, 'pno-format': 'pno-backup-v1' },
    }),
  );
  return bucket;
}

describe('the committed format-v1 backup on the real servers', () => {
  it('verifies: every entry checked, the summary exact', async () => {
    const bucket = await storedFixture();
    const { entries: _entries, ...summary } = V1_MANIFEST;
    expect(
      await createStorageActivities({ s3: testS3(), bucket, backupKey: key }).verifyBackup({ key: objectKey }),
    ).toEqual({
      bucket,
      key: objectKey,
      keyId: V1_KEY_ID,
      objectBytes: V1_OBJECT_BYTES,
      pieces: 0,
      pieceBytes: 0,
      entries: 10,
      bytes: 4722,
      manifest: { ...summary, entryCount: 10 },
    });
  });

  it("restores its resources into a namespace and its models into that namespace's pods", async () => {
    const bucket = await storedFixture();
    const namespace = await freshNamespace('v1');
    await bindWorkerRoles(namespace);
    const ctx: RestoreContext = {
      kube: workerKube(),
      storage: { s3: testS3(), bucket, backupKey: key },
      fieldManager: 'pno-test-v1-fixture',
      stage: { ...DEFAULT_STAGE, limitBytes: 64 * 1024 ** 2 },
      owner: `v1-fixture-${namespace}`,
    };

    const { applied, downloadedBytes } = await restoreResources(ctx, {
      key: objectKey,
      targetNamespace: namespace,
      includeMonitoring: false,
    });
    expect(downloadedBytes).toBe(V1_OBJECT_BYTES);
    expect(applied).toEqual([
      { kind: 'ConfigMap', namespace, name: 'pno-config' },
      { kind: 'Secret', namespace, name: 'pno-secrets' },
      { kind: 'Service', namespace, name: 'pno-physics-bench' },
      { kind: 'Deployment', namespace, name: 'pno-physics-bench' },
    ]);
    const config = await testKube().core.readNamespacedConfigMap({ namespace, name: 'pno-config' });
    expect(config.data).toEqual({ LOG_LEVEL: 'INFO', MAX_BATCH_SIZE: '32' });
    const secret = await testKube().core.readNamespacedSecret({ namespace, name: 'pno-secrets' });
    expect(Buffer.from(secret.data?.['api-token'] ?? '', 'base64').toString()).toBe('fixture-token-not-a-secret');

    // The v1 object predates the real node: placing its Deployment there is fixture setup, not restore.
    await testKube().apps.patchNamespacedDeployment(
      { namespace, name: 'pno-physics-bench', body: { spec: { template: { spec: realNodePodSpec } } } },
      strategicMergePatch,
    );
    expect(
      await waitForRollout(testKube(), namespace, 'pno-physics-bench', { timeoutMs: 60_000, pollMs: 200 }),
    ).toMatchObject({ done: true, failed: false, timedOut: false });
    // Into the container's own filesystem: the v1 Deployment mounts no models volume.
    const modelsDir = `/tmp/v1-models-${randomUUID().slice(0, 8)}`;
    const models = await restoreModels(ctx, {
      key: objectKey,
      namespace,
      selector: 'app=pno-physics-bench',
      container: 'pno-inference',
      modelsDir,
    });
    // Staged once, by the resources step: the models step read the stage, not the store.
    expect(models).toMatchObject({ files: 3, downloadedBytes: 0, modelsDir });
    expect(models.pods).toHaveLength(1);
    const [pod] = models.pods;
    for (const [path, digest] of Object.entries(V1_MODEL_FILES)) {
      const target = { namespace, pod: pod ?? '', container: 'pno-inference' };
      const sum = await execCommand(testKube(), target, ['sha256sum', `${modelsDir}/${path}`]);
      expect(sum, path).toMatchObject({ exitCode: 0, stdout: `${digest}  ${modelsDir}/${path}\n` });
    }
  });
});
