// The guide's maintenance windows: a routine's steps run inside its window. At the end of it, what is
// still running is cancelled (a child undoes what it must, as on any cancellation), recorded as
// stopped, and the routine reports and alerts that it overran.
import { CancellationScope, isCancellation, patched, sleep } from '@temporalio/workflow';
import type { StepOutcome } from '../../types/index.ts';
import { STOPPED_DETAIL } from './steps.ts';

export interface WindowedSteps {
  steps: StepOutcome[];
  /** Set when the window ended first: how long it was, and which steps it stopped. */
  overran?: { windowMs: number; stopped: string[] };
}

/** Runs `steps` for at most `windowMs`; the report and alert come after, outside the window. */
export async function withinWindow(windowMs: number, steps: () => Promise<StepOutcome[]>): Promise<WindowedSteps> {
  // Runs recorded before windows existed replay without the timer.
  if (!patched('routine-maintenance-window')) return { steps: await steps() };
  const work = new CancellationScope();
  const clock = new CancellationScope();
  let overran = false;
  const deadline = clock
    .run(() => sleep(windowMs))
    .then(
      () => {
        overran = true;
        work.cancel();
      },
      (err: unknown) => {
        if (!isCancellation(err)) throw err;
      },
    );
  const outcomes = await work.run(steps);
  clock.cancel();
  await deadline;
  const stopped = stoppedSteps(outcomes);
  // A window that ended as the last step finished stopped nothing: the routine kept to it.
  if (!overran || stopped.length === 0) return { steps: outcomes };
  return { steps: outcomes, overran: { windowMs, stopped } };
}

function stoppedSteps(outcomes: StepOutcome[]): string[] {
  return outcomes.filter((s) => s.status === 'fail' && s.detail === STOPPED_DETAIL).map((s) => s.step);
}

/** `30 min`, or seconds for a window shorter than a minute's multiple. */
export function windowText(windowMs: number): string {
  return windowMs % 60_000 === 0 ? `${windowMs / 60_000} min` : `${Math.round(windowMs / 1000)} s`;
}
