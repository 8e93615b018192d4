// A generic JSON webhook: one object per alert. Receivers deduplicate on `dedupKey` (as PagerDuty's
// dedup_key or Opsgenie's alias do); `Idempotency-Key` is the same for every attempt of one send.
import type { SendAlertInput } from '../../types/index.ts';
import { runbookFor } from './links.ts';

export interface WebhookPayload {
  version: 1;
  status: 'firing' | 'resolved';
  type: string;
  severity: SendAlertInput['severity'];
  service: string;
  summary: string;
  details: Record<string, unknown>;
  dedupKey: string;
  at: string;
  expiresAt?: string;
  /** The workflow that raised it, so a human can find the run in the Web UI. */
  source?: { workflowId: string; runId: string };
  /** That run in the Web UI, when the worker knows where the UI is (PNO_TEMPORAL_UI_URL). */
  runUrl?: string;
  runbookUrl: string;
}

export function webhookPayload(
  alert: SendAlertInput,
  now: Date,
  source?: WebhookPayload['source'],
  runUrl?: string,
): WebhookPayload {
  return {
    version: 1,
    status: alert.resolved ? 'resolved' : 'firing',
    type: alert.type,
    severity: alert.severity,
    service: alert.service,
    summary: alert.summary,
    details: alert.details ?? {},
    dedupKey: alert.dedupKey,
    at: now.toISOString(),
    ...(alert.expiresAt && !alert.resolved ? { expiresAt: alert.expiresAt } : {}),
    ...(source ? { source } : {}),
    ...(runUrl ? { runUrl } : {}),
    runbookUrl: runbookFor(alert.type),
  };
}
