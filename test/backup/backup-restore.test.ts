// Backup and disaster recovery end to end on the real servers: Temporal, MinIO, the local cluster,
// ONNX Runtime. A namespace copy of the fixture service is backed up, deleted and recovered.
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportNamespace } from '../../activities/kubernetes/resources.ts';
import { BACKUP_SUFFIX } from '../../activities/storage/index.ts';
import { backupWorkflow, disasterRecoveryWorkflow, restoreDrillWorkflow } from '../../workflows/index.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { testKube } from '../helpers/kube.ts';
import { testS3 } from '../helpers/s3.ts';
import { withWorker } from '../helpers/temporal.ts';
import { PLANTED_SECRET, backupSetup, modelsInPods, serviceCopy } from './fixtures.ts';

let api: InferenceApi;
beforeAll(async () => {
  api = await startInferenceApi();
});
afterAll(() => api.close());

/** Specs by `Kind/name`, less the restart stamp a recovery adds on purpose (it restarts the pods). */
const specs = async (namespace: string) =>
  Object.fromEntries(
    (await exportNamespace(testKube(), namespace)).map((o) => {
      const spec = structuredClone(o.spec) as
        { template?: { metadata?: { annotations?: Record<string, string> } } } | undefined;
      delete spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt'];
      return [`${o.kind}/${o.metadata?.name}`, { spec, data: o.data, labels: o.metadata?.labels }];
    }),
  );

async function namespaceGone(name: string) {
  await testKube().core.deleteNamespace({ name });
  for (;;) {
    const still = await testKube()
      .core.readNamespace({ name })
      .then(
        () => true,
        () => false,
      );
    if (!still) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('backup and disaster recovery', () => {
  it('backs up, loses the namespace, recovers it: resources spec-equal, models byte-identical, secret never in plaintext', async () => {
    const setup = await backupSetup(api.url);
    const namespace = await serviceCopy('dr');
    const models = await modelsInPods();
    const before = await specs(namespace);

    const outcome = await withWorker(setup.activities, async ({ client, taskQueue }) => {
      const backup = await client.workflow.execute(backupWorkflow, {
        taskQueue,
        workflowId: `backup-${namespace}`,
        args: [{ namespace, modelsDir: models.dir, prefix: setup.prefix }],
      });
      const backupHistory = JSON.stringify(await client.workflow.getHandle(`backup-${namespace}`).fetchHistory());

      await namespaceGone(namespace);
      await rm(models.dir, { recursive: true });

      const recovery = await client.workflow.execute(disasterRecoveryWorkflow, {
        taskQueue,
        workflowId: `dr-${namespace}`,
        args: [{ backupKey: backup.key, targetNamespace: namespace, modelsDir: models.dir }],
      });
      const recoveryHistory = JSON.stringify(await client.workflow.getHandle(`dr-${namespace}`).fetchHistory());
      return { backup, recovery, histories: backupHistory + recoveryHistory };
    });

    expect(outcome.backup).toMatchObject({
      components: ['resources', 'monitoring', 'models'],
      notes: ['no database configured'],
    });
    expect(outcome.backup.verified.entries).toBe(outcome.backup.entries);
    expect(outcome.backup.key).toBe(`${setup.prefix}/backup-${namespace}${BACKUP_SUFFIX}`);
    expect(outcome.recovery.steps.map((s) => s.step)).toEqual([
      'verify',
      'approval',
      'namespace',
      'resources',
      'pods',
      'models',
      'rollout',
      'verification',
    ]);
    expect(outcome.recovery).toMatchObject({ model: 'PASS', targetNamespace: namespace });
    expect(await specs(namespace)).toEqual(before);
    for (const [path, bytes] of Object.entries(models.files)) {
      expect(Buffer.compare(await readFile(join(models.dir, path)), bytes), path).toBe(0);
    }

    const object = await testS3().send(new GetObjectCommand({ Bucket: setup.bucket, Key: outcome.backup.key }));
    const sealed = Buffer.from(await object.Body!.transformToByteArray());
    expect(sealed.includes(PLANTED_SECRET)).toBe(false);
    expect(sealed.includes(Buffer.from(PLANTED_SECRET).toString('base64'))).toBe(false);
    expect(outcome.histories).not.toContain(PLANTED_SECRET);
    expect(outcome.histories).not.toContain(Buffer.from(PLANTED_SECRET).toString('base64'));
  });

  it('runs the monthly drill: restore the latest backup into a scratch namespace, verify, measure, clean up', async () => {
    const setup = await backupSetup(api.url);
    const namespace = await serviceCopy('drill-src');
    const models = await modelsInPods();
    const drillNamespace = `drill-${namespace.slice(-8)}`;

    const drill = await withWorker(setup.activities, async ({ client, taskQueue }) => {
      await client.workflow.execute(backupWorkflow, {
        taskQueue,
        workflowId: `backup-${namespace}`,
        args: [{ namespace, modelsDir: models.dir, prefix: setup.prefix }],
      });
      return client.workflow.execute(restoreDrillWorkflow, {
        taskQueue,
        workflowId: `drill-${namespace}`,
        args: [{ prefix: setup.prefix, drillNamespace }],
      });
    });

    expect(drill).toMatchObject({
      passed: true,
      drillNamespace,
      backupKey: `${setup.prefix}/backup-${namespace}${BACKUP_SUFFIX}`,
    });
    expect(drill.rtoMs).toBeGreaterThan(0);
    expect(drill.cleanedUp).toEqual(
      expect.arrayContaining(['Deployment/pno-physics-bench', 'Secret/pno-secrets', 'HorizontalPodAutoscaler/pno-hpa']),
    );
    const left = await testKube().apps.listNamespacedDeployment({ namespace: drillNamespace });
    expect(left.items.filter((d) => !d.metadata?.deletionTimestamp)).toEqual([]);
  });
});
