import { ActivityFailure, ApplicationFailure, executeChild, workflowInfo } from '@temporalio/workflow';
import { FailureType, type HealthStatus, type SendAlertResult } from '../../types/index.ts';
import { healthCheckWorkflow } from './health-check.ts';
import {
  alertCondition,
  dailyHistoryKey,
  historyRecord,
  planAlerts,
  previousAlertState,
  type HealthAlertState,
} from './monitor-policy.ts';
import { parseInput } from '../shared/input.ts';
import { healthMonitorInputSchema, type HealthMonitorInput } from './input.ts';
import { beginRun } from '../shared/progress.ts';
import { summarizeUsage, type UsageSummary } from './resource-usage.ts';
import { alerts, reads, records } from '../shared/activities.ts';

export { healthMonitorDefaults, type HealthMonitorInput } from './input.ts';

export interface HealthMonitorResult {
  status: HealthStatus;
  checkedAt: string;
  usage: UsageSummary;
  /** The alert left firing, handed to the next scheduled run; null when all is well. */
  alert: HealthAlertState | null;
  alertsSent: SendAlertResult[];
  history: { key: string; appended: boolean } | null;
}

/**
 * The guide's continuous health monitor, one scheduled run per minute: the health check (as a child
 * workflow), resource usage, one line in the day's history, and an alert when the service is not
 * healthy, sent once per condition and again only every `realertMinutes` while it holds.
 */
export async function healthMonitorWorkflow(rawInput: HealthMonitorInput = {}): Promise<HealthMonitorResult> {
  const input = parseInput(healthMonitorInputSchema, 'healthMonitorWorkflow', rawInput);
  const progress = beginRun('health-monitor', input.namespace, 3, 'checking');
  const { workflowId, firstExecutionRunId, lastResult } = workflowInfo();

  const { service: _s, historyPrefix: _h, realertMinutes: _r, ...checkInput } = input;
  const [report, usage] = await Promise.all([
    executeChild(healthCheckWorkflow, { args: [checkInput], workflowId: `${workflowId}-check` }),
    // No metrics API is a fact to record (podMetrics says so); only a failing API server is an error here.
    reads.podMetrics({ namespace: input.namespace, selector: input.selector }).then(summarizeUsage, (err: unknown) => {
      if (!(err instanceof ActivityFailure)) throw err;
      return { available: false as const, reason: err.cause?.message ?? err.message };
    }),
  ]);
  progress.stepDone();

  progress.phase('alerting');
  const plan = planAlerts(previousAlertState(lastResult), alertCondition(report, input.service, input.namespace), {
    type: 'service_health',
    service: input.service,
    dedupKey: `health:${input.namespace}:${input.service}`,
    now: new Date(),
    realertMs: input.realertMinutes * 60_000,
  });
  const alertsSent: SendAlertResult[] = [];
  let alertError: string | undefined;
  try {
    for (const alert of plan.send) alertsSent.push(await alerts.sendAlert(alert));
  } catch (err) {
    if (!(err instanceof ActivityFailure)) throw err;
    alertError = err.cause?.message ?? err.message;
  }
  progress.stepDone();

  progress.phase('recording');
  let history: HealthMonitorResult['history'] = null;
  if (input.historyPrefix !== '') {
    const record = { ...historyRecord(report, usage, alertsSent), ...(alertError ? { alertError } : {}) };
    const key = dailyHistoryKey(input.historyPrefix, new Date(report.checkedAt));
    // One id per started run: an activity retry, a workflow retry or a reset (all keep the first run id)
    // finds its line and adds none. Not the workflow id alone: triggered runs within a second share it.
    const { appended } = await records.appendJsonLine({ key, id: `${workflowId}@${firstExecutionRunId}`, record });
    history = { key, appended };
  }
  progress.stepDone();
  progress.phase('done');

  // Failing the run keeps the previous alert state as the schedule's last result, so the next run tries again.
  if (alertError)
    throw ApplicationFailure.nonRetryable(`alert delivery failed: ${alertError}`, FailureType.alertDeliveryFailed);
  return { status: report.status, checkedAt: report.checkedAt, usage, alert: plan.next, alertsSent, history };
}
