// The security workflows' pure policy: the guide's critical filter and report, the candidate verdict,
// and its generate_dockerfile_updates (apt vs pip lines).
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseVulnerabilityReport } from '../../activities/security/trivy-report.ts';
import type { VulnerabilityFinding } from '../../types/index.ts';
import {
  compareVersions,
  dockerfileFor,
  generateDockerfileUpdates,
  packageManager,
} from '../../workflows/security/dockerfile-updates.ts';
import {
  buildSecurityReport,
  criticalFindings,
  judgeCandidate,
  pinToScannedDigest,
  registryOf,
  registryRefusal,
  repositoryOf,
} from '../../workflows/security/policy.ts';

const image = 'registry.example.com/pno/pno-inference:1.4.0';
const findings = parseVulnerabilityReport(
  JSON.parse(await readFile(new URL('../fixtures/security/trivy-image-vulnerable.json', import.meta.url), 'utf8')),
  image,
).findings;

function finding(over: Partial<VulnerabilityFinding>): VulnerabilityFinding {
  return {
    id: 'CVE-1',
    severity: 'HIGH',
    package: 'p',
    installedVersion: '1',
    fixedVersion: '2',
    title: '',
    target: 't',
    packageClass: '',
    packageType: '',
    ...over,
  };
}

describe('criticalFindings and the security report', () => {
  it('counts CRITICAL and HIGH with a fixed version as critical, as the guide does', () => {
    expect(criticalFindings(findings).map((f) => f.id)).toEqual([
      'CVE-2024-5535',
      'CVE-2024-6119',
      'CVE-2024-3651',
      'GHSA-h4gh-qq45-vh27',
    ]);
  });

  it('builds the guide report: breakdown, criticals, both recommendations', () => {
    const report = buildSecurityReport({
      timestamp: '2026-11-20T03:00:00.000Z',
      scanTarget: 'pno-physics-bench in production',
      image,
      findings,
    });
    expect(report).toMatchObject({
      totalVulnerabilities: 7,
      severityBreakdown: { CRITICAL: 2, HIGH: 3, MEDIUM: 1, LOW: 1 },
      recommendations: [
        'Immediate security update required for critical vulnerabilities',
        'Schedule security update for 3 high severity vulnerabilities',
      ],
    });
    expect(report.criticalVulnerabilities).toHaveLength(4);
  });

  it('recommends nothing for a clean scan', () => {
    const report = buildSecurityReport({
      timestamp: 't',
      scanTarget: 's',
      image,
      findings: [finding({ severity: 'LOW' })],
    });
    expect(report).toMatchObject({
      totalVulnerabilities: 1,
      severityBreakdown: { LOW: 1 },
      criticalVulnerabilities: [],
      recommendations: [],
    });
  });
});

describe('judgeCandidate', () => {
  const fixedAll = findings.filter((f) => !criticalFindings(findings).includes(f));

  it('accepts a candidate that removes every critical and adds none', () => {
    const verdict = judgeCandidate(findings, fixedAll);
    expect(verdict.accept).toBe(true);
    expect(verdict.removed).toHaveLength(4);
  });

  it('refuses a candidate that still has a critical', () => {
    const stillOpenssl = [...fixedAll, findings.find((f) => f.id === 'CVE-2024-6119')!];
    expect(judgeCandidate(findings, stillOpenssl)).toMatchObject({
      accept: false,
      reasons: ['still has CVE-2024-6119 in openssl 3.0.11-1~deb12u2 (HIGH)'],
    });
  });

  it('refuses a candidate that adds a HIGH, even one without a fix', () => {
    const added = [
      ...fixedAll,
      finding({ id: 'CVE-2026-0001', package: 'libnew', severity: 'HIGH', fixedVersion: '' }),
    ];
    expect(judgeCandidate(findings, added)).toMatchObject({
      accept: false,
      reasons: ['adds CVE-2026-0001 in libnew 1 (HIGH)'],
    });
  });

  it('lets an unfixed CRITICAL the running image already had stay (no image can remove it yet)', () => {
    expect(judgeCandidate(findings, fixedAll).reasons).toEqual([]);
    expect(fixedAll.some((f) => f.id === 'CVE-2023-45853')).toBe(true);
  });
});

