// Field schemas that several workflow inputs share. Each carries its rule twice: as the error message
// parseInput reports (`invalid input: <field> <rule>`), and as `rule` metadata for the README tables.
import { z } from 'zod';

/** A schema whose every refusal (wrong type or failed check) says the same rule. */
function ruled<T extends z.ZodType>(rule: string, build: (error: { error: string }) => T): T {
  return build({ error: rule }).meta({ rule });
}

export function integer(min: number, max: number) {
  return ruled(`must be an integer from ${min} to ${max}`, (e) => z.int(e).min(min, e).max(max, e));
}

export const boolean = ruled('must be true or false', (e) => z.boolean(e));

/** A Kubernetes object name (RFC 1123 label), the rule namespaces and most names follow. */
export const kubeName = ruled('must be a Kubernetes name (lowercase letters, digits and -, at most 63)', (e) =>
  z.string(e).regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, e),
);

/** A Kubernetes name, or empty for "the default the field's description names". */
export const kubeNameOrEmpty = ruled('must be a Kubernetes name, or empty', (e) =>
  z.string(e).regex(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)?$/, e),
);

/** A Service and its port, `name:port` (or `name:port-name`), or empty for none. */
export const serviceRef = ruled('must be a Service and port like pno-physics-bench:8000, or empty', (e) =>
  z.string(e).regex(/^([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?:[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?)?$/, e),
);

// One `key=value` (or `==`, `!=`) pair; a selector is such pairs joined by commas, spaces allowed around each.
const selectorPair = String.raw`[A-Za-z0-9][-A-Za-z0-9_./]*(=|==|!=)[-A-Za-z0-9_.]*`;

/** A label selector of `key=value` pairs joined by commas. */
export const selector = ruled('must be a label selector like app=pno-physics-bench', (e) =>
  z.string(e).regex(new RegExp(String.raw`^\s*${selectorPair}\s*(,\s*${selectorPair}\s*)*$`), e),
);

/** A non-empty name used in alerts and reports. */
export const displayName = ruled('must be a non-empty name', (e) => z.string(e).min(1, e));

/** A PromQL expression Prometheus evaluates as an instant query (it checks the syntax itself). */
export const promQuery = ruled('must be a PromQL expression of at most 2000 characters', (e) =>
  z.string(e).trim().min(1, e).max(2000, e),
);

/** An absolute http(s) URL, or empty for the worker's configured one. */
export const httpUrlOrEmpty = z
  .string({ error: 'must be an http(s) URL string' })
  .superRefine((value, ctx) => {
    if (value === '') return;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be an absolute http(s) URL', input: value });
      return;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      ctx.addIssue({ code: 'custom', message: 'must use http or https', input: value });
  })
  .meta({ rule: 'empty, or an absolute http(s) URL' });

/** An object key prefix in the bucket: plain lowercase segments, no `..` and no empty segment. */
export const objectKeyPrefix = ruled('must be an object key prefix like pno/backups', (e) =>
  z.string(e).regex(/^(?!.*\.\.)(?!.*\/\/)[a-z0-9][a-z0-9._/-]*[a-z0-9]$/, e),
);

/** Empty (keep no history) or an object-key prefix of plain lowercase segments. */
export function historyPrefix(example: string) {
  return ruled(`must be empty or a path like ${example}`, (e) =>
    z.string(e).regex(/^([a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*)?$/, e),
  );
}

/** An absolute path inside the pod, or empty for the worker's PNO_MODELS_DIR. */
export const podDirOrEmpty = ruled('must be an absolute path in the pod, or empty', (e) =>
  z.string(e).regex(/^(\/[\s\S]*)?$/, e),
);

/** An absolute path on the worker (relative ones would depend on its working directory). */
export const workerPath = ruled('must be an absolute path', (e) => z.string(e).regex(/^\/[^\u0000]*$/, e));

/** The same, or empty for the worker's configured default. */
export const workerPathOrEmpty = ruled('must be an absolute path, or empty for the worker default', (e) =>
  z.string(e).regex(/^(\/[^\u0000]*)?$/, e),
);

/**
 * The name of a command in the worker's configuration (`commands`), which alone says what it runs:
 * an input never carries an argument array.
 */
export const commandName = ruled(
  'must be the name of a command in the worker\'s configuration (`commands`), like "log-rotate"',
  (e) => z.string(e).regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, e),
);

/** A date `Date.parse` reads (ISO 8601 in practice), or optionally empty for "unknown". */
export function isoDate(rule: string, emptyAllowed = false) {
  return ruled(rule, (e) =>
    z.string(e).refine((value) => (emptyAllowed && value === '') || !Number.isNaN(Date.parse(value)), e),
  );
}

/**
 * Empty (meaning "none" or "the worker's default"), or a value `schema` accepts. A string it refuses
 * gets `schema`'s own message (zod reports the closest alternative); anything else gets `rule`.
 */
export function emptyOr<T extends z.ZodType<string>>(schema: T, rule: string) {
  return z.union([z.literal(''), schema], { error: rule }).meta({ rule: `empty, or ${rule.replace(/^must be /, '')}` });
}

/** Strict nested object: unknown keys are refused with `unknownKey`, anything but an object with `notObject`. */
export function nestedObject<Shape extends z.core.$ZodLooseShape>(
  shape: Shape,
  rules: { unknownKey: string; notObject: string },
) {
  return z
    .strictObject(shape, {
      error: (issue) => (issue.code === 'unrecognized_keys' ? rules.unknownKey : rules.notObject),
    })
    .meta({ rule: rules.notObject });
}
