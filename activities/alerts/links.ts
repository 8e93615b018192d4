// What every alert carries besides its text: where it came from (the run in the Temporal Web UI, as
// Alertmanager's generatorURL), what to do about it (a runbook), and how long it lasts unless sent
// again (endsAt: without one, Alertmanager resolves an alert after its resolve_timeout, 5 minutes).
import type { SendAlertInput } from '../../types/index.ts';

/** The README section that says what each alert type means and what to do; the README itself otherwise. */
const RUNBOOKS: Record<string, string> = {
  service_health: 'README.md#monitors-optimizers-and-schedules',
  optimizer_change: 'README.md#monitors-optimizers-and-schedules',
  optimizer_recommendation: 'README.md#monitors-optimizers-and-schedules',
  restore_drill_failed: 'README.md#backup-and-disaster-recovery',
  model_validation_failure: 'README.md#metrics-and-alerts',
  certificate_expiry: 'README.md#security-workflows',
  security_audit: 'README.md#security-workflows',
  security_vulnerability: 'README.md#security-workflows',
  security_scan_failed: 'README.md#security-workflows',
  security_update_build_failed: 'README.md#security-workflows',
  security_update_refused: 'README.md#security-workflows',
  security_update_rolled_back: 'README.md#security-workflows',
};

export const runbookFor = (type: string) => RUNBOOKS[type] ?? 'README.md';

/**
 * A firing alert without its own expiry lasts this long unless sent again or resolved: longer than the
 * weekly cadence of the slowest routine that re-sends, so it never lapses between two of its runs.
 */
export const DEFAULT_FIRING_MS = 8 * 24 * 3600_000;

export function endsAtOf(alert: SendAlertInput, now: Date): string {
  if (alert.resolved) return now.toISOString();
  return alert.expiresAt ?? new Date(now.getTime() + DEFAULT_FIRING_MS).toISOString();
}

/** The run in the Web UI (PNO_TEMPORAL_UI_URL), e.g. http://localhost:8233/namespaces/default/workflows/<id>/<run>/history. */
export function runUrl(
  uiBaseUrl: string | undefined,
  run: { namespace: string; workflowId: string; runId: string } | undefined,
): string | undefined {
  if (!uiBaseUrl || !run) return undefined;
  const part = encodeURIComponent;
  return `${uiBaseUrl.replace(/\/+$/, '')}/namespaces/${part(run.namespace)}/workflows/${part(run.workflowId)}/${part(run.runId)}/history`;
}
