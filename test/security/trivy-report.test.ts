// The trivy report parser on reports in trivy's JSON schema v2 (committed fixtures), including the
// shapes that must not read as "clean": no targets at all, and another schema.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { parseVulnerabilityReport } from '../../activities/security/trivy-report.ts';

const fixture = async (name: string) =>
  JSON.parse(await readFile(new URL(`../fixtures/security/${name}`, import.meta.url), 'utf8')) as unknown;
const image = 'registry.example.com/pno/pno-inference:1.4.0';

describe('parseVulnerabilityReport', () => {
  it('reads every field the guide uses, per target, and keeps targets without vulnerabilities', async () => {
    const scan = parseVulnerabilityReport(await fixture('trivy-image-vulnerable.json'), image);
    expect(scan).toMatchObject({
      image,
      artifactName: image,
      os: 'debian 12.5',
      createdAt: '2026-11-20T03:00:12.482913Z',
      repoDigests: [
        'registry.example.com/pno/pno-inference@sha256:3c5e7a9b1d2f4e6a8c0b2d4f6a8e0c1b3d5f7a9e2c4b6d8f0a1c3e5b7d9f2a4c',
      ],
    });
    expect(scan.targets).toEqual([
      { target: `${image} (debian 12.5)`, class: 'os-pkgs', type: 'debian', vulnerabilities: 4 },
      { target: 'Python', class: 'lang-pkgs', type: 'python-pkg', vulnerabilities: 3 },
      {
        target: 'usr/local/lib/python3.11/site-packages/numpy-1.26.4.dist-info/METADATA',
        class: 'lang-pkgs',
        type: 'python-pkg',
        vulnerabilities: 0,
      },
    ]);
    expect(scan.findings).toHaveLength(7);
    expect(scan.findings[0]).toEqual({
      id: 'CVE-2024-5535',
      severity: 'CRITICAL',
      package: 'libssl3',
      installedVersion: '3.0.11-1~deb12u2',
      fixedVersion: '3.0.14-1~deb12u1',
      title: 'openssl: SSL_select_next_proto buffer overread',
      target: `${image} (debian 12.5)`,
      packageClass: 'os-pkgs',
      packageType: 'debian',
    });
    // No fixed version yet: an empty string, not undefined, so policy can test it plainly.
    expect(scan.findings.find((f) => f.id === 'CVE-2023-45853')).toMatchObject({ package: 'zlib1g', fixedVersion: '' });
    expect(scan.findings.find((f) => f.id === 'CVE-2024-3651')).toMatchObject({
      package: 'idna',
      packageClass: 'lang-pkgs',
      target: 'Python',
    });
    // A secret finding is not a package vulnerability.
    expect(scan.findings.some((f) => f.target === '/app/config/settings.py')).toBe(false);
  });

  it('reads a clean image as zero findings with its targets listed', async () => {
    const scan = parseVulnerabilityReport(
      await fixture('trivy-image-clean.json'),
      'registry.example.com/pno/pno-inference:1.4.1',
    );
    expect(scan.findings).toEqual([]);
    expect(scan.targets.map((t) => t.vulnerabilities)).toEqual([0, 0]);
    expect(scan.os).toBe('debian 12.8');
  });

  it('refuses a report in which nothing was checked: no results and no OS is not a clean bill', async () => {
    expect(() =>
      parseVulnerabilityReport(JSON.parse('{"SchemaVersion":2,"ArtifactName":"x","Results":[]}'), 'x'),
    ).toThrow(/checked nothing/);
    try {
      parseVulnerabilityReport(
        await fixture('trivy-image-nothing-scanned.json'),
        'registry.example.com/pno/static-binary:2.0.0',
      );
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ type: 'NothingScanned', nonRetryable: true });
    }
  });

  it('refuses another schema and malformed fields instead of guessing', async () => {
    expect(() => parseVulnerabilityReport(JSON.parse('{"SchemaVersion":2,"Results":{}}'), 'x')).toThrow(
      /Results is not an array/,
    );
    expect(() => parseVulnerabilityReport(null, 'x')).toThrow(/report is not an object/);
    const bad = JSON.parse(
      '{"SchemaVersion":2,"Metadata":{"OS":{"Family":"debian","Name":"12"}},"Results":[{"Target":"t","Class":"os-pkgs","Vulnerabilities":[{"VulnerabilityID":"CVE-1","PkgName":"p","Severity":7}]}]}',
    );
    expect(() => parseVulnerabilityReport(bad, 'x')).toThrow(/Severity is not a string/);
    try {
      parseVulnerabilityReport(await fixture('trivy-image-schema-v1.json'), 'alpine:3.10');
      expect.unreachable();
    } catch (err) {
      expect(err).toMatchObject({ type: 'BadReport', nonRetryable: true });
      expect((err as Error).message).toContain('report is not an object');
    }
  });

  it('maps a severity trivy may add later to UNKNOWN and cuts long titles', () => {
    const long = 'x'.repeat(500);
    const report = {
      SchemaVersion: 2,
      Results: [
        {
          Target: 't',
          Class: 'lang-pkgs',
          Type: 'pip',
          Vulnerabilities: [{ VulnerabilityID: 'CVE-9', PkgName: 'p', Severity: 'SEVERE', Title: long }],
        },
      ],
    };
    const [finding] = parseVulnerabilityReport(report, 'x').findings;
    expect(finding).toMatchObject({ severity: 'UNKNOWN', installedVersion: '', fixedVersion: '' });
    expect(finding!.title).toHaveLength(200);
  });
});
