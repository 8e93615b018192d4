// Backup and disaster recovery end to end on the real servers: Temporal, MinIO, the local cluster
// with its real node, ONNX Runtime. A namespace copy of the fixture service is backed up, deleted
// (its models volume with it) and recovered; the models are checked inside the new pods' containers.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { exportNamespace } from '../../activities/kubernetes/resources.ts';
import { BACKUP_SUFFIX } from '../../activities/storage/index.ts';
import { CREATED_NAMESPACE_LABELS } from '../../types/index.ts';
import { backupWorkflow, disasterRecoveryWorkflow, restoreDrillWorkflow } from '../../workflows/index.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { ensureNamespace } from '../../activities/kubernetes/namespaces.ts';
import { bindWorkerRoles, testKube, workerKube } from '../helpers/kube.ts';
import { startReceiver } from '../alerts/receiver.ts';
import { testS3 } from '../helpers/s3.ts';
import { SERVICE_SELECTOR, modelsOnVolume, serviceCopy, servicePods } from '../helpers/service.ts';
import { withWorker } from '../helpers/temporal.ts';
import { listPods } from '../../activities/kubernetes/status.ts';
import { waitFor } from '../helpers/wait.ts';
import { PLANTED_SECRET, RECOVERY_STEPS, backupSetup, expectModelsInEveryPod, namespaceGone } from './fixtures.ts';

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

/** Deletes every pod of the service and waits until the Deployment's count of new ones, none of the old, are Ready. */
async function replaceEveryPod(namespace: string): Promise<string[]> {
  const deployment = await testKube().apps.readNamespacedDeployment({ namespace, name: 'pno-physics-bench' });
  const replicas = deployment.spec?.replicas ?? 1;
  // Every pod there is now, terminating ones from the recovery's restart included: none of them counts as new.
  const old = await servicePods(namespace);
  await testKube().core.deleteCollectionNamespacedPod({
    namespace,
    labelSelector: SERVICE_SELECTOR,
    gracePeriodSeconds: 1,
  });
  return waitFor(
    `${replicas} new ready pods in ${namespace}`,
    async () => {
      const fresh = (await listPods(testKube(), namespace, SERVICE_SELECTOR)).filter(
        (p) => p.ready && !old.includes(p.name),
      );
      return fresh.length === replicas ? fresh.map((p) => p.name) : undefined;
    },
    60_000,
  );
}

