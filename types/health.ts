import type { HpaSnapshot, PodSnapshot } from './kubernetes.ts';

export type HealthStatus = 'HEALTHY' | 'DEGRADED' | 'UNHEALTHY';
export type CheckStatus = 'OK' | 'DEGRADED' | 'ERROR';

/** What one HTTP probe saw. A failed connection is a fact to report, not an error to retry. */
export interface HttpProbe {
  url: string;
  statusCode?: number;
  latencyMs: number;
  error?: string;
}

export interface CheckResult<Facts = unknown> {
  name: string;
  status: CheckStatus;
  message: string;
  facts?: Facts;
}

export interface ApiFacts {
  health: HttpProbe;
  ready: HttpProbe;
}

export interface PodFacts {
  total: number;
  ready: number;
  pods: PodSnapshot[];
}

export interface HealthReport {
  status: HealthStatus;
  checkedAt: string;
  checks: {
    api: CheckResult<ApiFacts>;
    pods: CheckResult<PodFacts>;
    hpa: CheckResult<HpaSnapshot>;
  };
}

/**
 * The service's p95 inference latency as Prometheus has it (the guide's query), or why there is no
 * figure: no Prometheus configured, unreachable, an error, or no series (no traffic in the window).
 */
export type LatencyReading =
  | {
      source: 'prometheus';
      query: string;
      /** The slowest series' p95 (one series per instance under the guide's query). */
      p95Ms: number;
      series: number;
      /** The labels of that series (e.g. its instance). */
      worst: Record<string, string>;
    }
  | { source: 'none'; reason: string };