describe("the guide's generate_dockerfile_updates", () => {
  it('puts OS packages on an apt line and Python packages on a pip line, pinned to the fixed version', () => {
    const { lines, skipped } = generateDockerfileUpdates(criticalFindings(findings));
    expect(lines).toEqual([
      'RUN apt-get update && apt-get install -y libssl3=3.0.14-1~deb12u1 openssl=3.0.14-1~deb12u2 && rm -rf /var/lib/apt/lists/*',
      // "43.0.1, 42.0.8": the first listed fixed version is taken.
      'RUN pip install --upgrade cryptography==43.0.1 idna==3.7',
    ]);
    expect(skipped).toEqual([]);
  });

  it("falls back on the guide's rule (lib*, openssl, curl → apt; the rest → pip) when trivy gives no class", () => {
    expect(packageManager({ package: 'libcurl4', packageClass: '', packageType: '' })).toBe('apt');
    expect(packageManager({ package: 'curl', packageClass: '', packageType: '' })).toBe('apt');
    expect(packageManager({ package: 'openssl', packageClass: '', packageType: '' })).toBe('apt');
    expect(packageManager({ package: 'numpy', packageClass: '', packageType: '' })).toBe('pip');
    // The class wins over the name: zlib1g is an OS package though it does not start with lib.
    expect(packageManager({ package: 'zlib1g', packageClass: 'os-pkgs', packageType: 'debian' })).toBe('apt');
    expect(packageManager({ package: 'musl', packageClass: 'os-pkgs', packageType: 'alpine' })).toBeUndefined();
    expect(packageManager({ package: 'lodash', packageClass: 'lang-pkgs', packageType: 'npm' })).toBeUndefined();
  });

  it('pins each package once to the highest fixed version, and skips what no line can fix', () => {
    const { lines, skipped } = generateDockerfileUpdates([
      finding({ id: 'A', package: 'libxml2', fixedVersion: '2.9.14+dfsg-1.3~deb12u1' }),
      finding({ id: 'B', package: 'libxml2', fixedVersion: '2.9.14+dfsg-1.3~deb12u2' }),
      finding({ id: 'C', package: 'requests', fixedVersion: '2.32.0' }),
      finding({ id: 'D', package: 'requests', fixedVersion: '2.31.1' }),
      finding({ id: 'E', package: 'nofix', fixedVersion: '' }),
      finding({ id: 'F', package: 'evil;rm', fixedVersion: '1' }),
      finding({ id: 'G', package: 'pkg', fixedVersion: '1 && curl x' }),
    ]);
    expect(lines).toEqual([
      'RUN apt-get update && apt-get install -y libxml2=2.9.14+dfsg-1.3~deb12u2 && rm -rf /var/lib/apt/lists/*',
      'RUN pip install --upgrade requests==2.32.0',
    ]);
    expect(skipped.map((s) => `${s.id}: ${s.why}`)).toEqual([
      'E: no fixed version',
      'F: package name or version is not a plain token',
      'G: package name or version is not a plain token',
    ]);
  });

  it('gives no lines when nothing is fixable, and layers lines on the running image', () => {
    expect(generateDockerfileUpdates([finding({ fixedVersion: '' })]).lines).toEqual([]);
    expect(dockerfileFor(image, ['RUN pip install --upgrade idna==3.7'])).toBe(
      `FROM ${image}\nRUN pip install --upgrade idna==3.7\n`,
    );
    expect(compareVersions('1.10.0', '1.9.9')).toBeGreaterThan(0);
    expect(compareVersions('3.0.14-1~deb12u1', '3.0.14-1~deb12u1')).toBe(0);
  });
});

describe('candidate registries', () => {
  it.each([
    ['registry.example.com/pno/pno-inference:1.4.1', 'registry.example.com'],
    ['pno.local/pno-inference@sha256:abc', 'pno.local'],
    ['localhost:5000/pno:1', 'localhost:5000'],
    ['localhost/pno:1', 'localhost'],
    ['library/nginx:1', 'docker.io'],
    ['nginx', 'docker.io'],
  ])('%s comes from %s', (image, registry) => expect(registryOf(image)).toBe(registry));

  it("allows the running image's registry and the configured ones, refusing the rest by name", () => {
    const running = 'registry.example.com/pno/pno-inference:1.4.0';
    expect(registryRefusal('registry.example.com/pno/pno-inference:1.4.1', running, [])).toBeUndefined();
    expect(registryRefusal('ghcr.io/pno/pno-inference:1.4.1', running, ['ghcr.io'])).toBeUndefined();
    expect(registryRefusal('nginx:1', running, ['ghcr.io'])).toBe(
      "nginx:1 comes from registry docker.io, which is not allowed (the running image's registry.example.com, and security.registries: ghcr.io)",
    );
  });
});

describe('pinning the scanned candidate', () => {
  const digest = `sha256:${'ab'.repeat(32)}`;
  it.each([
    ['localhost:5000/pno/app:1.2', 'localhost:5000/pno/app'],
    ['nginx:1', 'docker.io/library/nginx'],
    ['docker.io/library/nginx@sha256:00', 'docker.io/library/nginx'],
    ['index.docker.io/library/nginx@sha256:00', 'docker.io/library/nginx'],
    ['pno.local/fixture-service', 'pno.local/fixture-service'],
  ])('%s is repository %s', (image, repository) => expect(repositoryOf(image)).toBe(repository));

  it('rolls out the digest the scan reported for the same repository, keeping the given spelling', () => {
    expect(
      pinToScannedDigest('pno.local/fixture-service:1.1', [
        `pno.local/other@sha256:${'cd'.repeat(32)}`,
        `pno.local/fixture-service@${digest}`,
      ]),
    ).toEqual({ image: `pno.local/fixture-service@${digest}` });
    expect(pinToScannedDigest('nginx:1.27', [`docker.io/library/nginx@${digest}`])).toEqual({
      image: `nginx@${digest}`,
    });
  });

  it('keeps a candidate given by digest, and says so when it can only deploy a tag', () => {
    expect(pinToScannedDigest(`pno.local/app@${digest}`, undefined)).toEqual({ image: `pno.local/app@${digest}` });
    expect(pinToScannedDigest('pno.local/app:2', [`pno.local/other@${digest}`])).toEqual({
      image: 'pno.local/app:2',
      unpinned: 'deployed by tag: the scan reported no digest of pno.local/app for pno.local/app:2',
    });
  });
});
