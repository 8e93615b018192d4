// Where backups live in the bucket. A backup's key is a pure function of the prefix and workflow id,
// so a retried attempt overwrites its own object and never leaves a second one.
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../types/index.ts';

export const BACKUP_SUFFIX = '.tar.gz.enc';

/** `pno/backups/` from `pno/backups` or `/pno/backups/`; refuses an empty prefix or dot segments. */
export function normalizePrefix(prefix: string): string {
  const trimmed = prefix.trim().replace(/^\/+|\/+$/g, '');
  const segments = trimmed.split('/');
  if (trimmed === '' || segments.some((s) => s === '' || s === '.' || s === '..')) {
    throw ApplicationFailure.nonRetryable(
      `prefix: must be a non-empty path of plain segments, like "pno/backups" (got ${JSON.stringify(prefix)})`,
      FailureType.invalidInput,
    );
  }
  return `${trimmed}/`;
}

/** Percent-encodes everything but a safe set (and `%` itself), so distinct ids give distinct keys. */
export function objectKeyFor(prefix: string, workflowId: string): string {
  if (workflowId === '')
    throw ApplicationFailure.nonRetryable('workflowId: must not be empty', FailureType.invalidInput);
  const name = workflowId.replace(/[^A-Za-z0-9._:=@+-]/gu, (c) => encodeURIComponent(c));
  return `${normalizePrefix(prefix)}${name}${BACKUP_SUFFIX}`;
}

/** Only objects this product named: directly under the prefix, with the backup suffix. */
export function isBackupKey(normalizedPrefix: string, key: string): boolean {
  if (!key.startsWith(normalizedPrefix) || !key.endsWith(BACKUP_SUFFIX)) return false;
  const name = key.slice(normalizedPrefix.length);
  return name.length > BACKUP_SUFFIX.length && !name.includes('/');
}
