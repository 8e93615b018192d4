import {
  ActivityFailure,
  ApplicationFailure,
  executeChild,
  workflowInfo,
} from '@temporalio/workflow';
import { FailureType, type HealthStatus, type SendAlertResult } from '../../types/index.ts';
import { checkHealthCheckFields, healthCheckDefaults, healthCheckWorkflow, type HealthCheckInput } from './health-check.ts';
import {
  alertCondition,
  dailyHistoryKey,
  historyRecord,
  planAlerts,
  previousAlertState,
  type HealthAlertState,
} from './monitor-policy.ts';
import { requireInteger, requireKubeName, withDefaults } from '../shared/input.ts';
import { requireKeyPrefix } from './monitor-input.ts';
import { beginRun } from '../shared/progress.ts';
import { summarizeUsage, type UsageSummary } from './resource-usage.ts';
import { alerts, reads, records } from '../shared/activities.ts';

export interface HealthMonitorInput extends HealthCheckInput {
  /** The service named in alerts. */
  service?: string;
  /** Where the day's JSON Lines history goes (`<prefix>/<yyyy-mm-dd>.jsonl`); empty keeps none. */
  historyPrefix?: string;
  /** A condition that holds is alerted again after this many minutes. */
  realertMinutes?: number;
}

export const healthMonitorDefaults: Required<HealthMonitorInput> = {
  ...healthCheckDefaults,
  service: 'pno-physics-bench',
  historyPrefix: 'monitoring/health',
  realertMinutes: 30,
};

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
  const input = validate(rawInput);
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
  if (alertError) throw ApplicationFailure.nonRetryable(`alert delivery failed: ${alertError}`, FailureType.alertDeliveryFailed);
  return { status: report.status, checkedAt: report.checkedAt, usage, alert: plan.next, alertsSent, history };
}

function validate(raw: HealthMonitorInput): Required<HealthMonitorInput> {
  const input = withDefaults('healthMonitorWorkflow', raw, healthMonitorDefaults);
  requireKubeName('service', input.service);
  requireInteger('realertMinutes', input.realertMinutes, 1, 24 * 60);
  requireKeyPrefix('historyPrefix', input.historyPrefix, 'monitoring/health');
  // The health check's own fields, checked here too so bad input fails before the child starts.
  return checkHealthCheckFields(input);
}
