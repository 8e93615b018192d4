// Recorded runs of the health monitor and the optimizers. Activities are stubs at the boundary
// returning what the real ones return (tested on the real servers in test/alerts and test/monitors);
// the point here is the workflows' commands, replayed against every later version of the code.
import type { Activities } from '../../activities/index.ts';
import { createHttpActivities } from '../../activities/http/index.ts';
import type { SendAlertInput } from '../../types/index.ts';
import type { Scenario } from './scenarios.ts';
import { steadyHpa } from '../monitors/fixtures.ts';

const pods = [
  { name: 'pno-a', phase: 'Running', ready: true, restarts: 0 },
  { name: 'pno-b', phase: 'Running', ready: true, restarts: 0 },
];

/** Alerts and history lines as the real activities report them, with no sink or bucket behind them. */
const records: Partial<Activities> = {
  sendAlert: async (alert: SendAlertInput) => ({
    dedupKey: alert.dedupKey,
    status: alert.resolved ? 'resolved' : 'firing',
    delivered: [],
  }),
  appendJsonLine: async ({ key }) => ({ key, appended: true, lines: 1 }),
  readLatencyP95: async () => ({
    source: 'none',
    reason: 'no Prometheus configured (PNO_PROMETHEUS_URL on the worker)',
  }),
};

const cluster = (usage: { cpu: number; memory: number }, replicas: () => number = () => 2): Partial<Activities> => ({
  podMetrics: async () => ({
    available: true,
    pods: pods.map((p) => ({ pod: p.name, cpuMillicores: usage.cpu, memoryMiB: usage.memory })),
  }),
  getHpa: async () => ({ ...steadyHpa, currentReplicas: replicas() }),
  patchHpa: async ({ changes }) => ({ before: steadyHpa, after: { ...steadyHpa, ...changes } }),
  applyManifests: async () => [{ kind: 'Deployment', namespace: 'production', name: 'pno-physics-bench' }],
});

export const monitorScenarios: Scenario[] = [
  {
    name: 'health-monitor-healthy',
    workflowType: 'healthMonitorWorkflow',
    input: {},
    activities: ({ apiUrl }) => ({
      ...createHttpActivities({ defaultApiBaseUrl: apiUrl }),
      listPods: async () => pods,
      ...cluster({ cpu: 400, memory: 2000 }),
      ...records,
    }),
  },
  {
    name: 'health-monitor-unhealthy-alert',
    workflowType: 'healthMonitorWorkflow',
    input: {},
    activities: ({ apiUrl }) => ({
      ...createHttpActivities({ defaultApiBaseUrl: apiUrl }),
      listPods: async () => [],
      getHpa: async () => steadyHpa,
      podMetrics: async () => ({ available: false, reason: 'metrics API unavailable (HTTP 404)' }),
      ...records,
    }),
  },
  {
    // High CPU and memory: both applied on the first sample, the next one held back by the cooldown.
    name: 'auto-scaling-optimizer-apply',
    workflowType: 'autoScalingOptimizerWorkflow',
    input: { intervalSeconds: 1, sampleLimit: 2, apply: true },
    activities: () => ({ ...cluster({ cpu: 900, memory: 3300 }), ...records }),
  },
  {
    // Ten samples of flapping replicas over two runs (the recorded history is the last, which starts
    // from the window carried through continue-as-new): frequent scaling is recommended and applied.
    name: 'performance-optimizer-frequent-scaling',
    workflowType: 'performanceOptimizerWorkflow',
    input: { intervalSeconds: 1, samplesPerRun: 6, sampleLimit: 10, apply: true },
    activities: () => {
      let n = 0;
      return { ...cluster({ cpu: 500, memory: 1000 }, () => 2 + (n++ % 4)), ...records };
    },
  },
];
