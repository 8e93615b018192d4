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
