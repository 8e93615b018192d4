// Input validation for workflows: one object, every field defaulted, bad values fail at once with a
// non-retryable ApplicationFailure that names the field and the rule.
import { ApplicationFailure } from '@temporalio/workflow';
import { FailureType } from '../../types/index.ts';

export function invalidInput(field: string, rule: string, value: unknown): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `invalid input: ${field} ${rule} (got ${JSON.stringify(value)})`,
    FailureType.invalidInput,
    { field },
  );
}

/** Merges defaults under the given input, refusing anything but a plain object and unknown fields. */
export function withDefaults<T extends object>(workflow: string, raw: unknown, defaults: T): T {
  if (raw === undefined || raw === null) return { ...defaults };
  if (typeof raw !== 'object' || Array.isArray(raw)) throw invalidInput('input', 'must be a JSON object', raw);
  for (const key of Object.keys(raw)) {
    if (!(key in defaults)) throw invalidInput(key, `is not a field of ${workflow}'s input`, (raw as Record<string, unknown>)[key]);
  }
  return { ...defaults, ...(raw as Partial<T>) };
}

export function requireHttpUrl(field: string, value: unknown): string {
  if (typeof value !== 'string') throw invalidInput(field, 'must be an http(s) URL string', value);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalidInput(field, 'must be an absolute http(s) URL', value);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidInput(field, 'must use http or https', value);
  return value;
}

export function requireInteger(field: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalidInput(field, `must be an integer from ${min} to ${max}`, value);
  }
  return value;
}

/** A Kubernetes object name (RFC 1123 label), the rule namespaces and most names follow. */
export function requireKubeName(field: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value)) {
    throw invalidInput(field, 'must be a Kubernetes name (lowercase letters, digits and -, at most 63)', value);
  }
  return value;
}

/** A label selector of `key=value` pairs joined by commas. */
export function requireSelector(field: string, value: unknown): string {
  const pair = /^[A-Za-z0-9][-A-Za-z0-9_./]*(=|==|!=)[-A-Za-z0-9_.]*$/;
  if (typeof value !== 'string' || value === '' || !value.split(',').every((part) => pair.test(part.trim()))) {
    throw invalidInput(field, 'must be a label selector like app=pno-physics-bench', value);
  }
  return value;
}

export function requireBoolean(field: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidInput(field, 'must be true or false', value);
  return value;
}
