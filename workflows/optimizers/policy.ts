// Pure policy shared by the optimizers: the guide's thresholds, the sliding window of usage samples,
// and how a recommendation becomes a change to the cluster. No I/O, so fixtures test it directly.
import type { HpaSnapshot, LatencyReading, PodMetricsResult } from '../../types/index.ts';

/** The guide's numbers (auto_scaling_optimizer.py, performance_optimizer.py). */
export const limits = {
  /** 80% of a 1000m CPU budget per pod. */
  cpuHighMillicores: 800,
  cpuVeryHighMillicores: 900,
  cpuLowMillicores: 300,
  /** 80% and 90% of the 4Gi memory limit. */
  memoryHighMiB: 3200,
  memoryVeryHighMiB: 3600,
  minReplicas: 2,
  maxReplicas: 20,
  maxReplicasStep: 5,
  memoryLimit: '6Gi',
  memoryRequest: '2Gi',
  /** Trends are judged on the latest samples, and only once there are this many. */
  trendSamples: 10,
  /** More distinct replica counts than this in the latest samples is "frequent scaling". */
  distinctReplicaCounts: 3,
  /** The guide's PNOHighLatency threshold: a p95 over 0.5 s. */
  latencyP95Ms: 500,
} as const;

/** 24 hours of history; at the guide's five-minute period that is 288 samples, the most kept. */
export const WINDOW_MS = 24 * 60 * 60 * 1000;
export const MAX_WINDOW_SAMPLES = 288;

export interface UsageSample {
  at: string;
  /** Per-pod averages and maxima; absent when the metrics API gave nothing. */
  cpuAvg?: number;
  cpuMax?: number;
  memoryAvg?: number;
  memoryMax?: number;
  pods: number;
  /** The HPA's current replicas (the pod count when there is no HPA status). */
  replicas: number;
  /** The service's p95 inference latency from Prometheus (the performance optimizer's samples only). */
  latencyP95Ms?: number;
}

export function sampleFrom(
  at: Date,
  metrics: PodMetricsResult,
  hpa: HpaSnapshot | undefined,
  latency?: LatencyReading,
): UsageSample {
  const pods = metrics.available ? metrics.pods : [];
  const mean = (values: number[]) => Math.round(values.reduce((a, b) => a + b, 0) / values.length);
  const usage =
    pods.length > 0
      ? {
          cpuAvg: mean(pods.map((p) => p.cpuMillicores)),
          cpuMax: Math.max(...pods.map((p) => p.cpuMillicores)),
          memoryAvg: mean(pods.map((p) => p.memoryMiB)),
          memoryMax: Math.max(...pods.map((p) => p.memoryMiB)),
        }
      : {};
  return {
    at: at.toISOString(),
    ...usage,
    pods: pods.length,
    replicas: hpa?.currentReplicas ?? pods.length,
    ...(latency?.source === 'prometheus' ? { latencyP95Ms: latency.p95Ms } : {}),
  };
}

/** Adds a sample and drops what is older than 24 hours or beyond the size bound, oldest first. */
export function addToWindow(window: UsageSample[], sample: UsageSample, now: Date): UsageSample[] {
  const cutoff = now.getTime() - WINDOW_MS;
  return [...window, sample].filter((s) => Date.parse(s.at) > cutoff).slice(-MAX_WINDOW_SAMPLES);
}

/** The mean of a field over the latest `count` samples that have it, with how many there were. */
export function recentMean(
  window: UsageSample[],
  field: 'cpuAvg' | 'memoryAvg' | 'latencyP95Ms',
  count: number,
): { mean: number; samples: number } | undefined {
  const values = window.flatMap((s) => (s[field] === undefined ? [] : [s[field]])).slice(-count);
  if (values.length === 0) return undefined;
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, samples: values.length };
}

export type Urgency = 'high' | 'medium' | 'low';

