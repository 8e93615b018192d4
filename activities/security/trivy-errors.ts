// What a failed trivy run means for Temporal. A missing database, image or binary fails the same way
// until someone changes something: non-retryable. A timeout, or a failure we cannot name (a registry
// hiccup), is retried within the activity's bounded policy.
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../types/index.ts';

export function scannerMissing(path: string, code: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `trivy cannot be run from ${JSON.stringify(path)} (${code}): install it (scripts/tools/ensure-trivy.sh) or set PNO_TRIVY_PATH`,
    FailureType.scannerMissing,
  );
}

export function scanTimeout(timeoutMs: number, detail: string): ApplicationFailure {
  return ApplicationFailure.retryable(
    `trivy scan timed out after ${Math.ceil(timeoutMs / 1000)}s: ${detail}`,
    FailureType.scanTimeout,
  );
}

/** Trivy's own error (its last FATAL line and the lines under it), else the last non-empty line. */
export function trivyReason(stderr: string): string {
  const lines = stderr
    .replace(/\u001b\[[0-9;]*m/g, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const fatal = lines.findLastIndex((l) => /\bFATAL\b/.test(l));
  const reason =
    fatal >= 0
      ? lines
          .slice(fatal)
          .join(' ')
          .replace(/^.*?\bFATAL\s+(Fatal error\s+)?/, '')
      : (lines.at(-1) ?? 'no output');
  return reason.length > 600 ? `${reason.slice(0, 599)}…` : reason;
}

/** Patterns on trivy's error text; each is pinned by a test against the real binary or its source. */
const dbUnavailable = [
  /--skip-db-update cannot be specified on the first run/,
  /--skip-db-update cannot be specified with the old DB schema/,
  /failed to download vulnerability DB/,
  /error in vulnerability DB initialize/,
  /DB error/,
];
/** The image is not there or not ours to read: the same until someone fixes the reference or access. */
const imageUnavailable = [
  /unable to initialize archive image/,
  /MANIFEST_UNKNOWN|NAME_UNKNOWN|manifest unknown/,
  /UNAUTHORIZED|DENIED|unauthorized: /,
];
/** The network between trivy and a registry: worth another attempt. */
const network = [
  /dial tcp|connection refused|connection reset|i\/o timeout|TLS handshake timeout|no such host|\b50[234]\b/,
];

export function classifyTrivyExit(code: number | null, stderr: string, timeoutMs: number): ApplicationFailure {
  const reason = trivyReason(stderr);
  // Trivy's own --timeout; a network i/o timeout is not the scan's deadline and is classified below.
  if (/context deadline exceeded/.test(reason)) return scanTimeout(timeoutMs, reason);
  if (dbUnavailable.some((p) => p.test(stderr))) {
    return ApplicationFailure.nonRetryable(
      `no trivy vulnerability database: ${reason}. This worker cannot download it; give trivy a cache dir holding a DB (PNO_TRIVY_CACHE_DIR) or a reachable mirror (PNO_TRIVY_DB_REPOSITORY)`,
      FailureType.vulnDbUnavailable,
    );
  }
  if (imageUnavailable.some((p) => p.test(stderr))) {
    return ApplicationFailure.nonRetryable(`trivy cannot read the image: ${reason}`, FailureType.imageUnavailable);
  }
  if (network.some((p) => p.test(stderr))) {
    return ApplicationFailure.retryable(`trivy could not reach a registry: ${reason}`, FailureType.scanFailed);
  }
  return ApplicationFailure.retryable(`trivy failed (exit ${code ?? 'signal'}): ${reason}`, FailureType.scanFailed);
}
