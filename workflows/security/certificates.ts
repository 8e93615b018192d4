import type { CertificateExpiry, CertificateReport } from '../../types/index.ts';
import { parseInput } from '../shared/input.ts';
import { certificateExpiryInputSchema, type CertificateExpiryInput } from './input.ts';
import { beginRun } from '../shared/progress.ts';
import { assessCertManager, assessTlsSecret, worstStatus } from './certificate-policy.ts';
import { alerts, reads, records } from '../shared/activities.ts';

export { certificateExpiryDefaults, type CertificateExpiryInput } from './input.ts';

export interface CertificateExpiryResult extends CertificateReport {
  reportKey: string;
}

/**
 * The guide's weekly certificate check (`kubectl get certificates` and check_certificate_expiry.py):
 * every kubernetes.io/tls Secret's certificate, and cert-manager's Certificates when it is installed.
 * Warns at 30 days, critical at 7; the report is kept in the bucket and an alert raised (or resolved).
 */
export async function certificateExpiryWorkflow(
  rawInput: CertificateExpiryInput = {},
): Promise<CertificateExpiryResult> {
  const input = parseInput(certificateExpiryInputSchema, 'certificateExpiryWorkflow', rawInput);
  const progress = beginRun(
    'certificate-expiry',
    input.namespaces.join(','),
    input.namespaces.length + 1,
    'reading certificates',
  );
  const now = new Date();
  const certificates: CertificateExpiry[] = [];
  let certManagerInstalled = false;
  for (const namespace of input.namespaces) {
    progress.phase('reading certificates', namespace);
    const [secrets, certManager] = await Promise.all([
      reads.listTlsCertificates({ namespace }),
      reads.listCertManagerCertificates({ namespace }),
    ]);
    certificates.push(...secrets.map((s) => assessTlsSecret(s, now, input)));
    if (certManager.installed) {
      certManagerInstalled = true;
      certificates.push(...certManager.certificates.map((c) => assessCertManager(c, now, input)));
    }
    progress.stepDone();
  }
  const report: CertificateReport = {
    checkedAt: now.toISOString(),
    status: worstStatus(certificates.map((c) => c.status)),
    warnDays: input.warnDays,
    criticalDays: input.criticalDays,
    certManager: certManagerInstalled ? 'installed' : 'not installed',
    certificates,
  };
  progress.phase('reporting');
  const { key } = await records.putReport({ kind: 'security', report });
  const failing = certificates.filter((c) => c.status !== 'OK');
  await alerts.sendAlert({
    type: 'certificate_expiry',
    severity: report.status === 'CRITICAL' ? 'critical' : report.status === 'WARNING' ? 'warning' : 'info',
    service: input.service,
    summary:
      failing.length === 0
        ? `all ${certificates.length} certificates valid for more than ${input.warnDays} days`
        : `${failing.length} certificates need renewal: ${failing
            .slice(0, 3)
            .map((c) => `${c.namespace}/${c.name} ${c.message}`)
            .join('; ')}`,
    details: {
      reportKey: key,
      certificates: failing.map((c) => ({ name: `${c.namespace}/${c.name}`, status: c.status, daysLeft: c.daysLeft })),
    },
    dedupKey: `certificate-expiry:${input.namespaces.join(',')}`,
    resolved: failing.length === 0,
  });
  progress.stepDone();
  progress.phase('done', report.status);
  return { ...report, reportKey: key };
}
