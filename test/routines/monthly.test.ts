// The monthly maintenance routine on the real servers, run as the worker's own ServiceAccount under
// deploy/rbac.yaml: the full backup of production into a fresh bucket, the restore drill into a
// drill namespace bound as deploy/rbac.yaml binds pno-dr-drill, and its cleanup, the security update, the
// retraining check from the real ONNX check, infrastructure manifests applied server-side, and the
// compliance report. Production is read, never changed; the test checks that too.
import { randomBytes } from 'node:crypto';
import { HeadObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupKey } from '../../activities/archive/index.ts';
import { exportNamespace } from '../../activities/kubernetes/resources.ts';
import { DEFAULT_BACKUP_PREFIX, type ImageScan, type ModelHealthReport } from '../../types/index.ts';
import type { BackupResult } from '../../workflows/backup/backup.ts';
import type { DrillReport } from '../../workflows/backup/drill.ts';
import { monthlyMaintenanceWorkflow } from '../../workflows/routines/monthly.ts';
import type { MonthlyInput } from '../../workflows/routines/input.ts';
import { startReceiver, type Receiver } from '../alerts/receiver.ts';
import { RECOVERY_STEPS } from '../backup/fixtures.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { bindWorkerRoles, freshNamespace, testKube, workerKube } from '../helpers/kube.ts';
import { testS3 } from '../helpers/s3.ts';
import { testClient, withWorker } from '../helpers/temporal.ts';
import { byStep, realActivities, routineAlerts, stepsByName, storedJson } from './helpers.ts';

const productionImage = 'registry.example.com/pno/pno-inference:1.4.0';

let api: InferenceApi;
let receiver: Receiver;

beforeAll(async () => {
  [api, receiver] = await Promise.all([startInferenceApi(), startReceiver()]);
});
afterAll(() => Promise.all([api?.close(), receiver?.close()]));

let runs = 0;

/** One monthly run as the worker; every activity real but the image scan. */
async function runMonthly(input: MonthlyInput) {
  const scanned: string[] = [];
  const { activities, bucket } = await realActivities(
    { api, receiver, kube: workerKube(), backupKey: new BackupKey(randomBytes(32)) },
    {
      // Stubbed at the activity boundary: trivy needs the registry's image and its vulnerability
      // database, and neither is reachable offline (the real trivy runs on image archives against a
      // fixture database in test/security). The running image comes from the real deployment.
      scanImage: async ({ image }): Promise<ImageScan> => {
        scanned.push(image);
        return { image, artifactName: image, os: 'debian 12.5', targets: [], findings: [] };
      },
    },
  );
  const workflowId = `monthly-${Date.now()}-${runs++}`;
  const from = receiver.requests.length;
  const report = await withWorker(activities, ({ client, taskQueue }) =>
    client.workflow.execute(monthlyMaintenanceWorkflow, { taskQueue, workflowId, args: [input] }),
  );
  return { report, bucket, workflowId, from, scanned };
}

const childResult = async <T>(workflowId: string): Promise<T> =>
  (await testClient()).workflow.getHandle(workflowId).result() as Promise<T>;

/** The month's evidence the compliance report must hold: every step before it. */
const evidenceOf = (steps: { step: string; status: string; detail: string }[]) =>
  Object.fromEntries(steps.map((s) => [s.step, { status: s.status, detail: s.detail }]));

