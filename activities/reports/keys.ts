// Where reports and history lines live in the bucket. Keys are pure functions of their inputs (the
// workflow id, the day), so a retried attempt writes the same object instead of a second one.
import { ApplicationFailure } from '@temporalio/common';
import { FailureType } from '../../types/index.ts';

const badInput = (field: string, rule: string, value: unknown) =>
  ApplicationFailure.nonRetryable(`${field}: ${rule} (got ${JSON.stringify(value)})`, FailureType.invalidInput, {
    field,
  });

/** Percent-encodes everything but a safe set (and `%` itself), so distinct ids give distinct names. */
export function keySafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._:=@+-]/gu, (c) => encodeURIComponent(c));
}

/** `yyyy-mm-dd` in UTC. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

export function reportKey(kind: string, day: string, workflowId: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(kind)) throw badInput('kind', 'must be lowercase letters, digits and -', kind);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(day)))
    throw badInput('date', 'must be yyyy-mm-dd', day);
  if (workflowId === '') throw badInput('workflowId', 'must not be empty', workflowId);
  return `reports/${kind}/${day}/${keySafe(workflowId)}.json`;
}

/** A key of plain segments (no empty, `.` or `..` segment, no leading `/`) with the given suffix. */
export function requirePlainKey(key: string, suffix: string): string {
  const segments = key.split('/');
  const plain = segments.every((s) => s !== '' && s !== '.' && s !== '..' && /^[A-Za-z0-9._:=@+%-]+$/.test(s));
  if (!plain || !key.endsWith(suffix) || key.length > 1024) {
    throw badInput('key', `must be a path of plain segments ending in ${suffix}`, key);
  }
  return key;
}
