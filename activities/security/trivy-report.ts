// Trivy's JSON report (schema v2) to typed findings. A report of another shape is refused rather
// than read as "no vulnerabilities": a parser that guesses would turn a schema change into a clean bill.
import { ApplicationFailure } from '@temporalio/common';
import {
  FailureType,
  severities,
  type ConfigScan,
  type ImageScan,
  type MisconfigFinding,
  type ScanTarget,
  type Severity,
  type VulnerabilityFinding,
} from '../../types/index.ts';

/** Long advisory titles are cut so a scan with hundreds of findings stays small in workflow history. */
const MAX_TITLE = 200;

type Json = Record<string, unknown>;

function badReport(message: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(`trivy report: ${message}`, FailureType.badReport);
}

function object(value: unknown, where: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badReport(`${where} is not an object`);
  return value as Json;
}

function text(obj: Json, field: string, where: string, required = false): string {
  const value = obj[field];
  if (value === undefined || value === null) {
    if (required) throw badReport(`${where}.${field} is missing`);
    return '';
  }
  if (typeof value !== 'string') throw badReport(`${where}.${field} is not a string`);
  return value;
}

function list(obj: Json, field: string, where: string): unknown[] {
  const value = obj[field];
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw badReport(`${where}.${field} is not an array`);
  return value;
}

function severity(value: string): Severity {
  return (severities as readonly string[]).includes(value) ? (value as Severity) : 'UNKNOWN';
}

function cut(value: string): string {
  return value.length > MAX_TITLE ? `${value.slice(0, MAX_TITLE - 1)}…` : value;
}

/** The report's results, after checking it is schema v2. */
function results(report: unknown): { root: Json; results: Json[] } {
  const root = object(report, 'report');
  if (root.SchemaVersion !== 2) throw badReport(`SchemaVersion is ${JSON.stringify(root.SchemaVersion)}, expected 2`);
  return { root, results: list(root, 'Results', 'report').map((r, i) => object(r, `Results[${i}]`)) };
}

/** Results that trivy checked for vulnerabilities: package results (not config or secret ones). */
const packageClasses = new Set(['os-pkgs', 'lang-pkgs']);

export function parseVulnerabilityReport(report: unknown, image: string): ImageScan {
  const { root, results: all } = results(report);
  const metadata = root.Metadata === undefined ? {} : object(root.Metadata, 'Metadata');
  const os = metadata.OS === undefined ? undefined : object(metadata.OS, 'Metadata.OS');
  const targets: ScanTarget[] = [];
  const findings: VulnerabilityFinding[] = [];
  all.forEach((result, i) => {
    const where = `Results[${i}]`;
    const cls = text(result, 'Class', where);
    const vulns = list(result, 'Vulnerabilities', where);
    // Trivy omits Class only in reports older than v0.20; Vulnerabilities then still mean packages.
    if (cls !== '' && !packageClasses.has(cls) && vulns.length === 0) return;
    const target = text(result, 'Target', where, true);
    const type = text(result, 'Type', where);
    targets.push({ target, class: cls, type, vulnerabilities: vulns.length });
    vulns.forEach((v, j) => {
      const vuln = object(v, `${where}.Vulnerabilities[${j}]`);
      const at = `${where}.Vulnerabilities[${j}]`;
      findings.push({
        id: text(vuln, 'VulnerabilityID', at, true),
        severity: severity(text(vuln, 'Severity', at, true)),
        package: text(vuln, 'PkgName', at, true),
        installedVersion: text(vuln, 'InstalledVersion', at),
        fixedVersion: text(vuln, 'FixedVersion', at),
        title: cut(text(vuln, 'Title', at)),
        target,
        packageClass: cls,
        packageType: type,
      });
    });
  });
  // Nothing trivy could check (no OS detected, no package files): silence here is not "no vulnerabilities".
  if (targets.length === 0 && os === undefined) {
    throw ApplicationFailure.nonRetryable(
      `trivy found no OS packages and no language packages in ${image}: the scan checked nothing, so it proves nothing`,
      FailureType.nothingScanned,
    );
  }
  const osName = os
    ? [text(os, 'Family', 'Metadata.OS'), text(os, 'Name', 'Metadata.OS')].filter(Boolean).join(' ')
    : undefined;
  // `repo@sha256:…` for the image trivy read, when its source knows it: the scanned bytes by digest.
  const repoDigests = Array.isArray(metadata.RepoDigests)
    ? metadata.RepoDigests.filter((d): d is string => typeof d === 'string' && /@sha256:[0-9a-f]{64}$/.test(d))
    : [];
  return {
    image,
    artifactName: text(root, 'ArtifactName', 'report'),
    ...(osName ? { os: osName } : {}),
    ...(repoDigests.length > 0 ? { repoDigests } : {}),
    ...(typeof root.CreatedAt === 'string' ? { createdAt: root.CreatedAt } : {}),
    targets,
    findings,
  };
}

export function parseConfigReport(report: unknown, scanned: string): ConfigScan {
  const { results: all } = results(report);
  let passed = 0;
  let files = 0;
  const findings: MisconfigFinding[] = [];
  all.forEach((result, i) => {
    const where = `Results[${i}]`;
    if (text(result, 'Class', where) !== 'config') return;
    files += 1;
    const target = text(result, 'Target', where, true);
    const summary = result.MisconfSummary === undefined ? {} : object(result.MisconfSummary, `${where}.MisconfSummary`);
    if (typeof summary.Successes === 'number') passed += summary.Successes;
    list(result, 'Misconfigurations', where).forEach((m, j) => {
      const at = `${where}.Misconfigurations[${j}]`;
      const misconf = object(m, at);
      // Passed checks appear here only with --include-non-failures; count them, list failures.
      if (text(misconf, 'Status', at) !== 'FAIL') return;
      const cause = misconf.CauseMetadata === undefined ? {} : object(misconf.CauseMetadata, `${at}.CauseMetadata`);
      findings.push({
        id: text(misconf, 'ID', at, true),
        severity: severity(text(misconf, 'Severity', at, true)),
        title: cut(text(misconf, 'Title', at)),
        message: cut(text(misconf, 'Message', at)),
        target,
        resolution: cut(text(misconf, 'Resolution', at)),
        ...(typeof cause.StartLine === 'number' ? { startLine: cause.StartLine } : {}),
        ...(typeof cause.EndLine === 'number' ? { endLine: cause.EndLine } : {}),
      });
    });
  });
  return { scanned, filesScanned: files, passed, findings };
}
