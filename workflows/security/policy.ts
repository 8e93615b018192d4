// Pure policy for the security workflows: what counts as critical, the guide's security report, and
// whether a candidate image may replace the running one. No I/O, so it is easy to test.
import { severities, type Severity, type SecurityReport, type VulnerabilityFinding } from '../../types/index.ts';

/** The guide's `check_critical_vulnerabilities`: CRITICAL or HIGH, and a fixed version exists. */
export function criticalFindings(findings: VulnerabilityFinding[]): VulnerabilityFinding[] {
  return findings.filter((f) => (f.severity === 'CRITICAL' || f.severity === 'HIGH') && f.fixedVersion !== '');
}

/** Counts per severity, in severity order, leaving out the ones with none. */
export function severityBreakdown(items: { severity: Severity }[]): Partial<Record<Severity, number>> {
  const counts: Partial<Record<Severity, number>> = {};
  for (const s of severities) {
    const n = items.filter((i) => i.severity === s).length;
    if (n > 0) counts[s] = n;
  }
  return counts;
}

/** The guide's `generate_security_report`. */
export function buildSecurityReport(input: {
  timestamp: string;
  scanTarget: string;
  image: string;
  findings: VulnerabilityFinding[];
}): SecurityReport {
  const critical = criticalFindings(input.findings);
  const recommendations: string[] = [];
  if (critical.length > 0) recommendations.push('Immediate security update required for critical vulnerabilities');
  const high = input.findings.filter((f) => f.severity === 'HIGH').length;
  if (high > 0) recommendations.push(`Schedule security update for ${high} high severity vulnerabilities`);
  return {
    timestamp: input.timestamp,
    scanTarget: input.scanTarget,
    image: input.image,
    totalVulnerabilities: input.findings.length,
    severityBreakdown: severityBreakdown(input.findings),
    criticalVulnerabilities: critical,
    recommendations,
  };
}

/** The same vulnerability in the same package, whichever image (the target names the image). */
const identity = (f: VulnerabilityFinding) => `${f.id}\u0000${f.package}`;
const label = (f: VulnerabilityFinding) => `${f.id} in ${f.package} ${f.installedVersion} (${f.severity})`;

export interface CandidateVerdict {
  accept: boolean;
  reasons: string[];
  /** Criticals of the running image the candidate no longer has. */
  removed: string[];
}

/**
 * A candidate replaces the running image only if it removes every critical finding and adds no
 * CRITICAL or HIGH one, fixable or not: an update must never trade one exposure for another.
 */
export function judgeCandidate(current: VulnerabilityFinding[], candidate: VulnerabilityFinding[]): CandidateVerdict {
  const inCandidate = new Set(candidate.map(identity));
  const inCurrent = new Set(current.map(identity));
  const criticals = criticalFindings(current);
  const remaining = criticals.filter((f) => inCandidate.has(identity(f)));
  const added = candidate.filter(
    (f) => (f.severity === 'CRITICAL' || f.severity === 'HIGH') && !inCurrent.has(identity(f)),
  );
  const reasons = [...remaining.map((f) => `still has ${label(f)}`), ...added.map((f) => `adds ${label(f)}`)];
  return {
    accept: reasons.length === 0,
    reasons,
    removed: criticals.filter((f) => !inCandidate.has(identity(f))).map(label),
  };
}

/**
 * The registry an image reference names, as a container runtime reads it: the first path part when
 * it looks like a host (a dot, a port or `localhost`), else Docker Hub.
 */
export function registryOf(image: string): string {
  const first = image.split('/')[0] ?? '';
  return image.includes('/') && (/[.:]/.test(first) || first === 'localhost') ? first : 'docker.io';
}

/** Why `candidate` may not be deployed over `running`, or undefined when its registry is allowed. */
export function registryRefusal(candidate: string, running: string, registries: string[]): string | undefined {
  const allowed = [...new Set([registryOf(running), ...registries])];
  const registry = registryOf(candidate);
  if (allowed.includes(registry)) return undefined;
  return `${candidate} comes from registry ${registry}, which is not allowed (the running image's ${registryOf(running)}, and security.registries: ${registries.join(', ') || 'none'})`;
}

const DOCKER_HUB_ALIASES = ['docker.io', 'index.docker.io', 'registry-1.docker.io'];

/** The reference as written, without its `@digest` and `:tag` (a registry's `:port` stays). */
export function withoutTagOrDigest(image: string): string {
  const name = image.split('@')[0]!;
  const colon = name.lastIndexOf(':');
  return colon > name.lastIndexOf('/') ? name.slice(0, colon) : name;
}

/** `registry/path` of an image reference, without tag or digest, with Docker Hub's implied parts spelled out. */
export function repositoryOf(image: string): string {
  const bare = withoutTagOrDigest(image);
  const named = registryOf(bare);
  const path = bare.startsWith(`${named}/`) ? bare.slice(named.length + 1) : bare;
  // Docker Hub answers to several names; scanners report digests under any of them.
  const registry = DOCKER_HUB_ALIASES.includes(named) ? 'docker.io' : named;
  return `${registry}/${registry === 'docker.io' && !path.includes('/') ? `library/${path}` : path}`;
}

export interface PinnedImage {
  /** What the rollout sets: `repository@sha256:…` when the scan reported the candidate's digest. */
  image: string;
  /** Why it is not a digest, when it is not. */
  unpinned?: string;
}

/**
 * The scanned candidate by the digest the scan reported for it, so the image rolled out is the one
 * scanned, whatever its tag points at by then.
 */
export function pinToScannedDigest(candidate: string, repoDigests: string[] | undefined): PinnedImage {
  if (/@sha256:[0-9a-f]{64}$/.test(candidate)) return { image: candidate };
  const repository = repositoryOf(candidate);
  const digest = (repoDigests ?? []).find((d) => d.includes('@sha256:') && repositoryOf(d) === repository);
  if (digest) return { image: `${withoutTagOrDigest(candidate)}@${digest.split('@')[1]}` };
  return {
    image: candidate,
    unpinned: `deployed by tag: the scan reported no digest of ${repository} for ${candidate}`,
  };
}
