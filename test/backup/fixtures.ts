// A copy of the production fixture in a namespace of the test's own, with models "in its pods", and
// the activities a backup/restore test runs with, bound to the real local servers.
import { randomBytes, randomUUID } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inject } from 'vitest';
import { createActivities } from '../../activities/index.ts';
import { BackupKey } from '../../activities/archive/index.ts';
import { applyObjects, exportNamespace } from '../../activities/kubernetes/resources.ts';
import { waitForRollout } from '../../activities/kubernetes/rollout.ts';
import { freshNamespace, testKube } from '../helpers/kube.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { goodModel, validationSet } from '../model/fixtures.ts';

export const PLANTED_SECRET = 'planted-secret-7f3a9c1e5b2d4086';

/** kwok runs exec on this host, so a "pod's" directory is a directory under the shared pod root. */
export async function modelsInPods(): Promise<{ dir: string; files: Record<string, Buffer> }> {
  const dir = join(inject('podRoot'), `models-${randomUUID().slice(0, 8)}`);
  await mkdir(join(dir, 'checkpoints'), { recursive: true });
  await copyFile(goodModel, join(dir, 'pno_model.onnx'));
  const checkpoint = randomBytes(200_000);
  await writeFile(join(dir, 'checkpoints/epoch-12.bin'), checkpoint);
  return { dir, files: { 'pno_model.onnx': await readFile(goodModel), 'checkpoints/epoch-12.bin': checkpoint } };
}

/** A namespace running a copy of the production fixture (Deployment, Service, HPA, config, Secret, PVC). */
export async function serviceCopy(prefix: string): Promise<string> {
  const kube = testKube();
  const namespace = await freshNamespace(prefix);
  await applyObjects(kube, await exportNamespace(kube, 'production'), {
    fieldManager: 'pno-test-copy',
    targetNamespace: namespace,
  });
  await waitForRollout(kube, namespace, 'pno-physics-bench', { timeoutMs: 60_000, pollMs: 200 });
  return namespace;
}

export async function backupSetup(apiUrl: string) {
  const bucket = await freshBucket('backup');
  const keyBytes = randomBytes(32);
  const backupKey = new BackupKey(keyBytes);
  const activities = createActivities({
    kube: testKube(),
    http: { defaultApiBaseUrl: apiUrl },
    model: { defaultValidationSetPath: validationSet, kube: testKube() },
    storage: { s3: testS3(), bucket, backupKey },
    // Where a workflow that leaves modelsDir empty looks: inside the shared pod root, never the host's /app.
    modelsDir: join(inject('podRoot'), 'app/models'),
  });
  return { bucket, backupKey, keyBytes, activities, prefix: `t/${randomUUID().slice(0, 8)}` };
}
