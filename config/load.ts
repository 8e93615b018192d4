// Reads and checks the configuration file. Every problem is reported at once, by its path in the
// file (`schedules.daily-maintenance.input.latencyProbes`), before the worker connects or a
// schedule is synced: a schedule's input is checked against its workflow's schema, the commands
// it names against `commands`, and its retention against the minimums.
import { readFileSync } from 'node:fs';
import { ApplicationFailure } from '@temporalio/common';
import { parse } from 'yaml';
import { scheduleDefinitions, scheduleName, scheduleNames } from '../schedules/definitions.ts';
import { inputSchemas, type WorkflowType } from '../workflows/inputs.ts';
import { fieldPath, issuePath, parseInput } from '../workflows/shared/input.ts';
import { productConfigSchema, type ProductConfig } from './schema.ts';

export class ProductConfigError extends Error {
  readonly problems: string[];
  constructor(source: string, problems: string[]) {
    super(`invalid configuration ${source}:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ProductConfigError';
    this.problems = problems;
  }
}

export function readProductConfig(path: string): ProductConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ProductConfigError(path, [`cannot read the file (${(err as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  return parseProductConfig(text, path);
}

export function parseProductConfig(text: string, source: string): ProductConfig {
  let raw: unknown;
  try {
    // Duplicate keys are refused: a second `commands:` silently replacing the first would be a trap.
    raw = parse(text, { uniqueKeys: true }) ?? {};
  } catch (err) {
    throw new ProductConfigError(source, [`not YAML: ${(err as Error).message.split('\n')[0]}`]);
  }
  const parsed = productConfigSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ProductConfigError(
      source,
      parsed.error.issues.map((issue) => `${fieldPath(issuePath(issue)) || '(top level)'} ${issue.message}`),
    );
  }
  const problems = scheduleProblems(parsed.data);
  if (problems.length > 0) throw new ProductConfigError(source, problems);
  return parsed.data;
}

function scheduleProblems(config: ProductConfig): string[] {
  const known = scheduleNames();
  const problems = Object.keys(config.schedules)
    .filter((name) => !known.includes(name))
    .map((name) => `schedules.${name} is not a schedule of the product (${known.join(', ')})`);
  for (const definition of scheduleDefinitions(config)) {
    const at = `schedules.${scheduleName(definition)}.input`;
    const type = definition.workflowType as WorkflowType;
    let input: Record<string, unknown>;
    try {
      input = parseInput(inputSchemas[type], type, definition.input) as Record<string, unknown>;
    } catch (err) {
      if (!(err instanceof ApplicationFailure)) throw err;
      problems.push(`${at}.${err.message.replace(/^invalid input: /, '')}`);
      continue;
    }
    problems.push(...commandProblems(config, input, at), ...retentionProblems(config, input, at));
  }
  return problems;
}

/** Every object in a parsed input, the routines' child inputs included, with its path. */
function* objectsIn(value: unknown, at: string): Generator<[Record<string, unknown>, string]> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return;
  const object = value as Record<string, unknown>;
  yield [object, at];
  for (const [field, v] of Object.entries(object)) yield* objectsIn(v, `${at}.${field}`);
}

/** Every `…Command` field must name a configured command. */
function commandProblems(config: ProductConfig, input: unknown, at: string): string[] {
  const names = Object.keys(config.commands).sort().join(', ');
  return [...objectsIn(input, at)].flatMap(([object, path]) =>
    Object.entries(object)
      .filter(([field, v]) => field.endsWith('Command') && typeof v === 'string' && !Object.hasOwn(config.commands, v))
      .map(
        ([field, v]) => `${path}.${field} names no command in commands (got ${JSON.stringify(v)}; commands: ${names})`,
      ),
  );
}

/** A backup input (or a routine's child backup) that would keep less than the minimums. */
function retentionProblems(config: ProductConfig, input: unknown, at: string): string[] {
  const { minDays, minKeep } = config.retention;
  return [...objectsIn(input, at)].flatMap(([object, path]) => [
    ...(typeof object.retentionDays === 'number' && object.retentionDays < minDays
      ? [`${path}.retentionDays ${object.retentionDays} is below retention.minDays (${minDays})`]
      : []),
    ...(typeof object.keepAtLeast === 'number' && object.keepAtLeast < minKeep
      ? [`${path}.keepAtLeast ${object.keepAtLeast} is below retention.minKeep (${minKeep})`]
      : []),
  ]);
}