/** The HPA behaviour the guide applies against frequent scaling. */
export const stableHpaBehavior = {
  scaleUp: { stabilizationWindowSeconds: 120, policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
  scaleDown: { stabilizationWindowSeconds: 600, policies: [{ type: 'Percent', value: 25, periodSeconds: 120 }] },
};

export type Recommendation = { urgency: Urgency; reason: string } & (
  | { action: 'increase_max_replicas'; maxReplicas: number }
  | { action: 'increase_replicas' | 'decrease_replicas'; replicas: number }
  | { action: 'increase_memory_limits'; memoryLimit: string; memoryRequest: string }
  | { action: 'adjust_hpa_parameters'; behavior: typeof stableHpaBehavior }
);
export type RecommendationAction = Recommendation['action'];

/** The guide applies high and medium urgency on its own; low waits for a human. */
export function autoApplicable(rec: Recommendation): boolean {
  return rec.urgency === 'high' || rec.urgency === 'medium';
}

/** The same action is not applied again until the last change has had time to show in the metrics. */
export function inCooldown(
  lastApplied: Partial<Record<RecommendationAction, string>>,
  action: RecommendationAction,
  now: Date,
  cooldownMs: number,
): boolean {
  const last = lastApplied[action];
  return last !== undefined && now.getTime() - Date.parse(last) < cooldownMs;
}

export interface WorkloadRef {
  namespace: string;
  deployment: string;
  hpaName: string;
  container: string;
}

export type Operation =
  | { activity: 'patchHpa'; changes: { minReplicas?: number; maxReplicas?: number } }
  | { activity: 'applyManifests'; yaml: string }
  | { activity: 'none'; why: string };

/**
 * The change that carries out a recommendation. Replica counts go through the HPA's floor: with an
 * HPA on the deployment, scaling the deployment itself (the guide's `kubectl scale`) is undone by the
 * controller at its next sync. Resources and HPA behaviour are server-side applied, owning only
 * those fields (JSON is YAML, so the manifest is its JSON).
 */
export function operationFor(rec: Recommendation, target: WorkloadRef, hpa: HpaSnapshot | undefined): Operation {
  const needHpa = (make: (hpa: HpaSnapshot) => Operation): Operation =>
    hpa ? make(hpa) : { activity: 'none', why: `no HPA ${target.namespace}/${target.hpaName} to change` };
  switch (rec.action) {
    case 'increase_max_replicas':
      return needHpa((h) =>
        rec.maxReplicas > h.maxReplicas
          ? { activity: 'patchHpa', changes: { maxReplicas: rec.maxReplicas } }
          : { activity: 'none', why: `maxReplicas is already ${h.maxReplicas}` },
      );
    case 'increase_replicas':
      return needHpa((h) =>
        rec.replicas > h.minReplicas
          ? {
              activity: 'patchHpa',
              changes: { minReplicas: rec.replicas, maxReplicas: Math.max(h.maxReplicas, rec.replicas) },
            }
          : { activity: 'none', why: `the HPA floor is already ${h.minReplicas}` },
      );
    case 'decrease_replicas':
      return needHpa((h) =>
        rec.replicas < h.minReplicas
          ? { activity: 'patchHpa', changes: { minReplicas: rec.replicas } }
          : { activity: 'none', why: `the HPA floor (${h.minReplicas}) already lets it scale down to ${rec.replicas}` },
      );
    case 'increase_memory_limits':
      return {
        activity: 'applyManifests',
        yaml: JSON.stringify({
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: target.deployment, namespace: target.namespace },
          spec: {
            template: {
              spec: {
                containers: [
                  {
                    name: target.container,
                    resources: { limits: { memory: rec.memoryLimit }, requests: { memory: rec.memoryRequest } },
                  },
                ],
              },
            },
          },
        }),
      };
    case 'adjust_hpa_parameters':
      return needHpa(() => ({
        activity: 'applyManifests',
        yaml: JSON.stringify({
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: { name: target.hpaName, namespace: target.namespace },
          spec: { behavior: rec.behavior },
        }),
      }));
  }
}
