// The activities a backup/restore test runs with, bound to the real local servers. The namespaces
// they back up are copies of the production fixture (test/helpers/service.ts).
import { randomBytes, randomUUID } from 'node:crypto';
import { createActivities } from '../../activities/index.ts';
import { BackupKey } from '../../activities/archive/index.ts';
import { testKube } from '../helpers/kube.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { validationSet } from '../model/fixtures.ts';

export const PLANTED_SECRET = 'planted-secret-7f3a9c1e5b2d4086';

export async function backupSetup(apiUrl: string) {
  const bucket = await freshBucket('backup');
  const keyBytes = randomBytes(32);
  const backupKey = new BackupKey(keyBytes);
  const activities = createActivities({
    kube: testKube(),
    http: { defaultApiBaseUrl: apiUrl },
    model: { defaultValidationSetPath: validationSet, kube: testKube() },
    storage: { s3: testS3(), bucket, backupKey },
  });
  return { bucket, backupKey, keyBytes, activities, prefix: `t/${randomUUID().slice(0, 8)}` };
}
