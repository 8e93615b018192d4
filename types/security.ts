// The security vocabulary: scanner findings, the guide's security report, certificate and audit
// facts. Facts only; what counts as critical is decided in workflows/security/policy.ts.

/** Trivy's severities, worst first. */
export const severities = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'UNKNOWN'] as const;
export type Severity = (typeof severities)[number];

/** One vulnerability in one package of one scan target, as the guide's `scan_vulnerabilities` lists it. */
export interface VulnerabilityFinding {
  id: string;
  severity: Severity;
  package: string;
  installedVersion: string;
  /** Empty when no fixed version exists yet. */
  fixedVersion: string;
  title: string;
  /** What trivy scanned, e.g. `registry/pno:1.4.0 (debian 12.5)` or `usr/lib/python3/.../METADATA`. */
  target: string;
  /** `os-pkgs` or `lang-pkgs`: says whether apt or pip installs the fix. */
  packageClass: string;
  /** The ecosystem, e.g. `debian`, `python-pkg`. */
  packageType: string;
}

/** One target of a scan and how many vulnerabilities it holds (zero is a clean target, not a gap). */
export interface ScanTarget {
  target: string;
  class: string;
  type: string;
  vulnerabilities: number;
}

export interface ImageScan {
  /** The reference (or tarball) that was asked for. */
  image: string;
  /** As trivy names it (ArtifactName). */
  artifactName: string;
  /** `debian 12.5`; unset when trivy detected no OS. */
  os?: string;
  /** When trivy made the report (CreatedAt). */
  createdAt?: string;
  /** The image by digest (`repo@sha256:…`, trivy's RepoDigests), when its source knows it. */
  repoDigests?: string[];
  targets: ScanTarget[];
  findings: VulnerabilityFinding[];
}

/** One failed misconfiguration check from `trivy config`. */
export interface MisconfigFinding {
  id: string;
  severity: Severity;
  title: string;
  message: string;
  /** The scanned file, relative to the scanned directory. */
  target: string;
  resolution: string;
  startLine?: number;
  endLine?: number;
}

export interface ConfigScan {
  /** What was scanned, e.g. `deploy` or `namespace production`. */
  scanned: string;
  filesScanned: number;
  passed: number;
  findings: MisconfigFinding[];
}

/** The report the guide's `generate_security_report` builds, with the image it describes. */
export interface SecurityReport {
  timestamp: string;
  scanTarget: string;
  image: string;
  totalVulnerabilities: number;
  severityBreakdown: Partial<Record<Severity, number>>;
  /** CRITICAL or HIGH with a fixed version: what an update can remove. */
  criticalVulnerabilities: VulnerabilityFinding[];
  recommendations: string[];
}

/** One kubernetes.io/tls Secret's certificate, as read (never the key). */
export interface TlsCertificateFacts {
  namespace: string;
  secret: string;
  subject?: string;
  issuer?: string;
  dnsNames?: string[];
  notBefore?: string;
  notAfter?: string;
  serialNumber?: string;
  fingerprint256?: string;
  /** Set when tls.crt is missing or not a PEM certificate; nothing above is then known. */
  parseError?: string;
}

/** A cert-manager Certificate's status. */
export interface CertManagerCertificateFacts {
  namespace: string;
  name: string;
  secretName: string;
  ready: boolean;
  readyMessage?: string;
  notAfter?: string;
  renewalTime?: string;
}

export type CertManagerFacts = { installed: false } | { installed: true; certificates: CertManagerCertificateFacts[] };

export type ExpiryStatus = 'OK' | 'WARNING' | 'CRITICAL';

export interface CertificateExpiry {
  source: 'secret' | 'cert-manager';
  namespace: string;
  name: string;
  status: ExpiryStatus;
  /** Whole days until notAfter (negative once expired). */
  daysLeft?: number;
  notAfter?: string;
  message: string;
}

export interface CertificateReport {
  checkedAt: string;
  status: ExpiryStatus;
  warnDays: number;
  criticalDays: number;
  certManager: 'installed' | 'not installed';
  certificates: CertificateExpiry[];
}

/** What the audit needs to know about one container (no env values, no Secret contents). */
export interface ContainerFacts {
  name: string;
  image: string;
  init: boolean;
  privileged?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  allowPrivilegeEscalation?: boolean;
  /** Names of Secret volumes this container mounts. */
  secretVolumeMounts: string[];
  /** Secrets referenced by env (secretKeyRef) or envFrom (secretRef). */
  secretEnvRefs: string[];
}

/** One workload's pod template (or a bare pod) as the audit sees it. */
export interface WorkloadFacts {
  kind: 'Deployment' | 'StatefulSet' | 'DaemonSet' | 'Job' | 'CronJob' | 'Pod';
  namespace: string;
  name: string;
  serviceAccount: string;
  hostNetwork: boolean;
  hostPID: boolean;
  /** Pod-level security context. */
  runAsNonRoot?: boolean;
  runAsUser?: number;
  /** Effective automount of the service account token (pod, else service account, else true). */
  automountServiceAccountToken: boolean;
  hostPathVolumes: { volume: string; path: string }[];
  /** Secret volumes by volume name → Secret name. */
  secretVolumes: { volume: string; secret: string }[];
  containers: ContainerFacts[];
}

export interface RoleBindingFacts {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  namespace?: string;
  name: string;
  role: string;
  subjects: { kind: string; name: string; namespace?: string }[];
  /** Kubernetes' own bootstrap bindings (label kubernetes.io/bootstrapping=rbac-defaults). */
  builtIn: boolean;
}

export type AuditCheck =
  | 'privileged'
  | 'runs-as-root'
  | 'host-path'
  | 'mutable-image-tag'
  | 'cluster-admin-binding'
  | 'unneeded-secret'
  | 'misconfiguration';

export interface AuditFinding {
  check: AuditCheck;
  severity: Severity;
  /** `Deployment production/pno-physics-bench`, `ClusterRoleBinding ops-admin`. */
  resource: string;
  container?: string;
  message: string;
}

export interface AuditReport {
  checkedAt: string;
  full: boolean;
  namespaces: string[];
  workloadsAudited: number;
  bindingsAudited: number;
  findings: AuditFinding[];
  severityBreakdown: Partial<Record<Severity, number>>;
  /** With a full audit: trivy's misconfiguration checks on the exported manifests. */
  configScan?: { filesScanned: number; passed: number; failed: number };
}

/** What the worker's configuration (`security:`) decides for every security update, whatever its input says. */
export interface SecurityPolicy {
  /** Registries a candidate may come from besides the running image's own (hosts like registry.example.com). */
  registries: string[];
  /** Wait for an approval before touching production; only the configuration turns it off. */
  requireApproval: boolean;
}

export const DEFAULT_SECURITY_POLICY: Readonly<SecurityPolicy> = Object.freeze({
  registries: [],
  requireApproval: true,
});
