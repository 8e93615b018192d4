// The real trivy scanning image archives offline against the suite's tiny vulnerability DB
// (test/fixtures/security/trivy-db, built by scripts/tools/ensure-trivy.sh): real reports through the
// parser, then the policy the workflow applies, end to end without a stub.
import { accessSync } from 'node:fs';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanImage, type TrivyConfig } from '../../activities/security/trivy.ts';
import { generateDockerfileUpdates } from '../../workflows/security/dockerfile-updates.ts';
import { criticalFindings, judgeCandidate } from '../../workflows/security/policy.ts';
import { toolPath, toolsDir } from '../../stack/tools.ts';
import { patched, running, writeImageArchive } from './image-archive.ts';

const fixtureDb = join(toolsDir, 'share', 'trivy-fixture-db');
let dir: string;
let trivy: TrivyConfig;

beforeAll(async () => {
  try {
    accessSync(join(fixtureDb, 'db', 'trivy.db'));
  } catch {
    throw new Error(`no fixture trivy DB at ${fixtureDb}: run ./ops test or scripts/tools/ensure-trivy.sh`);
  }
  dir = await mkdtemp(join(tmpdir(), 'pno-trivy-image-'));
  // A cache of its own (trivy writes its scan cache next to the DB).
  await cp(fixtureDb, join(dir, 'cache'), { recursive: true });
  trivy = { path: toolPath('trivy'), cacheDir: join(dir, 'cache'), offline: true };
  await Promise.all([
    writeImageArchive(join(dir, 'running.tar'), running),
    writeImageArchive(join(dir, 'patched.tar'), patched),
  ]);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const scan = (name: string, image: string) => scanImage(trivy, image, { timeoutMs: 120_000, archive: join(dir, name) });

describe('trivy image with a fixture DB', () => {
  it('finds the OS and Python vulnerabilities, per target, as typed findings', async () => {
    const result = await scan('running.tar', running.repoTag);
    expect(result).toMatchObject({ image: running.repoTag, os: 'debian 12.5' });
    expect(result.targets.map((t) => [t.class, t.type, t.vulnerabilities])).toEqual([
      ['os-pkgs', 'debian', 5],
      ['lang-pkgs', 'python-pkg', 1],
    ]);
    const summary = result.findings
      .map((f) => `${f.id} ${f.package} ${f.installedVersion} ${f.severity} fix=${f.fixedVersion}`)
      .sort();
    expect(summary).toEqual([
      'CVE-2023-45853 zlib1g 1:1.2.13.dfsg-1 CRITICAL fix=',
      'CVE-2024-3651 idna 3.6 HIGH fix=3.7',
      'CVE-2024-5535 libssl3 3.0.11-1~deb12u2 CRITICAL fix=3.0.14-1~deb12u1',
      'CVE-2024-5535 openssl 3.0.11-1~deb12u2 CRITICAL fix=3.0.14-1~deb12u1',
      'CVE-2024-6119 libssl3 3.0.11-1~deb12u2 HIGH fix=3.0.14-1~deb12u2',
      'CVE-2024-6119 openssl 3.0.11-1~deb12u2 HIGH fix=3.0.14-1~deb12u2',
    ]);
    expect(result.findings.find((f) => f.package === 'idna')).toMatchObject({
      title: expect.stringContaining('python-idna'),
      packageClass: 'lang-pkgs',
      target: 'Python',
    });
  });

  it("drives the guide's policy: criticals, the Dockerfile lines, and a patched candidate accepted", async () => {
    const [before, after] = await Promise.all([
      scan('running.tar', running.repoTag),
      scan('patched.tar', patched.repoTag),
    ]);
    // The unfixed zlib CRITICAL is not "critical" in the guide's sense: nothing can update it yet.
    expect(
      criticalFindings(before.findings)
        .map((f) => `${f.id} ${f.package}`)
        .sort(),
    ).toEqual([
      'CVE-2024-3651 idna',
      'CVE-2024-5535 libssl3',
      'CVE-2024-5535 openssl',
      'CVE-2024-6119 libssl3',
      'CVE-2024-6119 openssl',
    ]);
    expect(generateDockerfileUpdates(criticalFindings(before.findings)).lines).toEqual([
      'RUN apt-get update && apt-get install -y libssl3=3.0.14-1~deb12u2 openssl=3.0.14-1~deb12u2 && rm -rf /var/lib/apt/lists/*',
      'RUN pip install --upgrade idna==3.7',
    ]);
    expect(after.findings.map((f) => f.id)).toEqual(['CVE-2023-45853']);
    expect(judgeCandidate(before.findings, after.findings)).toMatchObject({ accept: true });
    // And the other way round: going back would re-add every critical.
    expect(judgeCandidate(after.findings, before.findings).accept).toBe(false);
  });

  it('an image with no OS and no packages is NothingScanned, not clean', async () => {
    await writeImageArchive(
      join(dir, 'static.tar'),
      { repoTag: 'registry.example.com/pno/static:1', debianVersion: '', debs: [], python: [] },
      { bare: true },
    );
    const err = await scan('static.tar', 'registry.example.com/pno/static:1').catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'NothingScanned', nonRetryable: true });
  });

  it('an archive that is not there is ImageUnavailable, not retried', async () => {
    const err = await scan('missing.tar', 'registry.example.com/pno/missing:1').catch((e: unknown) => e);
    expect(err).toMatchObject({ type: 'ImageUnavailable', nonRetryable: true });
    expect((err as Error).message).toContain('unable to initialize archive image');
  });
});
