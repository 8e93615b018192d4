// The activities a backup/restore test runs with, bound to the real local servers, as the worker's
// ServiceAccount unless a test says otherwise. The namespaces they back up are copies of the
// production fixture (test/helpers/service.ts), where the worker has its production rights.
import { randomBytes, randomUUID } from 'node:crypto';
import { createActivities } from '../../activities/index.ts';
import { BackupKey } from '../../activities/archive/index.ts';
import type { KubeClients } from '../../activities/kubernetes/clients.ts';
import { workerKube } from '../helpers/kube.ts';
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

/** `kube` is the worker's by default: a test that acts as someone else says who. */
export async function backupSetup(apiUrl: string, kube: KubeClients = workerKube()) {
  const bucket = await freshBucket('backup');
  const keyBytes = randomBytes(32);
  const backupKey = new BackupKey(keyBytes);
  const activities = createActivities({
    kube,
    http: { defaultApiBaseUrl: apiUrl },
    model: { defaultValidationSetPath: validationSet, kube },
    storage: { s3: testS3(), bucket, backupKey },
  });
  return { bucket, backupKey, keyBytes, activities, prefix: `t/${randomUUID().slice(0, 8)}` };
}
