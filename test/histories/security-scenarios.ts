// Recorded runs of the security workflows. Activities are stubs at the boundary returning what the
// real ones return (tested on the real cluster, MinIO and trivy in test/security); the point here is
// each workflow's commands, replayed against every later version of the code.
import type { Activities } from '../../activities/index.ts';
import type { RolloutState } from '../../activities/kubernetes/rollout.ts';
import type { SendAlertInput, VulnerabilityFinding, WorkloadFacts } from '../../types/index.ts';
import type { WorkflowHandle } from '@temporalio/client';
import { approveUpdate } from '../../workflows/shared/approval.ts';
import { progressQuery } from '../../workflows/shared/progress.ts';
import type { Scenario } from './scenarios.ts';

/** Polls the run's progress until it reaches `phase` (a minute at most). */
async function waitForPhase(handle: WorkflowHandle, phase: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while ((await handle.query(progressQuery)).phase !== phase) {
    if (Date.now() > deadline) throw new Error(`${handle.workflowId} never reached ${phase}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const oldImage = 'registry.example.com/pno/pno-inference:1.4.0';
const candidate = 'registry.example.com/pno/pno-inference:1.4.1';
const candidateByDigest = `registry.example.com/pno/pno-inference@sha256:${'5e'.repeat(32)}`;

const finding = (
  id: string,
  pkg: string,
  severity: VulnerabilityFinding['severity'],
  fixedVersion: string,
): VulnerabilityFinding => ({
  id,
  severity,
  package: pkg,
  installedVersion: '1.0',
  fixedVersion,
  title: id,
  target: `${oldImage} (debian 12.5)`,
  packageClass: 'os-pkgs',
  packageType: 'debian',
});
const vulnerable = [
  finding('CVE-2024-5535', 'libssl3', 'CRITICAL', '3.0.14-1~deb12u1'),
  finding('CVE-2011-3374', 'apt', 'LOW', ''),
];
const patched = [finding('CVE-2011-3374', 'apt', 'LOW', '')];

const records: Partial<Activities> = {
  sendAlert: async (alert: SendAlertInput) => ({
    dedupKey: alert.dedupKey,
    status: alert.resolved ? 'resolved' : 'firing',
    delivered: [],
  }),
  putReport: async ({ kind }) => ({ bucket: 'pno-backups', key: `reports/${kind}/2026-11-20/history.json`, bytes: 1 }),
  // A configuration that turns approval off, so the scenarios roll out without one.
  securityPolicy: async () => ({ registries: [], requireApproval: false }),
};

/** A deployment whose image follows setImage and rolloutUndo; `readyImages` decides which roll out. */
function cluster(readyImages: string[]): Partial<Activities> {
  let image = oldImage;
  const state = (): RolloutState => {
    const ok = readyImages.includes(image);
    return {
      done: ok,
      failed: !ok,
      message: ok ? 'successfully rolled out' : 'rollout exceeded its progress deadline',
      revision: '2',
      images: { 'pno-inference': image },
    };
  };
  return {
    getRolloutState: async () => state(),
    setImage: async ({ image: next }) => {
      const previousImage = image;
      image = next;
      return { previousImage, image: next, changed: previousImage !== next };
    },
    waitForRollout: async () => ({ ...state(), timedOut: false }),
    rolloutUndo: async () => {
      image = oldImage;
      return { undone: true, fromRevision: '2', toRevision: '1', images: { 'pno-inference': image } };
    },
    scanImage: async ({ image: scanned }) => ({
      image: scanned,
      artifactName: scanned,
      targets: [],
      findings: scanned === oldImage ? vulnerable : patched,
    }),
  };
}

const risky: WorkloadFacts = {
  kind: 'Deployment',
  namespace: 'production',
  name: 'pno-physics-bench',
  serviceAccount: 'default',
  hostNetwork: false,
  hostPID: false,
  automountServiceAccountToken: true,
  hostPathVolumes: [{ volume: 'models', path: '/var/lib/pno' }],
  secretVolumes: [],
  containers: [
    {
      name: 'pno-inference',
      image: oldImage,
      init: false,
      privileged: true,
      secretVolumeMounts: [],
      secretEnvRefs: ['pno-secrets'],
    },
  ],
};

export const securityScenarios: Scenario[] = [
  {
    name: 'security-update-updated',
    workflowType: 'securityUpdateWorkflow',
    input: { candidateImage: candidate, verifyApi: false, modelCheck: null },
    activities: () => ({ ...records, ...cluster([oldImage, candidate]) }),
  },
  {
    // Approval on (the shipped default): the wait is announced, an operator approves, and the scanned
    // digest is what rolls out.
    name: 'security-update-approved',
    workflowType: 'securityUpdateWorkflow',
    input: { candidateImage: candidate, verifyApi: false, modelCheck: null },
    activities: () => {
      const stubs = cluster([oldImage, candidateByDigest]);
      return {
        ...records,
        ...stubs,
        securityPolicy: async () => ({ registries: [], requireApproval: true }),
        scanImage: async (input) => ({
          ...(await stubs.scanImage!(input)),
          ...(input.image === candidate ? { repoDigests: [candidateByDigest] } : {}),
        }),
      };
    },
    drive: async (_client, handle) => {
      await waitForPhase(handle, 'awaiting approval');
      await handle.executeUpdate(approveUpdate, { args: [{ approve: true, by: 'history-recorder' }] });
      await handle.result();
      return (await handle.describe()).runId;
    },
  },
  {
    name: 'security-update-rolled-back',
    workflowType: 'securityUpdateWorkflow',
    input: { candidateImage: candidate, verifyApi: false, modelCheck: null },
    activities: () => ({ ...records, ...cluster([oldImage]) }),
  },
  {
    name: 'security-update-refused',
    workflowType: 'securityUpdateWorkflow',
    input: { candidateImage: candidate },
    activities: () => ({
      ...records,
      ...cluster([oldImage, candidate]),
      scanImage: async ({ image }) => ({ image, artifactName: image, targets: [], findings: vulnerable }),
    }),
  },
  {
    name: 'certificate-expiry-critical',
    workflowType: 'certificateExpiryWorkflow',
    input: {},
    activities: () => ({
      ...records,
      listTlsCertificates: async ({ namespace }) => [
        { namespace, secret: 'api-tls', subject: 'CN=api.pno.example', notAfter: '2026-01-01T00:00:00.000Z' },
        { namespace, secret: 'broken-tls', parseError: 'tls.crt is not a PEM certificate' },
      ],
      listCertManagerCertificates: async () => ({ installed: false as const }),
    }),
  },
  {
    name: 'security-audit-findings',
    workflowType: 'securityAuditWorkflow',
    input: {},
    activities: () => ({
      ...records,
      collectWorkloads: async () => ({
        workloads: [risky],
        notAudited: [{ kind: 'DaemonSet' as const, reason: 'the worker may not list DaemonSets in production' }],
      }),
      bindingsToRoles: async () => [
        {
          kind: 'ClusterRoleBinding' as const,
          name: 'ops-admin',
          role: 'cluster-admin',
          subjects: [{ kind: 'User', name: 'alice' }],
          builtIn: false,
        },
      ],
    }),
  },
];
