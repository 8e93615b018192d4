// The real trivy binary (pinned, built by scripts/tools/ensure-trivy.sh) on what it can do offline
// here: misconfiguration checks (embedded in the binary) on the product's own deploy/ manifests. With
// no vulnerability database and no internet, image scans must fail clearly and non-retryably.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrivyJson } from '../../activities/security/trivy-process.ts';
import { parseConfigReport } from '../../activities/security/trivy-report.ts';
import { scanConfigDir, scanImage, type TrivyConfig } from '../../activities/security/trivy.ts';
import { toolPath } from '../../stack/tools.ts';

const deployDir = fileURLToPath(new URL('../../deploy', import.meta.url));
let cacheDir: string;
let trivy: TrivyConfig;

beforeAll(async () => {
  // An empty cache of its own: no database, no checks bundle, as on a fresh air-gapped worker.
  cacheDir = await mkdtemp(join(tmpdir(), 'pno-trivy-'));
  trivy = { path: toolPath('trivy'), cacheDir, offline: true };
});
afterAll(() => rm(cacheDir, { recursive: true, force: true }));

async function failure(work: Promise<unknown>) {
  const err = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeDefined();
  return err as Error & { type?: string; nonRetryable?: boolean };
}

describe('trivy config (offline, embedded checks)', () => {
  it("scans deploy/ and reports typed misconfigurations, e.g. the worker role's access to Secrets", async () => {
    const scan = await scanConfigDir(trivy, deployDir, 'deploy', { timeoutMs: 120_000 });
    expect(scan.scanned).toBe('deploy');
    expect(scan.filesScanned).toBeGreaterThanOrEqual(2);
    expect(scan.passed).toBeGreaterThan(100);
    const secrets = scan.findings.find((f) => f.id === 'KSV-0041');
    expect(secrets).toMatchObject({ severity: 'CRITICAL', target: 'rbac.yaml', title: 'Manage secrets' });
    expect(secrets!.message).toContain("ClusterRole 'pno-maintenance-workloads'");
    expect(secrets!.startLine).toBeGreaterThan(0);
    expect(scan.findings.every((f) => f.id !== '' && f.resolution !== '')).toBe(true);
  });

  it('classifies its own deadline as a retryable ScanTimeout', async () => {
    const err = await failure(scanConfigDir(trivy, deployDir, 'deploy', { timeoutMs: 1 }));
    expect(err).toMatchObject({ type: 'ScanTimeout', nonRetryable: false });
    expect(err.message).toMatch(/^trivy scan timed out after 1s: .*context deadline exceeded/);
  });
});

describe('trivy image without a vulnerability database', () => {
  it('offline (--skip-db-update) on a fresh cache: VulnDbUnavailable, not retried', async () => {
    const err = await failure(scanImage(trivy, 'registry.example.com/pno/pno-inference:1.4.0', { timeoutMs: 60_000 }));
    expect(err).toMatchObject({ type: 'VulnDbUnavailable', nonRetryable: true });
    expect(err.message).toContain('--skip-db-update cannot be specified on the first run');
    expect(err.message).toContain('PNO_TRIVY_CACHE_DIR');
  });

  it('online mode with no internet: the download fails, VulnDbUnavailable with the reason', async () => {
    const err = await failure(
      scanImage({ ...trivy, offline: false }, 'registry.example.com/pno/pno-inference:1.4.0', { timeoutMs: 60_000 }),
    );
    expect(err).toMatchObject({ type: 'VulnDbUnavailable', nonRetryable: true });
    expect(err.message).toContain('failed to download vulnerability DB');
  });

  it('refuses an image reference that trivy would read as an option', async () => {
    const err = await failure(scanImage(trivy, '--config=/etc/passwd', { timeoutMs: 60_000 }));
    expect(err).toMatchObject({ type: 'InvalidInput', nonRetryable: true });
  });
});

describe('running the scanner', () => {
  it('a missing binary is ScannerMissing, not retried', async () => {
    const err = await failure(scanImage({ path: '/nonexistent/trivy' }, 'x:1', { timeoutMs: 1_000 }));
    expect(err).toMatchObject({ type: 'ScannerMissing', nonRetryable: true });
  });

  it('a scanner that ignores its deadline is killed and reported as a timeout', async () => {
    // A stand-in process that never finishes (trivy itself honours --timeout, tested above).
    const err = await failure(
      runTrivyJson(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { timeoutMs: 50, killGraceMs: 200 }),
    );
    expect(err).toMatchObject({ type: 'ScanTimeout', nonRetryable: false });
    expect(err.message).toContain('was killed');
  });

  it('stops the scanner when the activity is cancelled', async () => {
    const controller = new AbortController();
    const running = runTrivyJson(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      timeoutMs: 60_000,
      signal: controller.signal,
    });
    controller.abort();
    const err = await failure(running);
    expect(err.name).toBe('AbortError');
  });
});

describe('parseConfigReport', () => {
  it('reads a trivy config report (real output for deploy/, trimmed to four findings a file)', async () => {
    const report = JSON.parse(
      await readFile(new URL('../fixtures/security/trivy-config-deploy.json', import.meta.url), 'utf8'),
    ) as unknown;
    const scan = parseConfigReport(report, 'deploy');
    expect(scan).toMatchObject({ filesScanned: 2, passed: 224 });
    expect(scan.findings).toHaveLength(8);
    expect(scan.findings[0]).toEqual({
      id: 'KSV-0041',
      severity: 'CRITICAL',
      title: 'Manage secrets',
      message: "ClusterRole 'pno-maintenance-workloads' shouldn't have access to manage resource 'secrets'",
      target: 'rbac.yaml',
      resolution: "Manage secrets are not allowed. Remove resource 'secrets' from cluster role",
      startLine: 68,
      endLine: 70,
    });
  });
});
