// What a restore lets in from an authentic backup (sealed with the product key, manifest intact): only
// the kinds it backs up, only objects of the namespace it came from, cleaned again, never minted
// tokens; and the backup only into the namespace it was taken from unless sourceNamespace says so.
// Real MinIO, the real API server, as the worker's ServiceAccount; each refusal applies nothing.
import { WorkflowFailedError } from '@temporalio/client';
import { stringify } from 'yaml';
import { describe, expect, it } from 'vitest';
import { restoreResources, type RestoreContext } from '../../activities/backup/restore.ts';
import { DEFAULT_STAGE } from '../../activities/backup/index.ts';
import { exportNamespace } from '../../activities/kubernetes/resources.ts';
import { writeBackup } from '../../activities/storage/backup.ts';
import { BACKUP_SUFFIX } from '../../activities/storage/index.ts';
import { MAINTAINED_BY, MAINTAINED_BY_LABEL } from '../../types/index.ts';
import { disasterRecoveryWorkflow } from '../../workflows/index.ts';
import { bindWorkerRoles, freshNamespace, testKube, workerKube } from '../helpers/kube.ts';
import { testS3 } from '../helpers/s3.ts';
import { historyEvents, withWorker } from '../helpers/temporal.ts';
import { backupSetup } from './fixtures.ts';

type Setup = Awaited<ReturnType<typeof backupSetup>>;

/** An authentic backup of `namespace` holding these objects, at the key its workflow id names. */
async function authenticBackup(setup: Setup, namespace: string, objects: object[], workflowId: string) {
  const key = `${setup.prefix}/${workflowId}${BACKUP_SUFFIX}`;
  await writeBackup({
    s3: testS3(),
    bucket: setup.bucket,
    key,
    keyMaterial: setup.backupKey,
    manifest: { namespace, components: ['resources'], workflowId, runId: 'r' },
    entries: objects.map((o, i) => {
      const body = Buffer.from(stringify(o));
      return { path: `resources/${(o as { kind: string }).kind}/${i}.yaml`, size: body.length, source: body };
    }),
  });
  return key;
}

const configMap = (name: string, extra: object = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name },
  data: { a: '1' },
  ...extra,
});

async function restoreAs(setup: Setup, key: string, targetNamespace: string) {
  const ctx: RestoreContext = {
    kube: workerKube(),
    storage: { s3: testS3(), bucket: setup.bucket, backupKey: setup.backupKey },
    fieldManager: 'pno-test-admission',
    stage: { ...DEFAULT_STAGE, limitBytes: 64 * 1024 ** 2 },
    owner: `admission-${key}`,
  };
  return restoreResources(ctx, { key, targetNamespace, includeMonitoring: false });
}

async function workerTarget(prefix: string) {
  const namespace = await freshNamespace(prefix, { [MAINTAINED_BY_LABEL]: MAINTAINED_BY });
  await bindWorkerRoles(namespace);
  return namespace;
}

describe('what a restore lets in', () => {
  it.each([
    [
      'a kind it never backs up',
      { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'x' } },
      /RoleBinding "x" is not a kind a restore applies/,
    ],
    [
      'a known kind at another apiVersion',
      { apiVersion: 'apps/v1beta1', kind: 'Deployment', metadata: { name: 'x' } },
      /apps\/v1beta1\/Deployment "x" is not a kind/,
    ],
    [
      'a cluster-scoped object',
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kube-system' } },
      /v1\/Namespace "kube-system" is not a kind/,
    ],
    [
      'an object of another namespace',
      configMap('evil', { metadata: { name: 'evil', namespace: 'kube-system' } }),
      /belongs to namespace kube-system, not src-/,
    ],
  ])('refuses %s, and applies nothing of the backup', async (_what, hostile, reason) => {
    const setup = await backupSetup('http://127.0.0.1:9');
    const source = `src-${setup.prefix.slice(-8)}`;
    const key = await authenticBackup(setup, source, [configMap('fine'), hostile], `backup-${source}`);
    const target = await workerTarget('admit');
    await expect(restoreAs(setup, key, target)).rejects.toMatchObject({
      type: 'BadArchive',
      message: expect.stringMatching(reason),
    });
    expect(await exportNamespace(testKube(), target)).toEqual([]);
  });

  it('cleans what it applies: no minted token, no status or owners, no claim pinned to an old volume', async () => {
    const setup = await backupSetup('http://127.0.0.1:9');
    const source = `src-${setup.prefix.slice(-8)}`;
    const key = await authenticBackup(
      setup,
      source,
      [
        configMap('owned', {
          metadata: { name: 'owned', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'p', uid: '1' }] },
          status: { phase: 'x' },
        }),
        {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'token', annotations: { 'kubernetes.io/service-account.name': 'default' } },
          type: 'kubernetes.io/service-account-token',
        },
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: 'data' },
          spec: {
            accessModes: ['ReadWriteOnce'],
            resources: { requests: { storage: '1Mi' } },
            storageClassName: 'pno-local',
            volumeName: 'pv-of-another-cluster',
          },
        },
      ],
      `backup-${source}`,
    );
    const target = await workerTarget('admit');
    const { applied } = await restoreAs(setup, key, target);
    expect(applied.map((o) => `${o.kind}/${o.name}`)).toEqual(['ConfigMap/owned', 'PersistentVolumeClaim/data']);
    const owned = await testKube().core.readNamespacedConfigMap({ namespace: target, name: 'owned' });
    expect(owned.metadata?.ownerReferences).toBeUndefined();
    const claim = await testKube().core.readNamespacedPersistentVolumeClaim({ namespace: target, name: 'data' });
    expect(claim.spec?.volumeName).not.toBe('pv-of-another-cluster');
    const secrets = await testKube().core.listNamespacedSecret({ namespace: target });
    expect(secrets.items.map((s) => s.metadata?.name)).not.toContain('token');
  });

  it('restores a backup only into the namespace it came from, unless sourceNamespace names it', async () => {
    const setup = await backupSetup('http://127.0.0.1:9');
    const staging = `staging-${setup.prefix.slice(-8)}`;
    const key = await authenticBackup(setup, staging, [configMap('from-staging')], `backup-${staging}`);
    const target = await workerTarget('prod');
    await withWorker(setup.activities, async ({ client, taskQueue }) => {
      const workflowId = `dr-bound-${target}`;
      const error = await client.workflow
        .execute(disasterRecoveryWorkflow, {
          taskQueue,
          workflowId,
          args: [{ backupKey: key, targetNamespace: target, verify: false }],
        })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WorkflowFailedError);
      expect((error as WorkflowFailedError).cause?.message).toBe(
        `backup ${key} is of namespace ${staging}, not ${target}: set sourceNamespace to restore it into another`,
      );
      const scheduled = (await historyEvents(client, workflowId))
        .map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
        .filter(Boolean);
      expect(scheduled).toEqual(['reviewAccess', 'stageBackup']);
      expect(await exportNamespace(testKube(), target)).toEqual([]);
    });
  });
});
