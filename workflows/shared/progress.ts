import { defineQuery, setHandler } from '@temporalio/workflow';
import type { Progress } from '../../types/index.ts';

export const progressQuery = defineQuery<Progress>('progress');

/** Registers the `progress` query and returns a setter the workflow calls as it moves on. */
export function trackProgress(stepsTotal: number, phase = 'starting') {
  const progress: Progress = { phase, stepsDone: 0, stepsTotal };
  setHandler(progressQuery, () => ({ ...progress }));
  return {
    phase(name: string, detail?: string) {
      progress.phase = name;
      if (detail === undefined) delete progress.detail;
      else progress.detail = detail;
    },
    stepDone() {
      progress.stepsDone += 1;
    },
  };
}
