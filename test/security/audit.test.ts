// The security audit on the local cluster: workloads with each bad property in a fresh namespace, and
// bindings to cluster-admin, turned into typed findings by the real activities and the workflow.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectWorkloads } from '../../activities/security/audit.ts';
import { createReportActivities } from '../../activities/reports/index.ts';
import { createSecurityActivities } from '../../activities/security/index.ts';
import { applyObjects } from '../../activities/kubernetes/resources.ts';
import { securityAuditWorkflow } from '../../workflows/index.ts';
import { imagePinning } from '../../workflows/security/audit-policy.ts';
import { toolPath } from '../../stack/tools.ts';
import { freshNamespace, testKube } from '../helpers/kube.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { withWorker } from '../helpers/temporal.ts';
import { alertRecorder } from './helpers.ts';

const digest = `sha256:${'ab'.repeat(32)}`;
let namespace: string;
let clusterBinding: string;

function deployment(name: string, podSpec: object) {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
  };
}

beforeAll(async () => {
  namespace = await freshNamespace('audit');
  clusterBinding = `pno-test-${namespace}-admin`;
  await applyObjects(
    testKube(),
    [
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace }, stringData: { token: 'x' } },
      deployment('risky', {
        containers: [
          {
            name: 'agent',
            image: 'docker.io/library/busybox:latest',
            securityContext: { privileged: true, runAsUser: 0 },
            volumeMounts: [{ name: 'docker', mountPath: '/var/run/docker.sock' }],
          },
        ],
        volumes: [
          { name: 'docker', hostPath: { path: '/var/run/docker.sock' } },
          { name: 'creds', secret: { secretName: 'creds' } },
        ],
      }),
      deployment('hardened', {
        automountServiceAccountToken: false,
        securityContext: { runAsNonRoot: true, runAsUser: 1000 },
        containers: [
          {
            name: 'app',
            image: `registry.example.com/pno/app@${digest}`,
            volumeMounts: [{ name: 'creds', mountPath: '/etc/creds', readOnly: true }],
          },
        ],
        volumes: [{ name: 'creds', secret: { secretName: 'creds' } }],
      }),
      {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'debug', namespace },
        spec: { containers: [{ name: 'shell', image: 'registry.example.com/tools/debug' }] },
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'alice-admin', namespace },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'alice' }],
      },
    ] as never[],
    { fieldManager: 'test' },
  );
  await testKube().objects.create({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: clusterBinding },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'default', namespace }],
  } as never);
});

afterAll(async () => {
  await testKube().objects.delete({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: clusterBinding },
  });
});

