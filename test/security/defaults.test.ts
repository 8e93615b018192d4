// The three security workflows with `--input '{}'` as the embedded default runs them: the fixture
// production namespace, the worker's own ServiceAccount (deploy/rbac.yaml) and the real trivy with no
// vulnerability database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { kubeClientsFrom, loadKubeConfig } from '../../activities/kubernetes/clients.ts';
import { createKubernetesActivities } from '../../activities/kubernetes/index.ts';
import { createReportActivities } from '../../activities/reports/index.ts';
import { createSecurityActivities } from '../../activities/security/index.ts';
import { certificateExpiryWorkflow, securityAuditWorkflow, securityUpdateWorkflow } from '../../workflows/index.ts';
import { toolPath } from '../../stack/tools.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { withWorker } from '../helpers/temporal.ts';
import { alertRecorder } from './helpers.ts';

let cacheDir: string;
beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'pno-trivy-'));
});
afterAll(() => rm(cacheDir, { recursive: true, force: true }));

async function workerActivities() {
  const kube = kubeClientsFrom(loadKubeConfig(inject('workerKubeconfig')));
  const recorder = alertRecorder();
  const activities = {
    ...createKubernetesActivities(kube),
    ...createSecurityActivities(kube, { path: toolPath('trivy'), cacheDir }),
    ...createReportActivities({ s3: testS3(), bucket: await freshBucket('defaults') }),
    sendAlert: recorder.sendAlert,
  };
  return { activities, alerts: recorder.alerts };
}

let runs = 0;
const id = (name: string) => `${name}-defaults-${Date.now()}-${runs++}`;

describe("security workflows with --input '{}'", () => {
  it('certificate expiry and the audit run on production as the worker ServiceAccount', async () => {
    const { activities } = await workerActivities();
    const [certificates, audit] = await withWorker(activities, ({ client, taskQueue }) =>
      Promise.all([
        client.workflow.execute(certificateExpiryWorkflow, { taskQueue, workflowId: id('certificates'), args: [{}] }),
        client.workflow.execute(securityAuditWorkflow, { taskQueue, workflowId: id('audit'), args: [{}] }),
      ]),
    );
    expect(certificates).toMatchObject({ status: 'OK', certManager: 'not installed', certificates: [] });
    expect(audit.namespaces).toEqual(['production']);
    expect(audit.workloadsAudited).toBeGreaterThanOrEqual(1);
    // The fixture service runs a tag without digest and the image decides its user.
    expect(audit.findings).toContainEqual(
      expect.objectContaining({
        check: 'mutable-image-tag',
        resource: 'Deployment production/pno-physics-bench',
        container: 'pno-inference',
      }),
    );
    expect(audit.findings).toContainEqual(
      expect.objectContaining({
        check: 'runs-as-root',
        severity: 'MEDIUM',
        resource: 'Deployment production/pno-physics-bench',
      }),
    );
    // What least privilege hides is said, not passed over.
    expect(audit.notAudited).toEqual([
      'the worker may not list DaemonSets in production',
      'the worker may not list CronJobs in production',
    ]);
  });

  it('the security update fails clearly without a vulnerability database, and alerts', async () => {
    const { activities, alerts } = await workerActivities();
    const err = await withWorker(activities, ({ client, taskQueue }) =>
      client.workflow
        .execute(securityUpdateWorkflow, { taskQueue, workflowId: id('security-update'), args: [{}] })
        .catch((e: unknown) => e),
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    const cause = (err as WorkflowFailedError).cause;
    expect(cause).toBeInstanceOf(ActivityFailure);
    expect(cause?.cause).toBeInstanceOf(ApplicationFailure);
    expect(cause?.cause).toMatchObject({ type: 'VulnDbUnavailable', nonRetryable: true });
    expect(alerts).toMatchObject([
      {
        type: 'security_scan_failed',
        severity: 'warning',
        dedupKey: 'security-scan-failed:production/pno-physics-bench',
      },
    ]);
  });
});