describe('backup and disaster recovery', () => {
  it('as the worker, backs up, loses the namespace, recovers it: rights re-bound, resources spec-equal, models byte-identical in every new pod, secret never in plaintext', async () => {
    const setup = await backupSetup(api.url);
    const namespace = await serviceCopy('dr');
    const files = await modelsOnVolume(namespace);
    const before = await specs(namespace);
    // The monitoring config is restored too, into a namespace that is gone as well (not the shared one).
    const monitoringNamespace = `mon-${namespace.slice(-8)}`;

    const outcome = await withWorker(setup.activities, async ({ client, taskQueue }) => {
      const backup = await client.workflow.execute(backupWorkflow, {
        taskQueue,
        workflowId: `backup-${namespace}`,
        args: [{ namespace, prefix: setup.prefix }],
      });
      const backupHistory = JSON.stringify(await client.workflow.getHandle(`backup-${namespace}`).fetchHistory());

      // The namespace goes, and its models volume with it (the provisioner deletes released volumes).
      await namespaceGone(namespace);

      const recovery = await client.workflow.execute(disasterRecoveryWorkflow, {
        taskQueue,
        workflowId: `dr-${namespace}`,
        args: [{ backupKey: backup.key, targetNamespace: namespace, includeMonitoring: true, monitoringNamespace }],
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
    expect(outcome.recovery.steps.map((s) => s.step)).toEqual(RECOVERY_STEPS);
    expect(outcome.recovery).toMatchObject({ model: 'PASS', targetNamespace: namespace });
    // The worker's rights went with the namespace: it created both again, with Pod Security enforced.
    const step = (name: string) => outcome.recovery.steps.find((s) => s.step === name)?.detail;
    expect(step('access')).toBe(
      `${namespace}: will bind pno-maintenance-workloads; ${monitoringNamespace}: will bind pno-maintenance-monitoring`,
    );
    expect(step('namespace')).toBe(
      `created; pno-maintenance-workloads bound in ${namespace}; pno-maintenance-monitoring bound in ${monitoringNamespace}`,
    );
    const monitoring = await exportNamespace(testKube(), monitoringNamespace);
    expect(monitoring.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(['ConfigMap/monitoring-config']);
    const created = await testKube().core.readNamespace({ name: namespace });
    expect(created.metadata?.labels).toMatchObject(CREATED_NAMESPACE_LABELS);
    const binding = await testKube().rbac.readNamespacedRoleBinding({ namespace, name: 'pno-maintenance-workloads' });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'pno-maintenance-worker', namespace: 'pno-maintenance' },
    ]);
    expect(await specs(namespace)).toEqual(before);
    // In the pods the recovery restarted, then in pods that never saw the copy: the models are on the
    // new volume, not in a container's own filesystem.
    await expectModelsInEveryPod(namespace, files);
    await replaceEveryPod(namespace);
    await expectModelsInEveryPod(namespace, files);

    const object = await testS3().send(new GetObjectCommand({ Bucket: setup.bucket, Key: outcome.backup.key }));
    const sealed = Buffer.from(await object.Body!.transformToByteArray());
    // Read once for the whole recovery (verify, resources, models): one object's worth of bytes.
    expect(outcome.recovery.downloadedBytes).toBe(sealed.length);
    expect(sealed.includes(PLANTED_SECRET)).toBe(false);
    expect(sealed.includes(Buffer.from(PLANTED_SECRET).toString('base64'))).toBe(false);
    expect(outcome.histories).not.toContain(PLANTED_SECRET);
    expect(outcome.histories).not.toContain(Buffer.from(PLANTED_SECRET).toString('base64'));
  }, 120_000);

  it(
    'runs the monthly drill as the worker: restore the latest backup into a scratch namespace, verify, measure against the RTO, clean up',
    { timeout: 180_000 },
    async () => {
      const receiver = await startReceiver();
      // What the worker is configured with as production's API: a drill must never probe it.
      const production = await startInferenceApi();
      onTestFinished(async () => {
        await Promise.all([receiver.close(), production.close()]);
      });
      const setup = await backupSetup(production.url, workerKube(), { alerts: { webhookUrl: receiver.url } });
      const namespace = await serviceCopy('drill-src');
      await modelsOnVolume(namespace);
      // A scratch namespace of this test's own, bound as deploy/rbac.yaml binds pno-dr-drill.
      const drillNamespace = `drill-${namespace.slice(-8)}`;
      await ensureNamespace(testKube(), drillNamespace);
      await bindWorkerRoles(drillNamespace, 'pno-dr-drill');

      const drill = await withWorker(setup.activities, async ({ client, taskQueue }) => {
        await client.workflow.execute(backupWorkflow, {
          taskQueue,
          workflowId: `backup-${namespace}`,
          args: [{ namespace, prefix: setup.prefix }],
        });
        const drill = await client.workflow.execute(restoreDrillWorkflow, {
          taskQueue,
          workflowId: `drill-${namespace}`,
          args: [{ prefix: setup.prefix, drillNamespace, sourceNamespace: namespace }],
        });
        // The same drill held to an objective no restore can meet: it fails, and says so to the sink.
        const tooSlow = await client.workflow.execute(restoreDrillWorkflow, {
          taskQueue,
          workflowId: `drill-slow-${namespace}`,
          args: [{ prefix: setup.prefix, drillNamespace, sourceNamespace: namespace, rtoTargetSeconds: 1 }],
        });
        return { ...drill, tooSlow };
      });

      expect(drill).toMatchObject({
        passed: true,
        drillNamespace,
        backupKey: `${setup.prefix}/backup-${namespace}${BACKUP_SUFFIX}`,
      });
      // Measured from start to verified service, and held to the default objective of 30 minutes.
      expect(drill).toMatchObject({ rtoTargetMs: 30 * 60_000, alerted: false });
      expect(drill.rtoMs).toBeGreaterThan(1000);
      expect(drill.rtoMs).toBeLessThan(drill.rtoTargetMs!);
      expect(drill.tooSlow).toMatchObject({ passed: false, rtoTargetMs: 1000, alerted: true });
      expect(drill.tooSlow.rtoMs).toBeGreaterThan(1000);
      expect(drill.tooSlow.failure).toMatch(/^recovery took \d+ s, over the RTO target of 1 s$/);
      expect(drill.tooSlow.cleanedUp).toContain('Deployment/pno-physics-bench');
      expect(receiver.requests.map((r) => (r.body as { type?: string }).type)).toEqual(['restore_drill_failed']);
      // Verified through the drill copy's own Service (the API server's proxy), not production's URL.
      expect(drill.steps.find((s) => s.step === 'verification')?.detail).toMatch(
        /^health (HEALTHY|DEGRADED), model PASS$/,
      );
      expect(production.hits('/health') + production.hits('/ready')).toBe(0);
      expect(drill.cleanedUp).toEqual(
        expect.arrayContaining([
          'Deployment/pno-physics-bench',
          'Secret/pno-secrets',
          'HorizontalPodAutoscaler/pno-hpa',
        ]),
      );
      const left = await testKube().apps.listNamespacedDeployment({ namespace: drillNamespace });
      expect(left.items.filter((d) => !d.metadata?.deletionTimestamp)).toEqual([]);
    },
  );
});
