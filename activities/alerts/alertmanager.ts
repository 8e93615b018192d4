// The Alertmanager v2 API (POST /api/v2/alerts). Alertmanager identifies an alert by its label set,
// so re-sending the same labels updates one alert instead of adding another: that is the dedup.
import type { SendAlertInput } from '../../types/index.ts';
import { endsAtOf, runbookFor } from './links.ts';

export interface AlertmanagerAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

export function alertmanagerAlerts(alert: SendAlertInput, now: Date, generatorURL?: string): AlertmanagerAlert[] {
  const at = now.toISOString();
  const annotations: Record<string, string> = { summary: alert.summary, runbook_url: runbookFor(alert.type) };
  if (alert.details !== undefined) annotations.details = JSON.stringify(alert.details);
  return [
    {
      labels: { alertname: alert.type, severity: alert.severity, service: alert.service, dedup: alert.dedupKey },
      annotations,
      // A resolved alert carries only endsAt (now); Alertmanager then takes startsAt from it. A firing
      // one always has an endsAt, so it is not resolved behind the workflow's back after 5 minutes.
      ...(alert.resolved ? {} : { startsAt: at }),
      endsAt: endsAtOf(alert, now),
      ...(generatorURL ? { generatorURL } : {}),
    },
  ];
}

export function alertmanagerEndpoint(baseUrl: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/api/v2/alerts`;
}
