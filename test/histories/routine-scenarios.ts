// Recorded runs of the four maintenance routines (and their children), with every activity stubbed at
// the boundary; they are tested against the real servers elsewhere. Replay guards the commands.
import type { Activities } from '../../activities/index.ts';
import { backupActivityStubs } from './backup-scenarios.ts';
import type { Scenario, ScenarioContext } from './scenarios.ts';

const emptyOutput = {
  bytes: 0,
  sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  tail: '',
};

function routineActivities(ctx: ScenarioContext): Partial<Activities> {
  return {
    ...backupActivityStubs(ctx),
    readLatencyP95: async () => ({
      source: 'prometheus',
      query: 'q',
      p95Ms: 120,
      series: 2,
      worst: { instance: 'pno-a' },
    }),
    securityPolicy: async () => ({ registries: [], requireApproval: false }),
    execInPod: async ({ command }) => ({
      pod: 'pno-a',
      command: [command],
      exitCode: 0,
      stdout: emptyOutput,
      stderr: emptyOutput,
    }),
    podMetrics: async () => ({ available: false as const, reason: 'metrics API unavailable (HTTP 404)' }),
    getRolloutState: async () => ({
      done: true,
      failed: false,
      message: 'successfully rolled out',
      revision: '1',
      images: { 'pno-inference': 'registry.example.com/pno/pno-inference:1.4.0' },
    }),
    scanImage: async ({ image }) => ({ image, artifactName: image, targets: [], findings: [] }),
    scanNamespaceConfig: async () => ({ scanned: 'namespace production', filesScanned: 3, passed: 3, findings: [] }),
    putReport: async ({ kind }) => ({ bucket: 'b', key: `reports/${kind}/2026-01-01/w.json`, bytes: 10 }),
    sendAlert: async ({ dedupKey }) => ({ dedupKey, status: 'firing' as const, delivered: [] }),
    nodesSnapshot: async () => ({ count: 1, yaml: 'kind: Node\n' }),
    capacityFacts: async () => ({
      nodes: 1,
      allocatableCpuMillicores: 64000,
      allocatableMemoryMiB: 262144,
      requestedCpuMillicores: 1000,
      requestedMemoryMiB: 4096,
      requestsCounted: ['production'],
      servicePods: 2,
      podCpuMillicores: 500,
      podMemoryMiB: 2048,
    }),
    versionFacts: async () => ({
      controlPlane: 'v1.36.3',
      kubelets: { 'kwok-node-0': 'v1.36.3' },
      images: { 'pno-inference': 'registry.example.com/pno/pno-inference:1.4.0' },
    }),
    listTlsCertificates: async () => [],
    listCertManagerCertificates: async () => ({ installed: false as const }),
    collectWorkloads: async () => ({ workloads: [], notAudited: [] }),
    bindingsToRoles: async () => [],
  };
}

export const routineScenarios: Scenario[] = [
  {
    name: 'daily-maintenance',
    workflowType: 'dailyMaintenanceWorkflow',
    input: { latencyProbes: 3 },
    activities: routineActivities,
  },
  { name: 'weekly-maintenance', workflowType: 'weeklyMaintenanceWorkflow', input: {}, activities: routineActivities },
  { name: 'monthly-maintenance', workflowType: 'monthlyMaintenanceWorkflow', input: {}, activities: routineActivities },
  {
    name: 'quarterly-maintenance',
    workflowType: 'quarterlyMaintenanceWorkflow',
    input: { benchmark: { samples: 5 } },
    activities: routineActivities,
  },
];
