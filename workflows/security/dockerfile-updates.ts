// The guide's `generate_dockerfile_updates`: Dockerfile lines that install the fixed versions of
// vulnerable packages, apt for system packages and pip for Python ones. Pure, so it is unit-tested.
import type { VulnerabilityFinding } from '../../types/index.ts';

/**
 * Which package manager installs the fix. Trivy says it (os-pkgs vs lang-pkgs); only when it does
 * not do we fall back on the guide's rule of thumb: `lib*`, openssl and curl are system packages.
 */
export function packageManager(
  finding: Pick<VulnerabilityFinding, 'package' | 'packageClass' | 'packageType'>,
): 'apt' | 'pip' | undefined {
  if (finding.packageClass === 'os-pkgs')
    return ['debian', 'ubuntu'].includes(finding.packageType) || finding.packageType === '' ? 'apt' : undefined;
  if (finding.packageClass === 'lang-pkgs')
    return ['pip', 'pipenv', 'poetry', 'python-pkg', 'uv', ''].includes(finding.packageType) ? 'pip' : undefined;
  return finding.package.startsWith('lib') || ['openssl', 'curl'].includes(finding.package) ? 'apt' : 'pip';
}

/** Only names and versions that are plain tokens reach a RUN line; anything else could inject commands. */
const safeToken = /^[A-Za-z0-9][A-Za-z0-9._+:~-]*$/;

export interface DockerfileUpdates {
  lines: string[];
  /** Findings no line could fix: no fixed version, a package manager the image is not built with, or an unsafe name. */
  skipped: { id: string; package: string; why: string }[];
}

export function generateDockerfileUpdates(findings: VulnerabilityFinding[]): DockerfileUpdates {
  const apt = new Map<string, string>();
  const pip = new Map<string, string>();
  const skipped: DockerfileUpdates['skipped'] = [];
  for (const f of findings) {
    const skip = (why: string) => skipped.push({ id: f.id, package: f.package, why });
    // Trivy lists several fixed versions as "1.2.3, 1.3.1" (per branch); the first is the one on this branch.
    const fixed = f.fixedVersion.split(',')[0]?.trim() ?? '';
    if (fixed === '') {
      skip('no fixed version');
      continue;
    }
    if (!safeToken.test(f.package) || !safeToken.test(fixed)) {
      skip('package name or version is not a plain token');
      continue;
    }
    const manager = packageManager(f);
    if (manager === undefined) {
      skip(`no update line for ${f.packageClass} ${f.packageType}`);
      continue;
    }
    // One pin per package: the highest fixed version asked for wins (several CVEs, one package).
    const pins = manager === 'apt' ? apt : pip;
    const known = pins.get(f.package);
    if (known === undefined || compareVersions(fixed, known) > 0) pins.set(f.package, fixed);
  }
  const lines: string[] = [];
  const sorted = (pins: Map<string, string>, sep: string) =>
    [...pins].sort(([a], [b]) => (a < b ? -1 : 1)).map(([p, v]) => `${p}${sep}${v}`);
  if (apt.size > 0)
    lines.push(`RUN apt-get update && apt-get install -y ${sorted(apt, '=').join(' ')} && rm -rf /var/lib/apt/lists/*`);
  if (pip.size > 0) lines.push(`RUN pip install --upgrade ${sorted(pip, '==').join(' ')}`);
  return { lines, skipped };
}

/**
 * The Dockerfile that layers the updates on the running image. No `USER root`: the image's own user
 * stays in force, so an image that runs as non-root fails to build rather than silently turning root.
 */
export function dockerfileFor(baseImage: string, updates: string[]): string {
  return [`FROM ${baseImage}`, ...updates].join('\n') + '\n';
}

/** Numeric-aware comparison, good enough to pick the larger of two fixed versions of one package. */
export function compareVersions(a: string, b: string): number {
  const parts = (v: string) => v.split(/[^A-Za-z0-9]+/).filter(Boolean);
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? '';
    const y = pb[i] ?? '';
    if (x === y) continue;
    if (/^\d+$/.test(x) && /^\d+$/.test(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return 0;
}
