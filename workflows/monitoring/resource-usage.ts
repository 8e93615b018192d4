// Pure: what the pod metrics say about the service as a whole (the guide's `kubectl top pods` sums).
import type { PodMetricsResult } from '../../types/index.ts';

export type UsageSummary =
  | {
      available: true;
      pods: number;
      cpuAvgMillicores: number;
      cpuMaxMillicores: number;
      cpuTotalMillicores: number;
      memoryAvgMiB: number;
      memoryMaxMiB: number;
      memoryTotalMiB: number;
    }
  | { available: false; reason: string };

export function summarizeUsage(metrics: PodMetricsResult): UsageSummary {
  if (!metrics.available) return { available: false, reason: metrics.reason };
  const cpu = metrics.pods.map((p) => p.cpuMillicores);
  const memory = metrics.pods.map((p) => p.memoryMiB);
  const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
  const avg = (values: number[]) => (values.length === 0 ? 0 : Math.round(sum(values) / values.length));
  return {
    available: true,
    pods: metrics.pods.length,
    cpuAvgMillicores: avg(cpu),
    cpuMaxMillicores: Math.max(0, ...cpu),
    cpuTotalMillicores: sum(cpu),
    memoryAvgMiB: avg(memory),
    memoryMaxMiB: Math.max(0, ...memory),
    memoryTotalMiB: sum(memory),
  };
}