describe('security audit', () => {
  it('collects pod templates and bare pods as facts, with no Secret values', async () => {
    const { workloads, notAudited } = await collectWorkloads(testKube(), namespace);
    expect(notAudited).toEqual([]);
    expect(workloads.map((w) => `${w.kind}/${w.name}`).sort()).toEqual([
      'Deployment/hardened',
      'Deployment/risky',
      'Pod/debug',
    ]);
    const risky = workloads.find((w) => w.name === 'risky')!;
    expect(risky).toMatchObject({
      serviceAccount: 'default',
      automountServiceAccountToken: true,
      hostPathVolumes: [{ volume: 'docker', path: '/var/run/docker.sock' }],
      secretVolumes: [{ volume: 'creds', secret: 'creds' }],
      containers: [{ name: 'agent', privileged: true, runAsUser: 0, secretVolumeMounts: [], secretEnvRefs: [] }],
    });
    expect(workloads.find((w) => w.name === 'hardened')).toMatchObject({
      automountServiceAccountToken: false,
      runAsNonRoot: true,
      runAsUser: 1000,
    });
  });

  it('the weekly workflow: typed findings for each bad property, a clean hardened workload, and an alert', async () => {
    const bucket = await freshBucket('audit');
    const recorder = alertRecorder();
    const activities = {
      ...createSecurityActivities(testKube()),
      ...createReportActivities({ s3: testS3(), bucket }),
      sendAlert: recorder.sendAlert,
    };
    const report = await withWorker(activities, ({ client, taskQueue }) =>
      client.workflow.execute(securityAuditWorkflow, {
        taskQueue,
        workflowId: `audit-${namespace}`,
        args: [{ namespaces: [namespace] }],
      }),
    );
    const mine = report.findings.filter((f) => f.resource.includes(namespace));
    const risky = `Deployment ${namespace}/risky`;
    expect(mine).toContainEqual({
      check: 'privileged',
      severity: 'CRITICAL',
      resource: risky,
      container: 'agent',
      message: 'runs privileged',
    });
    expect(mine).toContainEqual({
      check: 'runs-as-root',
      severity: 'HIGH',
      resource: risky,
      container: 'agent',
      message: 'runs as UID 0 (runAsUser: 0)',
    });
    expect(mine).toContainEqual({
      check: 'host-path',
      severity: 'HIGH',
      resource: risky,
      message: 'mounts host path /var/run/docker.sock (volume docker)',
    });
    expect(mine).toContainEqual(
      expect.objectContaining({ check: 'mutable-image-tag', severity: 'HIGH', resource: risky, container: 'agent' }),
    );
    expect(mine).toContainEqual({
      check: 'unneeded-secret',
      severity: 'MEDIUM',
      resource: risky,
      message: 'Secret creds is a pod volume (creds) no container mounts',
    });
    expect(mine).toContainEqual(
      expect.objectContaining({ check: 'unneeded-secret', severity: 'LOW', resource: risky }),
    );
    expect(mine).toContainEqual(
      expect.objectContaining({ check: 'mutable-image-tag', severity: 'HIGH', resource: `Pod ${namespace}/debug` }),
    );
    expect(mine).toContainEqual(
      expect.objectContaining({ check: 'runs-as-root', severity: 'MEDIUM', resource: `Pod ${namespace}/debug` }),
    );
    expect(mine).toContainEqual({
      check: 'cluster-admin-binding',
      severity: 'CRITICAL',
      resource: `RoleBinding ${namespace}/alice-admin`,
      message: 'grants cluster-admin to User alice',
    });
    expect(report.findings).toContainEqual({
      check: 'cluster-admin-binding',
      severity: 'CRITICAL',
      resource: `ClusterRoleBinding ${clusterBinding}`,
      message: `grants cluster-admin to ServiceAccount ${namespace}/default`,
    });
    // Kubernetes' own system:masters binding is not a finding.
    expect(report.findings.some((f) => f.resource === 'ClusterRoleBinding cluster-admin')).toBe(false);
    // The hardened workload (non-root, digest, no token, its Secret mounted) has nothing to report.
    expect(mine.filter((f) => f.resource.endsWith('/hardened'))).toEqual([]);
    expect(report).toMatchObject({ full: false, workloadsAudited: 3, notAudited: [] });
    expect(report.findings[0]!.severity).toBe('CRITICAL');
    expect(report.reportKey).toBe(`reports/security/${report.checkedAt.slice(0, 10)}/audit-${namespace}.json`);
    expect(recorder.alerts).toMatchObject([{ type: 'security_audit', severity: 'critical', resolved: false }]);
  });

  it("the quarterly full audit adds trivy's misconfiguration checks on the exported manifests", async () => {
    const bucket = await freshBucket('audit');
    const cacheDir = await mkdtemp(join(tmpdir(), 'pno-trivy-'));
    try {
      const trivy = { path: toolPath('trivy'), cacheDir, offline: true };
      const activities = {
        ...createSecurityActivities(testKube(), trivy),
        ...createReportActivities({ s3: testS3(), bucket }),
        sendAlert: alertRecorder().sendAlert,
      };
      const report = await withWorker(activities, ({ client, taskQueue }) =>
        client.workflow.execute(securityAuditWorkflow, {
          taskQueue,
          workflowId: `audit-full-${namespace}`,
          args: [{ namespaces: [namespace], full: true }],
        }),
      );
      expect(report.full).toBe(true);
      // The two Deployments (Secrets and ConfigMaps are never written out for the scan).
      expect(report.configScan).toMatchObject({ filesScanned: 2 });
      expect(report.configScan!.passed).toBeGreaterThan(0);
      const misconfigurations = report.findings.filter((f) => f.check === 'misconfiguration');
      expect(misconfigurations.length).toBe(report.configScan!.failed);
      // trivy's own check for privileged containers agrees with ours on the risky workload.
      expect(misconfigurations).toContainEqual(
        expect.objectContaining({
          severity: 'HIGH',
          resource: expect.stringMatching(/risky\.yaml$/),
          message: expect.stringMatching(/^KSV-0017 Privileged/),
        }),
      );
    } finally {
      await rm(cacheDir, { recursive: true, force: true });
    }
  });

  it('tells pinned images from mutable tags', () => {
    expect(imagePinning(`registry.example.com:5000/pno/app@${digest}`)).toBe('digest');
    expect(imagePinning('registry.example.com:5000/pno/app:1.4.0')).toBe('tag');
    expect(imagePinning('registry.example.com:5000/pno/app')).toBe('latest');
    expect(imagePinning('busybox:latest')).toBe('latest');
  });
});
