import { ActivityFailure } from '@temporalio/workflow';
import type { CheckResult, HealthReport } from '../../types/index.ts';
import { assessApi, assessHpa, assessPods, checkError, overallHealth } from './health-policy.ts';
import { parseInput } from '../shared/input.ts';
import { healthCheckInputSchema, type HealthCheckInput } from './input.ts';
import { beginRun } from '../shared/progress.ts';
import { probes, reads } from '../shared/activities.ts';

export { healthCheckDefaults, type HealthCheckInput } from './input.ts';

/** Pod, API and HPA health of the inference service, as the guide's `custom_monitor.py`, once. */
export async function healthCheckWorkflow(rawInput: HealthCheckInput = {}): Promise<HealthReport> {
  const input = parseInput(healthCheckInputSchema, 'healthCheckWorkflow', rawInput);
  const progress = beginRun('health-check', input.namespace, 3, 'checking');

  const probe = (path: string) =>
    input.apiService
      ? probes(input.requestTimeoutMs).probeService({
          namespace: input.namespace,
          service: input.apiService,
          path,
          timeoutMs: input.requestTimeoutMs,
        })
      : probes(input.requestTimeoutMs).probeEndpoint({
          baseUrl: input.apiBaseUrl,
          path,
          timeoutMs: input.requestTimeoutMs,
        });
  const settled = <T>(work: Promise<T>) => work.finally(() => progress.stepDone());

  const [api, pods, hpa] = await Promise.all([
    settled(Promise.all([probe('/health'), probe('/ready')])).then(([health, ready]) =>
      assessApi({ health, ready }, input),
    ),
    settled(
      orCheckError('pods', reads.listPods({ namespace: input.namespace, selector: input.selector }).then(assessPods)),
    ),
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