describe('monthly maintenance as the worker ServiceAccount', () => {
  it('backs up, drills the restore and cleans up, checks security and the model, applies infrastructure, files the evidence', async () => {
    const infra = await freshNamespace('infra');
    // A drill namespace of this test's own, bound as deploy/rbac.yaml binds pno-dr-drill (restore and
    // delete), so no other test file working in pno-dr-drill races this drill's cleanup.
    const drillNamespace = await freshNamespace('drill');
    await Promise.all([bindWorkerRoles(infra), bindWorkerRoles(drillNamespace, 'pno-dr-drill')]);
    const manifests = [
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: pno-infra-settings\n  namespace: ${infra}\ndata:\n  MAX_BATCH_SIZE: "64"\n`,
      `apiVersion: v1\nkind: Service\nmetadata:\n  name: pno-infra-probe\n  namespace: ${infra}\nspec:\n  selector:\n    app: pno-physics-bench\n  ports:\n    - port: 9000\n`,
    ].join('---\n');
    const productionBefore = await exportNamespace(testKube(), 'production');

    const { report, bucket, workflowId, from, scanned } = await runMonthly({
      infrastructureManifests: manifests,
      restoreDrill: { drillNamespace },
    });
    const steps = stepsByName(report);
    expect(report.steps.map((s) => s.step)).toEqual([
      'full backup',
      'security updates',
      'retraining check',
      'infrastructure updates',
      'restore drill',
      'compliance report',
    ]);

    // Full backup: production's resources, monitoring config and models, sealed in the fresh bucket.
    const backup = await childResult<BackupResult>(`${workflowId}-backup`);
    expect(backup.key).toBe(`${DEFAULT_BACKUP_PREFIX}/${workflowId}-backup.tar.gz.enc`);
    expect(backup).toMatchObject({
      components: ['resources', 'monitoring', 'models'],
      notes: ['no database configured'],
    });
    expect(backup.verified.entries).toBe(backup.entries);
    const head = await testS3().send(new HeadObjectCommand({ Bucket: bucket, Key: backup.key }));
    expect(head.ContentLength).toBe(backup.objectBytes);
    expect(steps['full backup']).toMatchObject({
      status: 'ok',
      detail: `${backup.key}: ${backup.entries} entries, ${backup.objectBytes} bytes, verified`,
    });

    // Restore drill: that backup restored into the drill namespace, verified, measured, then removed.
    const drill = await childResult<DrillReport>(`${workflowId}-drill`);
    expect(drill).toMatchObject({ passed: true, backupKey: backup.key, drillNamespace });
    expect(drill.steps.map((s) => s.step)).toEqual(RECOVERY_STEPS);
    const drillStep = Object.fromEntries(drill.steps.map((s) => [s.step, s.detail]));
    expect(drillStep.verify).toMatch(new RegExp(`^${backup.entries} entries, `));
    // production's served model (the stack puts it on its models volume), copied through the pods
    // ready at that moment (at least one; they share the restored volume, which the restart keeps);
    // then the restored model checked in a pod.
    expect(drillStep.models).toMatch(/^1 files to [12] pods$/);
    expect(drillStep.verification).toMatch(/^health [A-Z]+, model PASS$/);
    expect(drill.cleanedUp).toEqual([
      'HorizontalPodAutoscaler/pno-hpa',
      'Deployment/pno-physics-bench',
      'Service/pno-physics-bench',
      'PersistentVolumeClaim/pno-models',
      'Secret/pno-secrets',
      'ConfigMap/pno-config',
    ]);
    expect(steps['restore drill']).toMatchObject({
      status: 'ok',
      detail: `restored ${backup.key} in ${Math.round(drill.rtoMs / 1000)} s, cleaned up`,
    });
    const left = await testKube().apps.listNamespacedDeployment({ namespace: drillNamespace });
    expect(left.items.filter((d) => !d.metadata?.deletionTimestamp)).toEqual([]);
    const secrets = await testKube().core.listNamespacedSecret({ namespace: drillNamespace });
    expect(secrets.items.filter((s) => s.metadata?.name === 'pno-secrets' && !s.metadata.deletionTimestamp)).toEqual(
      [],
    );

    // Security updates: the image the production deployment really runs, scanned, nothing critical.
    expect(scanned).toEqual([productionImage]);
    expect(steps['security updates']).toMatchObject({ status: 'ok', detail: `UP_TO_DATE: ${productionImage}` });

    // Retraining check: the real ONNX check's validation error, well under 80% of the 0.1 limit.
    const model = await childResult<ModelHealthReport>(`${workflowId}-model`);
    const error = model.checks.inference.facts?.relativeL2Error;
    expect(model.status).toBe('PASS');
    expect(typeof error).toBe('number');
    expect(steps['retraining check']).toMatchObject({
      status: 'ok',
      detail: `no retraining needed (error ${error!.toFixed(4)}, age unknown days)`,
    });

    // Infrastructure updates: applied server-side by the worker, owned by this run's field manager.
    expect(steps['infrastructure updates']).toMatchObject({ status: 'ok', detail: '2 objects applied (server-side)' });
    const settings = await testKube().core.readNamespacedConfigMap({ namespace: infra, name: 'pno-infra-settings' });
    expect(settings.data).toEqual({ MAX_BATCH_SIZE: '64' });
    expect(settings.metadata?.managedFields).toContainEqual(
      expect.objectContaining({ manager: `pno-${workflowId}`, operation: 'Apply' }),
    );
    const probe = await testKube().core.readNamespacedService({ namespace: infra, name: 'pno-infra-probe' });
    expect(probe.spec?.ports?.[0]?.port).toBe(9000);
    expect(probe.metadata?.managedFields).toContainEqual(
      expect.objectContaining({ manager: `pno-${workflowId}`, operation: 'Apply' }),
    );

    // Compliance report: the month's evidence, step by step, in the bucket.
    const complianceKey = steps['compliance report']!.detail;
    expect(steps['compliance report']!.status).toBe('ok');
    expect(complianceKey).toMatch(new RegExp(`^reports/compliance/\\d{4}-\\d{2}-\\d{2}/${workflowId}\\.json$`));
    expect(await storedJson(bucket, complianceKey)).toEqual({
      month: report.startedAt.slice(0, 7),
      evidence: evidenceOf(report.steps.slice(0, 5)),
    });

    expect(report).toMatchObject({ routine: 'monthly', status: 'ok', alerted: false });
    expect(report.reportKey).toMatch(new RegExp(`^reports/routine-monthly/\\d{4}-\\d{2}-\\d{2}/${workflowId}\\.json$`));
    expect(await storedJson(bucket, report.reportKey)).toEqual(report);
    expect(routineAlerts(receiver, from, workflowId)).toEqual([]);
    // Read, backed up, scanned: production itself is as it was.
    expect(await exportNamespace(testKube(), 'production')).toEqual(productionBefore);
  }, 300_000);

  it('a refused backup skips the drill that needs it, and the routine alerts once', async () => {
    // The worker may not read kube-system (deploy/rbac.yaml): the backup fails with 403, permanently.
    const { report, bucket, workflowId, from } = await runMonthly({ backup: { namespace: 'kube-system' } });
    expect(byStep(report)).toEqual({
      'full backup': 'fail',
      'security updates': 'ok',
      'retraining check': 'ok',
      'infrastructure updates': 'skipped',
      'restore drill': 'skipped',
      'compliance report': 'warn',
    });
    const steps = stepsByName(report);
    // The backup child failed for good on the 403, before writing anything.
    const backupFailure = await childResult(`${workflowId}-backup`).catch((err: unknown) => err);
    expect(backupFailure).toBeInstanceOf(WorkflowFailedError);
    expect((backupFailure as WorkflowFailedError).cause?.cause).toMatchObject({
      type: 'Forbidden',
      nonRetryable: true,
      message: expect.stringContaining(
        'cannot list resource "serviceaccounts" in API group "" in the namespace "kube-system"',
      ),
    });
    // The step, the alert and the evidence name the root cause, not the child's "Activity task failed".
    expect(steps['full backup']!.detail).toContain(
      'cannot list resource "serviceaccounts" in API group "" in the namespace "kube-system"',
    );
    expect(steps['restore drill']).toEqual({
      step: 'restore drill',
      status: 'skipped',
      detail: 'needs full backup, which did not succeed',
      durationMs: 0,
    });
    expect(steps['infrastructure updates']).toEqual({
      step: 'infrastructure updates',
      status: 'skipped',
      detail: 'no infrastructure manifests configured',
      durationMs: 0,
    });

    // The drill never started, and no backup object was written.
    await expect((await testClient()).workflow.getHandle(`${workflowId}-drill`).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
    const objects = await testS3().send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: `${DEFAULT_BACKUP_PREFIX}/` }),
    );
    expect(objects.KeyCount).toBe(0);

    // The gap is in the month's evidence.
    const compliance = steps['compliance report']!;
    const complianceKey = /^gaps: full backup; (reports\/compliance\/\S+)$/.exec(compliance.detail)?.[1];
    expect(complianceKey).toMatch(new RegExp(`^reports/compliance/\\d{4}-\\d{2}-\\d{2}/${workflowId}\\.json$`));
    expect(await storedJson(bucket, complianceKey!)).toEqual({
      month: report.startedAt.slice(0, 7),
      evidence: evidenceOf(report.steps.slice(0, 5)),
    });

    expect(report).toMatchObject({ routine: 'monthly', status: 'fail', alerted: true });
    expect(await storedJson(bucket, report.reportKey)).toEqual(report);
    const alerts = routineAlerts(receiver, from, workflowId);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({
      status: 'firing',
      type: 'routine_monthly_failed',
      severity: 'warning',
      summary: 'monthly maintenance: 1 step(s) failed: full backup',
      details: { failed: [steps['full backup']], workflowId, reportKey: report.reportKey },
      dedupKey: `routine-monthly-${workflowId}`,
    });
  }, 300_000);
});
