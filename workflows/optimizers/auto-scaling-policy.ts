// Pure: the guide's auto-scaling optimizer (auto_scaling_optimizer.py). It reads the current usage;
// here "current" is the mean of the latest three samples (15 minutes), so one spike does not move the
// HPA's ceiling.
import type { HpaSnapshot } from '../../types/index.ts';
import { limits, recentMean, type Recommendation, type UsageSample } from './policy.ts';

export const CURRENT_SAMPLES = 3;

export function recommendAutoScaling(window: UsageSample[], hpa: HpaSnapshot | undefined): Recommendation[] {
  const recommendations: Recommendation[] = [];
  const cpu = recentMean(window, 'cpuAvg', CURRENT_SAMPLES);
  if (cpu && cpu.mean > limits.cpuHighMillicores && hpa && hpa.maxReplicas < limits.maxReplicas) {
    recommendations.push({
      action: 'increase_max_replicas',
      urgency: 'medium',
      maxReplicas: Math.min(limits.maxReplicas, hpa.maxReplicas + limits.maxReplicasStep),
      reason: `High CPU usage: ${Math.round(cpu.mean)}m average per pod (over ${limits.cpuHighMillicores}m); maxReplicas ${hpa.maxReplicas}`,
    });
  }
  const memory = recentMean(window, 'memoryAvg', CURRENT_SAMPLES);
  if (memory && memory.mean > limits.memoryHighMiB) {
    recommendations.push({
      action: 'increase_memory_limits',
      urgency: 'medium',
      memoryLimit: limits.memoryLimit,
      memoryRequest: limits.memoryRequest,
      reason: `High memory usage: ${Math.round(memory.mean)}Mi average per pod (over ${limits.memoryHighMiB}Mi)`,
    });
  }
  return recommendations;
}
