// Fixture metrics for the optimizer policies and workflows: windows of samples and pod metrics.
import type { PodMetricsResult } from '../../types/index.ts';
import type { HpaSnapshot, PodSnapshot } from '../../types/index.ts';
import type { UsageSample } from '../../workflows/optimizers/policy.ts';

export const hpa = (overrides: Partial<HpaSnapshot> = {}): HpaSnapshot => ({
  name: 'pno-hpa',
  minReplicas: 2,
  maxReplicas: 10,
  currentReplicas: 4,
  desiredReplicas: 4,
  scalingActive: true,
  ...overrides,
});

/** The fixture HPA at rest at its minimum of two replicas. */
export const steadyHpa: HpaSnapshot = hpa({ currentReplicas: 2, desiredReplicas: 2 });

export const readyPod = (name: string): PodSnapshot => ({ name, phase: 'Running', ready: true, restarts: 0 });

/** `count` samples five minutes apart ending at `end`, each with the given usage. */
export function window(
  count: number,
  usage: { cpu?: number; memory?: number; latency?: number; replicas?: number | ((i: number) => number) },
  end = new Date('2030-01-05T12:00:00Z'),
): UsageSample[] {
  return Array.from({ length: count }, (_, i) => {
    const at = new Date(end.getTime() - (count - 1 - i) * 5 * 60_000).toISOString();
    const replicas = typeof usage.replicas === 'function' ? usage.replicas(i) : (usage.replicas ?? 4);
    return {
      at,
      ...(usage.cpu !== undefined ? { cpuAvg: usage.cpu, cpuMax: usage.cpu } : {}),
      ...(usage.memory !== undefined ? { memoryAvg: usage.memory, memoryMax: usage.memory } : {}),
      pods: replicas,
      replicas,
      ...(usage.latency !== undefined ? { latencyP95Ms: usage.latency } : {}),
    };
  });
}

export function podMetrics(pods: { cpu: number; memory: number }[]): PodMetricsResult {
  return {
    available: true,
    pods: pods.map((p, i) => ({ pod: `pno-${i}`, cpuMillicores: p.cpu, memoryMiB: p.memory })),
  };
}
