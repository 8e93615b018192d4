// Pure policy for the security audit: typed findings from the workload and binding facts.
import type { AuditFinding, ConfigScan, RoleBindingFacts, WorkloadFacts } from '../../types/index.ts';

export interface AuditPolicy {
  /** `Kind/name` of workloads that talk to the Kubernetes API and so need their service account token. */
  apiAccessWorkloads: string[];
}

const resourceOf = (w: WorkloadFacts) => `${w.kind} ${w.namespace}/${w.name}`;

/** A tag that can move: no digest pinned. `:latest` or no tag at all is the worst kind. */
export function imagePinning(image: string): 'digest' | 'tag' | 'latest' {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return 'digest';
  const lastSegment = image.split('/').at(-1) ?? image;
  const tag = lastSegment.includes(':') ? lastSegment.split(':').at(-1) : undefined;
  return tag === undefined || tag === 'latest' ? 'latest' : 'tag';
}

export function workloadFindings(w: WorkloadFacts, policy: AuditPolicy): AuditFinding[] {
  const resource = resourceOf(w);
  const findings: AuditFinding[] = [];
  const add = (f: Omit<AuditFinding, 'resource'>) => findings.push({ resource, ...f });

  if (w.hostNetwork)
    add({ check: 'privileged', severity: 'HIGH', message: 'shares the node network namespace (hostNetwork)' });
  if (w.hostPID) add({ check: 'privileged', severity: 'HIGH', message: 'shares the node process namespace (hostPID)' });
  for (const v of w.hostPathVolumes)
    add({ check: 'host-path', severity: 'HIGH', message: `mounts host path ${v.path} (volume ${v.volume})` });

  const mounted = new Set(w.containers.flatMap((c) => c.secretVolumeMounts));
  for (const v of w.secretVolumes) {
    if (!mounted.has(v.volume))
      add({
        check: 'unneeded-secret',
        severity: 'MEDIUM',
        message: `Secret ${v.secret} is a pod volume (${v.volume}) no container mounts`,
      });
  }
  if (w.automountServiceAccountToken && !policy.apiAccessWorkloads.includes(`${w.kind}/${w.name}`)) {
    add({
      check: 'unneeded-secret',
      severity: 'LOW',
      message: `service account token of ${w.serviceAccount} is mounted but the workload is not listed as needing API access (set automountServiceAccountToken: false)`,
    });
  }

  for (const c of w.containers) {
    const container = c.name;
    if (c.privileged) add({ check: 'privileged', severity: 'CRITICAL', container, message: 'runs privileged' });
    // The container's setting overrides the pod's.
    const runAsUser = c.runAsUser ?? w.runAsUser;
    const runAsNonRoot = c.runAsNonRoot ?? w.runAsNonRoot;
    if (runAsUser === 0)
      add({ check: 'runs-as-root', severity: 'HIGH', container, message: 'runs as UID 0 (runAsUser: 0)' });
    else if (runAsUser === undefined && runAsNonRoot !== true) {
      add({
        check: 'runs-as-root',
        severity: 'MEDIUM',
        container,
        message: 'may run as root: neither runAsNonRoot nor a non-zero runAsUser is set, so the image decides',
      });
    }
    const pinning = imagePinning(c.image);
    if (pinning === 'latest')
      add({
        check: 'mutable-image-tag',
        severity: 'HIGH',
        container,
        message: `image ${c.image} uses latest (or no tag) and no digest`,
      });
    else if (pinning === 'tag')
      add({
        check: 'mutable-image-tag',
        severity: 'MEDIUM',
        container,
        message: `image ${c.image} is referenced by a mutable tag without digest`,
      });
  }
  return findings;
}

/** Bindings to the audited roles, except Kubernetes' own bootstrap ones (system:masters and the like). */
export function bindingFindings(bindings: RoleBindingFacts[]): AuditFinding[] {
  return bindings
    .filter((b) => !b.builtIn)
    .map((b) => ({
      check: 'cluster-admin-binding' as const,
      severity: 'CRITICAL' as const,
      resource: `${b.kind} ${b.namespace ? `${b.namespace}/` : ''}${b.name}`,
      message: `grants ${b.role} to ${b.subjects.map((s) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`).join(', ') || 'no subjects'}`,
    }));
}

export function configFindings(scan: ConfigScan): AuditFinding[] {
  return scan.findings.map((f) => ({
    check: 'misconfiguration' as const,
    severity: f.severity,
    resource: `${scan.scanned}: ${f.target}`,
    message: `${f.id} ${f.title}: ${f.message}`,
  }));
}
