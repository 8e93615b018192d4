// Pure policy: what the facts gathered by the health check mean. No I/O, so it is easy to test.
import type {
  ApiFacts,
  CheckResult,
  CheckStatus,
  HealthStatus,
  HpaSnapshot,
  PodFacts,
  PodSnapshot,
} from '../../types/index.ts';

export interface HealthThresholds {
  /** Above this, a /health answer counts as slow and the API as degraded. */
  latencyWarnMs: number;
}

export function assessApi(facts: ApiFacts, thresholds: HealthThresholds): CheckResult<ApiFacts> {
  const failed = [facts.health, facts.ready].filter((p) => p.statusCode !== 200);
  if (failed.length > 0) {
    const why = failed.map((p) => `${p.url}: ${p.error ?? `HTTP ${p.statusCode}`}`).join('; ');
    return { name: 'api', status: 'ERROR', message: why, facts };
  }
  if (facts.health.latencyMs > thresholds.latencyWarnMs) {
    return {
      name: 'api',
      status: 'DEGRADED',
      message: `/health took ${facts.health.latencyMs} ms (limit ${thresholds.latencyWarnMs} ms)`,
      facts,
    };
  }
  return { name: 'api', status: 'OK', message: `health and ready answered 200 in ${facts.health.latencyMs} ms`, facts };
}

export function assessPods(pods: PodSnapshot[]): CheckResult<PodFacts> {
  const ready = pods.filter((p) => p.ready).length;
  const facts = { total: pods.length, ready, pods };
  if (pods.length === 0) return { name: 'pods', status: 'ERROR', message: 'no pods match the selector', facts };
  if (ready === 0) return { name: 'pods', status: 'ERROR', message: `0 of ${pods.length} pods ready`, facts };
  if (ready < pods.length)
    return { name: 'pods', status: 'DEGRADED', message: `${ready} of ${pods.length} pods ready`, facts };
  return { name: 'pods', status: 'OK', message: `${ready} of ${pods.length} pods ready`, facts };
}

export function assessHpa(hpa: HpaSnapshot): CheckResult<HpaSnapshot> {
  const degraded = (message: string): CheckResult<HpaSnapshot> => ({
    name: 'hpa',
    status: 'DEGRADED',
    message,
    facts: hpa,
  });
  if (hpa.currentReplicas === undefined) return degraded('the HPA controller has not reported on this HPA yet');
  const replicas = `${hpa.currentReplicas} replicas (desired ${hpa.desiredReplicas ?? '?'}, range ${hpa.minReplicas}..${hpa.maxReplicas})`;
  if (hpa.currentReplicas < hpa.minReplicas) return degraded(`below minimum: ${replicas}`);
  // An HPA that cannot compute a replica count will not scale under load.
  if (!hpa.scalingActive) return degraded(`cannot autoscale: ${hpa.scalingMessage ?? 'scaling inactive'}; ${replicas}`);
  const scaling = hpa.currentReplicas !== hpa.desiredReplicas;
  return { name: 'hpa', status: 'OK', message: scaling ? `scaling: ${replicas}` : replicas, facts: hpa };
}

export function checkError(name: string, message: string): CheckResult<never> {
  return { name, status: 'ERROR', message };
}

/**
 * Overall status: the API or the pods failing outright make the service UNHEALTHY; anything else
 * short of all-OK is DEGRADED (the guide reports anything not OK as unhealthy; we keep the nuance).
 */
export function overallHealth(checks: { api: CheckResult; pods: CheckResult; hpa: CheckResult }): HealthStatus {
  const servingBroken = checks.api.status === 'ERROR' || checks.pods.status === 'ERROR';
  if (servingBroken) return 'UNHEALTHY';
  const all: CheckStatus[] = [checks.api.status, checks.pods.status, checks.hpa.status];
  return all.every((s) => s === 'OK') ? 'HEALTHY' : 'DEGRADED';
}
