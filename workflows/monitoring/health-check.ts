import { ActivityFailure } from '@temporalio/workflow';
import type { CheckResult, HealthReport } from '../../types/index.ts';
import { assessApi, assessHpa, assessPods, checkError, overallHealth } from './health-policy.ts';
import { requireHttpUrl, requireInteger, requireKubeName, requireSelector, withDefaults } from '../shared/input.ts';
import { beginRun } from '../shared/progress.ts';
import { probes, reads } from '../shared/activities.ts';

export interface HealthCheckInput {
  /** Base URL of the inference API; empty means the worker's configured PNO_API_URL. */
  apiBaseUrl?: string;
  namespace?: string;
  selector?: string;
  hpaName?: string;
  /** Per-request timeout, as the guide's `requests.get(..., timeout=10)`. */
  requestTimeoutMs?: number;
  latencyWarnMs?: number;
}

export const healthCheckDefaults: Required<HealthCheckInput> = {
  apiBaseUrl: '',
  namespace: 'production',
  selector: 'app=pno-physics-bench',
  hpaName: 'pno-hpa',
  requestTimeoutMs: 10_000,
  latencyWarnMs: 1_000,
};

/** Pod, API and HPA health of the inference service, as the guide's `custom_monitor.py`, once. */
export async function healthCheckWorkflow(rawInput: HealthCheckInput = {}): Promise<HealthReport> {
  const input = validate(rawInput);
  const progress = beginRun('health-check', input.namespace, 3, 'checking');

  const probe = (path: string) =>
    probes(input.requestTimeoutMs).probeEndpoint({ baseUrl: input.apiBaseUrl, path, timeoutMs: input.requestTimeoutMs });
  const settled = <T>(work: Promise<T>) => work.finally(() => progress.stepDone());

  const [api, pods, hpa] = await Promise.all([
    settled(Promise.all([probe('/health'), probe('/ready')])).then(([health, ready]) =>
      assessApi({ health, ready }, input),
    ),
    settled(orCheckError('pods', reads.listPods({ namespace: input.namespace, selector: input.selector }).then(assessPods))),
    settled(orCheckError('hpa', reads.getHpa({ namespace: input.namespace, name: input.hpaName }).then(assessHpa))),
  ]);
  progress.phase('done');
  const checks = { api, pods, hpa };
  return { status: overallHealth(checks), checkedAt: new Date().toISOString(), checks };
}

/** A check whose activity failed for good (e.g. HPA not found) is reported, not thrown. */
async function orCheckError<T>(name: string, check: Promise<CheckResult<T>>): Promise<CheckResult<T>> {
  try {
    return await check;
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    return checkError(name, err.cause?.message ?? err.message);
  }
}

function validate(raw: HealthCheckInput): Required<HealthCheckInput> {
  return checkHealthCheckFields(withDefaults('healthCheckWorkflow', raw, healthCheckDefaults));
}

/** The health check's field rules; workflows that pass these fields on check them up front too. */
export function checkHealthCheckFields<T extends Required<HealthCheckInput>>(input: T): T {
  if (input.apiBaseUrl !== '') requireHttpUrl('apiBaseUrl', input.apiBaseUrl);
  requireKubeName('namespace', input.namespace);
  requireSelector('selector', input.selector);
  requireKubeName('hpaName', input.hpaName);
  requireInteger('requestTimeoutMs', input.requestTimeoutMs, 100, 120_000);
  requireInteger('latencyWarnMs', input.latencyWarnMs, 1, 120_000);
  return input;
}
