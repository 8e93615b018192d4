// The alert activity: one typed alert, delivered to every sink the worker is configured with. The
// workflow decides whether and when to alert; this only delivers and reports where it went.
import { asyncLocalStorage } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, type AlertSinkName, type SendAlertInput, type SendAlertResult } from '../../types/index.ts';
import { alertmanagerAlerts, alertmanagerEndpoint } from './alertmanager.ts';
import { runUrl } from './links.ts';
import { postJson } from './post-json.ts';
import { webhookPayload } from './webhook.ts';

export interface AlertDeps {
  /** Alertmanager base URL (PNO_ALERTMANAGER_URL), e.g. http://alertmanager.monitoring:9093. */
  alertmanagerUrl?: string;
  /** Generic JSON webhook URL (PNO_ALERT_WEBHOOK_URL). */
  webhookUrl?: string;
  /** The Temporal Web UI (PNO_TEMPORAL_UI_URL): each alert links to the run that raised it. */
  uiBaseUrl?: string;
  /** Per-request timeout. */
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** Where an alert goes when no sink is configured; defaults to the activity's logger. */
  log?: (message: string, meta: Record<string, unknown>) => void;
}

const severities = new Set(['info', 'warning', 'critical']);

function validate(alert: SendAlertInput): void {
  const bad = (field: string, rule: string, value: unknown) =>
    ApplicationFailure.nonRetryable(
      `invalid alert: ${field} ${rule} (got ${JSON.stringify(value)})`,
      FailureType.invalidInput,
      { field },
    );
  for (const field of ['type', 'service', 'summary', 'dedupKey'] as const) {
    if (typeof alert[field] !== 'string' || alert[field].trim() === '')
      throw bad(field, 'must be a non-empty string', alert[field]);
  }
  if (!severities.has(alert.severity)) throw bad('severity', 'must be info, warning or critical', alert.severity);
  if (alert.expiresAt !== undefined && Number.isNaN(Date.parse(alert.expiresAt)))
    throw bad('expiresAt', 'must be an ISO-8601 time', alert.expiresAt);
}

export function createAlertActivities(deps: AlertDeps = {}) {
  const timeoutMs = deps.timeoutMs ?? 10_000;
  return {
    /** Sends (or, with `resolved`, closes) an alert on every configured sink. Safe to retry: sinks dedupe on dedupKey. */
    async sendAlert(alert: SendAlertInput): Promise<SendAlertResult> {
      validate(alert);
      const context = asyncLocalStorage.getStore();
      const execution = context?.info.workflowExecution;
      const now = new Date();
      const status = alert.resolved ? 'resolved' : 'firing';
      const options = { timeoutMs, fetch: deps.fetch, signal: context?.cancellationSignal };
      const generatorURL = runUrl(
        deps.uiBaseUrl,
        execution && context?.info.workflowNamespace
          ? { namespace: context.info.workflowNamespace, ...execution }
          : undefined,
      );

      const sends: [AlertSinkName, () => Promise<void>][] = [];
      if (deps.alertmanagerUrl) {
        const url = alertmanagerEndpoint(deps.alertmanagerUrl);
        sends.push([
          'alertmanager',
          () => postJson('alertmanager', url, alertmanagerAlerts(alert, now, generatorURL), options),
        ]);
      }
      if (deps.webhookUrl) {
        const url = deps.webhookUrl;
        const source = execution ? { workflowId: execution.workflowId, runId: execution.runId } : undefined;
        // The same for every attempt of this activity, so a receiver can drop a retried duplicate.
        const idempotencyKey = execution
          ? `${execution.workflowId}/${execution.runId}/${context?.info.activityId}`
          : undefined;
        sends.push([
          'webhook',
          () =>
            postJson('webhook', url, webhookPayload(alert, now, source, generatorURL), {
              ...options,
              ...(idempotencyKey ? { headers: { 'idempotency-key': idempotencyKey } } : {}),
            }),
        ]);
      }

      if (sends.length === 0) {
        const log = deps.log ?? ((message: string, meta: Record<string, unknown>) => context?.log.warn(message, meta));
        log('alert not delivered: no alert sink configured (PNO_ALERTMANAGER_URL, PNO_ALERT_WEBHOOK_URL)', {
          ...alert,
          status,
        });
        return { dedupKey: alert.dedupKey, status, delivered: [] };
      }

      const outcomes = await Promise.allSettled(sends.map(([, send]) => send()));
      const failures = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as Error] : []));
      if (failures.length === 0) return { dedupKey: alert.dedupKey, status, delivered: sends.map(([name]) => name) };
      // One transient failure makes the whole send worth retrying; sinks that took it already dedupe the repeat.
      const permanent = failures.every((f) => f instanceof ApplicationFailure && f.nonRetryable);
      const message = failures.map((f) => f.message).join('; ');
      if (permanent) throw ApplicationFailure.nonRetryable(message, FailureType.invalidRequest);
      throw new Error(message);
    },
  };
}
