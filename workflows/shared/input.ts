// Workflow inputs: one JSON object per workflow, described by a schema (see the domain folders'
// input.ts). parseInput applies the defaults, or fails at once with a non-retryable ApplicationFailure
// that names the field and the rule, so bad input never reaches a retried workflow task.
import { ApplicationFailure } from '@temporalio/workflow';
import { z } from 'zod';
import { FailureType } from '../../types/index.ts';

/** Longer values are cut in the message, so a huge field does not bloat the history. */
const MAX_VALUE_CHARS = 200;

export function invalidInput(field: string, rule: string, value: unknown): ApplicationFailure {
  const shown = JSON.stringify(value);
  const got = shown !== undefined && shown.length > MAX_VALUE_CHARS ? `${shown.slice(0, MAX_VALUE_CHARS)}…` : shown;
  return ApplicationFailure.nonRetryable(`invalid input: ${field} ${rule} (got ${got})`, FailureType.invalidInput, {
    field,
  });
}

/** A workflow's input object: strict, so an unknown field (even `constructor` or `__proto__`) is refused. */
export function inputObject<Shape extends z.core.$ZodLooseShape>(shape: Shape) {
  return z.strictObject(shape, {
    error: (issue) => (issue.code === 'unrecognized_keys' ? undefined : 'must be a JSON object'),
  });
}

/** The input with every default applied, or throws the failure for its first problem. `null`/`undefined` mean `{}`. */
export function parseInput<S extends z.ZodType>(schema: S, workflowName: string, raw: unknown): z.output<S> {
  const parsed = schema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  if (issue.path.length === 0 && issue.code !== 'unrecognized_keys') throw invalidInput('input', issue.message, raw);
  const path = issuePath(issue);
  const rule =
    issue.code === 'unrecognized_keys' && issue.path.length === 0
      ? `is not a field of ${workflowName}'s input`
      : issue.message;
  throw invalidInput(fieldPath(path), rule, valueAt(raw, path));
}

/** Where a zod issue is: an unknown key's own path, not its object's. */
export function issuePath(issue: z.core.$ZodIssue): PropertyKey[] {
  return issue.code === 'unrecognized_keys' ? [...issue.path, issue.keys[0]!] : issue.path;
}

/** `source.kind`, `expectedInputs[0].shape`: the path as a user writes it. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? String(key) : `.${String(key)}`))
    .join('');
}

/** What the caller passed at that path; own properties only, so `constructor` finds no prototype method. */
function valueAt(raw: unknown, path: readonly PropertyKey[]): unknown {
  let value = raw;
  for (const key of path) {
    if (typeof value !== 'object' || value === null || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/** The defaults alone: what `--input '{}'` runs with. */
export function defaultsOf<S extends z.ZodType>(schema: S): z.output<S> {
  return schema.parse({});
}

/**
 * A child workflow's input carried in a parent's (e.g. the monthly routine's `backup`): checked up
 * front against the child's schema, so a mistake fails the parent at once rather than a step hours
 * later, but passed on as given, without the child's defaults, so the child still fills them in and
 * a parent's `{ namespace, ...input.backup }` keeps only what the user set.
 */
export function childInput<S extends z.ZodObject>(schema: S, childWorkflow: string) {
  const optional = Object.fromEntries(
    Object.entries(schema.shape).map(([key, field]) => {
      const meta = z.globalRegistry.get(field);
      const bare = (field instanceof z.ZodDefault ? field.unwrap() : field) as z.ZodType;
      return [key, meta ? bare.optional().meta(meta) : bare.optional()];
    }),
  );
  const asGiven = z
    .strictObject(optional, {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `is not a field of ${childWorkflow}'s input`
          : `must be ${childWorkflow}'s input object`,
    })
    // The child's own cross-field rules (e.g. meanOutput among expectedOutputs), with its defaults.
    .superRefine((value, ctx) => {
      const full = schema.safeParse(value);
      if (!full.success) for (const issue of full.error.issues) ctx.addIssue({ ...issue, input: undefined } as never);
    })
    .meta({ rule: `must be ${childWorkflow}'s input`, childWorkflow });
  return asGiven as unknown as z.ZodType<z.input<S>, z.input<S>>;
}
