// Pure policy for certificate expiry: warn at 30 days, critical at 7 (the defaults), from the facts
// the certificate activities read.
import type {
  CertManagerCertificateFacts,
  CertificateExpiry,
  ExpiryStatus,
  TlsCertificateFacts,
} from '../../types/index.ts';

export interface ExpiryThresholds {
  warnDays: number;
  criticalDays: number;
}

const DAY_MS = 24 * 3600 * 1000;
const rank: Record<ExpiryStatus, number> = { OK: 0, WARNING: 1, CRITICAL: 2 };

export function worstStatus(statuses: ExpiryStatus[]): ExpiryStatus {
  return statuses.reduce<ExpiryStatus>((worst, s) => (rank[s] > rank[worst] ? s : worst), 'OK');
}

/** Whole days left (rounded down; negative once expired) and what they mean. */
export function expiryStatus(
  notAfter: string,
  now: Date,
  t: ExpiryThresholds,
): { status: ExpiryStatus; daysLeft: number; message: string } {
  const daysLeft = Math.floor((Date.parse(notAfter) - now.getTime()) / DAY_MS);
  if (daysLeft < 0) return { status: 'CRITICAL', daysLeft, message: `expired ${-daysLeft} days ago (${notAfter})` };
  const message = `expires in ${daysLeft} days (${notAfter})`;
  if (daysLeft <= t.criticalDays) return { status: 'CRITICAL', daysLeft, message };
  if (daysLeft <= t.warnDays) return { status: 'WARNING', daysLeft, message };
  return { status: 'OK', daysLeft, message };
}

export function assessTlsSecret(facts: TlsCertificateFacts, now: Date, t: ExpiryThresholds): CertificateExpiry {
  const base = { source: 'secret' as const, namespace: facts.namespace, name: facts.secret };
  // A TLS Secret nobody can read serves no one: clients fail today, which is worse than expiring soon.
  if (facts.parseError !== undefined || facts.notAfter === undefined) {
    return { ...base, status: 'CRITICAL', message: facts.parseError ?? 'no expiry date' };
  }
  const { status, daysLeft, message } = expiryStatus(facts.notAfter, now, t);
  return {
    ...base,
    status,
    daysLeft,
    notAfter: facts.notAfter,
    message: facts.subject ? `${facts.subject}: ${message}` : message,
  };
}

export function assessCertManager(
  facts: CertManagerCertificateFacts,
  now: Date,
  t: ExpiryThresholds,
): CertificateExpiry {
  const base = { source: 'cert-manager' as const, namespace: facts.namespace, name: facts.name };
  const notReady = facts.ready ? undefined : `not Ready${facts.readyMessage ? `: ${facts.readyMessage}` : ''}`;
  if (facts.notAfter === undefined)
    return { ...base, status: 'WARNING', message: notReady ?? 'no notAfter in its status yet' };
  const expiry = expiryStatus(facts.notAfter, now, t);
  // cert-manager renews ahead of time; one that is not Ready is failing to, so it warns early.
  const status = notReady ? worstStatus([expiry.status, 'WARNING']) : expiry.status;
  return {
    ...base,
    status,
    daysLeft: expiry.daysLeft,
    notAfter: facts.notAfter,
    message: notReady ? `${notReady}; ${expiry.message}` : expiry.message,
  };
}
