// Running a routine's steps: each one's outcome is recorded, a failing step never stops the others,
// and a step that needs another runs only after it succeeded (or is `skipped`, saying why).
import { ActivityFailure, ChildWorkflowFailure, isCancellation } from '@temporalio/workflow';
import type { StepOutcome, StepStatus } from '../../types/index.ts';

export interface StepResult {
  status: Exclude<StepStatus, 'skipped' | 'fail'> | 'fail';
  detail: string;
}

/** What a step cancelled before it finished says (the maintenance window ended, or an operator cancelled). */
export const STOPPED_DETAIL = 'stopped before it finished (cancelled)';

/** Runs one step; a thrown failure becomes a `fail` outcome naming its cause. */
export async function step(name: string, work: () => Promise<StepResult>): Promise<StepOutcome> {
  const started = Date.now();
  try {
    const result = await work();
    return { step: name, ...result, durationMs: Date.now() - started };
  } catch (err) {
    const detail = isCancellation(err) ? STOPPED_DETAIL : failureMessage(err);
    return { step: name, status: 'fail', detail, durationMs: Date.now() - started };
  }
}

export function skipped(name: string, reason: string): StepOutcome {
  return { step: name, status: 'skipped', detail: reason, durationMs: 0 };
}

/** Runs `work` only if the prerequisite step succeeded. */
export async function after(
  prerequisite: Promise<StepOutcome>,
  name: string,
  work: () => Promise<StepResult>,
): Promise<StepOutcome> {
  const before = await prerequisite;
  if (before.status === 'fail' || before.status === 'skipped')
    return skipped(name, `needs ${before.step}, which did not succeed`);
  return step(name, work);
}

/** The root cause's message: a child's "Activity task failed" says nothing; the 403 under it does. */
function failureMessage(err: unknown): string {
  let cause: unknown = err;
  while ((cause instanceof ActivityFailure || cause instanceof ChildWorkflowFailure) && cause.cause)
    cause = cause.cause;
  while (cause instanceof Error && cause.cause instanceof Error) cause = cause.cause;
  return cause instanceof Error ? cause.message : String(cause);
}

export const ok = (detail: string): StepResult => ({ status: 'ok', detail });
export const warn = (detail: string): StepResult => ({ status: 'warn', detail });
export const failed = (detail: string): StepResult => ({ status: 'fail', detail });

/** Starts every step at once, or each after the previous one finished; outcomes in the given order. */
export async function runSteps(parallel: boolean, steps: (() => Promise<StepOutcome>)[]): Promise<StepOutcome[]> {
  if (parallel) return Promise.all(steps.map((start) => start()));
  const outcomes: StepOutcome[] = [];
  for (const start of steps) outcomes.push(await start());
  return outcomes;
}
