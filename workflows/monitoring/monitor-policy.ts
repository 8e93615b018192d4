// Pure policy for the health monitor: when to alert, when to stay quiet, what one history line holds.
// Each scheduled run hands the next its alert state through its result (the schedule passes the last
// completion result on), so deduplication needs no store of its own.
import type { AlertSeverity, HealthReport, SendAlertInput } from '../../types/index.ts';
import type { UsageSummary } from './resource-usage.ts';

/** An alert the monitor has raised and not yet resolved. */
export interface HealthAlertState {
  dedupKey: string;
  severity: AlertSeverity;
  /** When this condition was first alerted. */
  since: string;
  /** When it was last sent (first time or a reminder). */
  lastSentAt: string;
}

export interface AlertCondition {
  severity: AlertSeverity;
  summary: string;
  details: Record<string, unknown>;
}

export interface AlertContext {
  type: string;
  service: string;
  dedupKey: string;
  now: Date;
  /** A condition that holds is sent again after this long (and expires twice as late). */
  realertMs: number;
}

export interface AlertPlan {
  /** In order: a resolve of the old condition comes before a new one fires. */
  send: SendAlertInput[];
  next: HealthAlertState | null;
}

/** UNHEALTHY pages (critical); DEGRADED warns; HEALTHY is no condition at all. */
export function alertCondition(report: HealthReport, service: string, namespace: string): AlertCondition | null {
  if (report.status === 'HEALTHY') return null;
  const failing = Object.values(report.checks).filter((c) => c.status !== 'OK');
  return {
    severity: report.status === 'UNHEALTHY' ? 'critical' : 'warning',
    summary: `${service} in ${namespace} is ${report.status}: ${failing.map((c) => `${c.name}: ${c.message}`).join('; ')}`,
    details: {
      status: report.status,
      checkedAt: report.checkedAt,
      issues: failing.map((c) => ({ check: c.name, status: c.status, message: c.message })),
    },
  };
}

export function planAlerts(
  previous: HealthAlertState | null,
  condition: AlertCondition | null,
  ctx: AlertContext,
): AlertPlan {
  const at = ctx.now.toISOString();
  const base = { type: ctx.type, service: ctx.service, dedupKey: ctx.dedupKey };
  const send: SendAlertInput[] = [];
  // Alertmanager tells alerts apart by their labels, severity among them: a new severity is a new alert.
  const same =
    previous !== null &&
    condition !== null &&
    previous.dedupKey === ctx.dedupKey &&
    previous.severity === condition.severity;
  if (previous && !same) {
    send.push({
      ...base,
      dedupKey: previous.dedupKey,
      severity: previous.severity,
      summary: `${ctx.service} recovered from ${previous.severity}`,
      resolved: true,
    });
  }
  if (!condition) return { send, next: null };
  const due = !same || ctx.now.getTime() - Date.parse(previous.lastSentAt) >= ctx.realertMs;
  if (!due) return { send, next: previous };
  send.push({
    ...base,
    severity: condition.severity,
    summary: condition.summary,
    details: condition.details,
    expiresAt: new Date(ctx.now.getTime() + 2 * ctx.realertMs).toISOString(),
  });
  return {
    send,
    next: { dedupKey: ctx.dedupKey, severity: condition.severity, since: same ? previous.since : at, lastSentAt: at },
  };
}

/** The alert state a previous run left in its result, if that result is one of ours. */
export function previousAlertState(lastResult: unknown): HealthAlertState | null {
  if (typeof lastResult !== 'object' || lastResult === null || !('alert' in lastResult)) return null;
  const alert = (lastResult as { alert: unknown }).alert;
  if (typeof alert !== 'object' || alert === null) return null;
  const { dedupKey, severity, since, lastSentAt } = alert as Record<string, unknown>;
  const valid =
    typeof dedupKey === 'string' &&
    (severity === 'info' || severity === 'warning' || severity === 'critical') &&
    typeof since === 'string' &&
    typeof lastSentAt === 'string' &&
    !Number.isNaN(Date.parse(lastSentAt));
  return valid ? { dedupKey, severity, since, lastSentAt } : null;
}

/** One line of the day's history: the guide's JSONL record, compact (counts, not pod lists). */
export function historyRecord(
  report: HealthReport,
  usage: UsageSummary,
  alerts: { dedupKey: string; status: string; delivered: string[] }[],
) {
  const { api, pods, hpa } = report.checks;
  return {
    at: report.checkedAt,
    status: report.status,
    api: { status: api.status, message: api.message, latencyMs: api.facts?.health.latencyMs },
    pods: { status: pods.status, message: pods.message, ready: pods.facts?.ready, total: pods.facts?.total },
    hpa: {
      status: hpa.status,
      message: hpa.message,
      current: hpa.facts?.currentReplicas,
      desired: hpa.facts?.desiredReplicas,
      min: hpa.facts?.minReplicas,
      max: hpa.facts?.maxReplicas,
    },
    usage,
    alerts,
  };
}

/** `<prefix>/<yyyy-mm-dd>.jsonl`, the day in UTC. */
export function dailyHistoryKey(prefix: string, at: Date): string {
  return `${prefix.replace(/\/+$/, '')}/${at.toISOString().slice(0, 10)}.jsonl`;
}
