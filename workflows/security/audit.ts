import { severities, type AuditFinding, type AuditReport } from '../../types/index.ts';
import { parseInput } from '../shared/input.ts';
import { securityAuditInputSchema, type SecurityAuditInput } from './input.ts';
import { beginRun } from '../shared/progress.ts';
import { bindingFindings, configFindings, workloadFindings } from './audit-policy.ts';
import { severityBreakdown } from './policy.ts';
import { alerts, reads, records, scans } from '../shared/activities.ts';

export { securityAuditDefaults, type SecurityAuditInput } from './input.ts';

export interface SecurityAuditResult extends AuditReport {
  reportKey: string;
  /** Workload kinds the worker could not list, per namespace: what this audit did not see. */
  notAudited: string[];
}

/**
 * The guide's weekly security audit (and, with `full`, the quarterly one): privileged containers,
 * root users, hostPath mounts, images by mutable tag, bindings to cluster-admin, and Secrets mounted
 * where nothing uses them. Findings are typed; CRITICAL or HIGH ones raise an alert.
 */
export async function securityAuditWorkflow(rawInput: SecurityAuditInput = {}): Promise<SecurityAuditResult> {
  const input = parseInput(securityAuditInputSchema, 'securityAuditWorkflow', rawInput);
  const progress = beginRun(
    input.full ? 'security-audit-full' : 'security-audit',
    input.namespaces.join(','),
    input.namespaces.length + 2,
    'bindings',
  );
  const findings: AuditFinding[] = [];
  const notAudited: string[] = [];

  const bindings = await reads.bindingsToRoles({ roles: input.adminRoles, namespaces: input.namespaces });
  findings.push(...bindingFindings(bindings));
  progress.stepDone();

  let workloadsAudited = 0;
  const configTotals = { filesScanned: 0, passed: 0, failed: 0 };
  for (const namespace of input.namespaces) {
    progress.phase('workloads', namespace);
    const audit = await reads.collectWorkloads({ namespace });
    workloadsAudited += audit.workloads.length;
    findings.push(...audit.workloads.flatMap((w) => workloadFindings(w, input)));
    notAudited.push(...audit.notAudited.map((n) => n.reason));
    if (input.full) {
      progress.phase('misconfiguration scan', namespace);
      const scan = await scans(input.scanTimeoutMs).scanNamespaceConfig({ namespace, timeoutMs: input.scanTimeoutMs });
      findings.push(...configFindings(scan));
      configTotals.filesScanned += scan.filesScanned;
      configTotals.passed += scan.passed;
      configTotals.failed += scan.findings.length;
    }
    progress.stepDone();
  }

  const order = (s: string) => severities.indexOf(s as (typeof severities)[number]);
  findings.sort(
    (a, b) => order(a.severity) - order(b.severity) || (a.resource < b.resource ? -1 : a.resource > b.resource ? 1 : 0),
  );
  const report: AuditReport = {
    checkedAt: new Date().toISOString(),
    full: input.full,
    namespaces: input.namespaces,
    workloadsAudited,
    bindingsAudited: bindings.length,
    findings,
    severityBreakdown: severityBreakdown(findings),
    ...(input.full ? { configScan: configTotals } : {}),
  };
  progress.phase('reporting');
  const { key } = await records.putReport({ kind: 'security', report: { ...report, notAudited } });
  const serious = findings.filter((f) => f.severity === 'CRITICAL' || f.severity === 'HIGH');
  await alerts.sendAlert({
    type: 'security_audit',
    severity: findings.some((f) => f.severity === 'CRITICAL') ? 'critical' : serious.length > 0 ? 'warning' : 'info',
    service: input.service,
    summary:
      serious.length === 0
        ? `security audit of ${input.namespaces.join(', ')}: no critical or high findings`
        : `security audit of ${input.namespaces.join(', ')}: ${serious.length} critical or high findings, e.g. ${serious[0]!.resource}: ${serious[0]!.message}`,
    details: { reportKey: key, severityBreakdown: report.severityBreakdown, notAudited },
    dedupKey: `security-audit:${input.namespaces.join(',')}`,
    resolved: serious.length === 0,
  });
  progress.stepDone();
  progress.phase('done', `${findings.length} findings`);
  return { ...report, reportKey: key, notAudited };
}
