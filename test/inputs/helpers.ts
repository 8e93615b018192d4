// Runs parseInput outside a workflow and reports how it refused an input.
import { ApplicationFailure } from '@temporalio/common';
import { expect } from 'vitest';
import type { z } from 'zod';
import { parseInput } from '../../workflows/shared/input.ts';

export interface Refusal {
  field: string;
  message: string;
  type: string | undefined | null;
  nonRetryable: boolean;
}

/** The failure parseInput throws for `raw`; fails the test when the input is accepted. */
export function refusal(schema: z.ZodType, workflowName: string, raw: unknown): Refusal {
  try {
    parseInput(schema, workflowName, raw);
  } catch (err) {
    if (!(err instanceof ApplicationFailure)) throw err;
    const details = err.details?.[0] as { field: string };
    return { field: details.field, message: err.message, type: err.type, nonRetryable: err.nonRetryable === true };
  }
  throw new Error(`${workflowName} accepted ${JSON.stringify(raw)}`);
}

/** The refusal names `field` and says `rule` about it. */
export function expectRefused(refused: Refusal, field: string, rule: string): void {
  expect(refused).toMatchObject({ field, message: expect.stringContaining(`invalid input: ${field} ${rule}`) });
}

/** The refusal of anything but a command name where an input names a command. */
export const COMMAND_RULE =
  'must be the name of a command in the worker\'s configuration (`commands`), like "log-rotate"';
