// Input rules the monitors and optimizers add to input.ts.
import { invalidInput } from '../shared/input.ts';

/** Empty (keep no history) or an object-key prefix of plain lowercase segments. */
export function requireKeyPrefix(field: string, value: unknown, example: string): string {
  if (typeof value !== 'string' || (value !== '' && !/^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/.test(value))) {
    throw invalidInput(field, `must be empty or a path like ${example}`, value);
  }
  return value;
}
