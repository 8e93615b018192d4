// How trivy's failures are classified, on its own error text (the DB, archive and deadline cases are
// also produced by the real binary in trivy-binary.test.ts and trivy-image.test.ts).
import { describe, expect, it } from 'vitest';
import { classifyTrivyExit, trivyReason } from '../../activities/security/trivy-errors.ts';

const fatal = (message: string) =>
  `2026-11-27T03:43:58Z\tINFO\t[vuln] Vulnerability scanning is enabled\n2026-11-27T03:43:58Z\tFATAL\tFatal error\t${message}\n`;

describe('classifyTrivyExit', () => {
  it.each([
    [
      'run error: image scan error: scan error: unable to initialize a scan service: unable to initialize artifact: unable to initialize container image: unable to find the specified image "r/pno:9" in ["docker" "containerd" "podman" "remote"]: 4 errors occurred:\n\t* remote error: GET https://r/v2/pno/manifests/9: MANIFEST_UNKNOWN: manifest unknown',
      'ImageUnavailable',
      true,
    ],
    [
      'run error: image scan error: ... remote error: GET https://r/v2/pno/manifests/9: UNAUTHORIZED: authentication required',
      'ImageUnavailable',
      true,
    ],
    [
      'run error: image scan error: ... remote error: Get "https://r/v2/": dial tcp 10.0.0.5:443: connect: connection refused',
      'ScanFailed',
      false,
    ],
    [
      'run error: init error: DB error: database error: --skip-db-update cannot be specified with the old DB schema. Local DB: 1, Expected: 2',
      'VulnDbUnavailable',
      true,
    ],
    ['run error: fs scan error: scan error: scan failed: context deadline exceeded', 'ScanTimeout', false],
    ['run error: something nobody has seen before', 'ScanFailed', false],
  ])('%s → %s', (message, type, nonRetryable) => {
    expect(classifyTrivyExit(1, fatal(message), 60_000)).toMatchObject({ type, nonRetryable });
  });

  it("keeps trivy's own message, joined, without colour codes or the log prefix", () => {
    expect(trivyReason(fatal('run error: a:\n\t* b\n\t* c'))).toBe('run error: a: * b * c');
    expect(trivyReason('\u001b[31mplain failure\u001b[0m\n')).toBe('plain failure');
    expect(trivyReason('')).toBe('no output');
  });
});
