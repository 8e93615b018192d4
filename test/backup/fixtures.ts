// The activities a backup/restore test runs with, bound to the real local servers, as the worker's
// ServiceAccount unless a test says otherwise. The namespaces they back up are copies of the
// production fixture (test/helpers/service.ts), where the worker has its production rights.
import { randomBytes, randomUUID } from 'node:crypto';
import { createActivities, type ActivityDeps } from '../../activities/index.ts';
import { BackupKey } from '../../activities/archive/index.ts';
import type { KubeClients } from '../../activities/kubernetes/clients.ts';
import { expect } from 'vitest';
import { testKube, workerKube } from '../helpers/kube.ts';
import { waitFor } from '../helpers/wait.ts';
import { MODELS_MOUNT, sha256, sha256InPods } from '../helpers/service.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { validationSet } from '../model/fixtures.ts';

export const PLANTED_SECRET = 'planted-secret-7f3a9c1e5b2d4086';

/** The steps a recovery (disaster recovery or the drill) reports, in order. */
export const RECOVERY_STEPS = [
  'access',
  'verify',
  'namespace',
  'approval',
  'resources',
  'pods',
  'models',
  'rollout',
  'verification',
];

/** `kube` is the worker's by default: a test that acts as someone else says who. `more` adds deps (alert sinks…). */
export async function backupSetup(apiUrl: string, kube: KubeClients = workerKube(), more: Partial<ActivityDeps> = {}) {
  const bucket = await freshBucket('backup');
  const keyBytes = randomBytes(32);
  const backupKey = new BackupKey(keyBytes);
  const activities = createActivities({
    kube,
    http: { defaultApiBaseUrl: apiUrl },
    model: { defaultValidationSetPath: validationSet, kube },
    storage: { s3: testS3(), bucket, backupKey },
    ...more,
  });
  return { bucket, backupKey, keyBytes, activities, prefix: `t/${randomUUID().slice(0, 8)}` };
}

/** Every file, as each running pod's container reads it, is byte-identical to what was backed up. */
export async function expectModelsInEveryPod(namespace: string, files: Record<string, Buffer>) {
  for (const [path, bytes] of Object.entries(files)) {
    const sums = await sha256InPods(namespace, `${MODELS_MOUNT}/${path}`);
    expect(Object.keys(sums).length, path).toBeGreaterThan(0);
    expect(Object.values(sums), path).toEqual(Object.keys(sums).map(() => sha256(bytes)));
  }
}

/** Deletes the namespace (as cluster-admin, the disaster) and waits until it is gone, its volumes with it. */
export async function namespaceGone(name: string) {
  await testKube().core.deleteNamespace({ name });
  await waitFor(
    `namespace ${name} gone`,
    () =>
      testKube()
        .core.readNamespace({ name })
        .then(
          () => undefined,
          () => true,
        ),
    60_000,
  );
}
