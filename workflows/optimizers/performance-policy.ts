// Pure: the guide's performance optimizer (performance_optimizer.py): trends over the latest ten
// samples of the 24-hour window, judged only once ten samples exist. The guide queries the p95
// latency and never uses it; here a sustained p95 over the limit asks for replicas, and holds back
// a scale-down that low CPU alone would ask for.
import type { HpaSnapshot } from '../../types/index.ts';
import { limits, recentMean, stableHpaBehavior, type Recommendation, type UsageSample } from './policy.ts';

export function recommendPerformance(
  window: UsageSample[],
  hpa: HpaSnapshot | undefined,
  latencyLimitMs: number = limits.latencyP95Ms,
): Recommendation[] {
  if (window.length < limits.trendSamples) return [];
  const recent = window.slice(-limits.trendSamples);
  const replicas = hpa?.currentReplicas ?? recent.at(-1)?.replicas ?? 0;
  const recommendations: Recommendation[] = [];

  const cpu = recentMean(recent, 'cpuAvg', limits.trendSamples);
  const latency = recentMean(recent, 'latencyP95Ms', limits.trendSamples);
  // Half the recent samples at least, so one stray reading decides nothing.
  const slow = latency && latency.samples >= limits.trendSamples / 2 && latency.mean > latencyLimitMs ? latency : null;
  const scaleUp = { action: 'increase_replicas' as const, replicas: Math.min(replicas + 2, limits.maxReplicas) };
  // Already at a cap, the guide's change would be a no-op; say nothing instead.
  if (cpu && cpu.mean > limits.cpuHighMillicores && replicas < limits.maxReplicas) {
    recommendations.push({
      ...scaleUp,
      urgency: cpu.mean > limits.cpuVeryHighMillicores ? 'high' : 'medium',
      reason: `High CPU usage: ${Math.round(cpu.mean)}m average`,
    });
  } else if (slow && replicas < limits.maxReplicas) {
    recommendations.push({
      ...scaleUp,
      urgency: slow.mean > 2 * latencyLimitMs ? 'high' : 'medium',
      reason: `High p95 latency: ${Math.round(slow.mean)} ms average over ${slow.samples} samples (limit ${latencyLimitMs} ms)`,
    });
  } else if (!slow && cpu && cpu.mean < limits.cpuLowMillicores && replicas > limits.minReplicas) {
    recommendations.push({
      action: 'decrease_replicas',
      urgency: 'low',
      replicas: Math.max(replicas - 1, limits.minReplicas),
      reason: `Low CPU usage: ${Math.round(cpu.mean)}m average`,
    });
  }

  const memory = recentMean(recent, 'memoryAvg', limits.trendSamples);
  if (memory && memory.mean > limits.memoryHighMiB) {
    recommendations.push({
      action: 'increase_memory_limits',
      urgency: memory.mean > limits.memoryVeryHighMiB ? 'high' : 'medium',
      memoryLimit: limits.memoryLimit,
      memoryRequest: limits.memoryRequest,
      reason: `High memory usage: ${Math.round(memory.mean)}Mi average`,
    });
  }

  const distinct = new Set(recent.map((s) => s.replicas)).size;
  if (distinct > limits.distinctReplicaCounts) {
    recommendations.push({
      action: 'adjust_hpa_parameters',
      urgency: 'medium',
      behavior: stableHpaBehavior,
      reason: `Frequent scaling detected: ${distinct} different replica counts in the last ${recent.length} samples`,
    });
  }
  return recommendations;
}
