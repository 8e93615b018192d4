// What a workflow hands the `sendAlert` activity. The sink (and its dedup) belongs to activities/alerts/.

export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface Alert {
  /** What kind of event, e.g. `security_vulnerability`, `certificate_expiry`. */
  type: string;
  severity: AlertSeverity;
  /** The service the alert is about, e.g. `pno-physics-bench`. */
  service: string;
  summary: string;
  details?: Record<string, unknown>;
  /** Same key, same incident: a retried or repeated run does not page twice. */
  dedupKey: string;
}

/** What `sendAlert` takes: an alert, and whether it still fires or is over. */
export interface SendAlertInput extends Alert {
  /** The condition is over: sinks close the alert with this dedupKey (Alertmanager: endsAt now). */
  resolved?: boolean;
  /**
   * A firing alert counts as resolved after this ISO-8601 time unless sent again (Alertmanager's
   * endsAt), so an alert outlives the gaps between re-sends but not a sender that stopped.
   */
  expiresAt?: string;
}

export type AlertSinkName = 'alertmanager' | 'webhook';

export interface SendAlertResult {
  dedupKey: string;
  status: 'firing' | 'resolved';
  /** The sinks that accepted it; empty when the worker has none configured (the alert is logged). */
  delivered: AlertSinkName[];
}
