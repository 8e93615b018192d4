// How every run begins: its search attributes, so operators can find it (`PnoRoutine="backup"`), and
// its `progress` query, which the Web UI and the CLI read while it runs.
import { defineQuery, setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { searchAttributes, type Progress } from '../../types/index.ts';

export const progressQuery = defineQuery<Progress>('progress');

export type ProgressTracker = ReturnType<typeof trackProgress>;

/** Marks the run with its routine name and target namespace (when it has one). */
export function markRun(routine: string, targetNamespace?: string): void {
  upsertSearchAttributes([
    { key: searchAttributes.routine, value: routine },
    ...(targetNamespace === undefined ? [] : [{ key: searchAttributes.targetNamespace, value: targetNamespace }]),
  ]);
}

/** The prologue of a run: marks it, then registers its `progress` query and returns the tracker. */
export function beginRun(
  routine: string,
  targetNamespace: string | undefined,
  stepsTotal: number,
  phase = 'starting',
): ProgressTracker {
  markRun(routine, targetNamespace);
  return trackProgress(stepsTotal, phase);
}

/** Registers the `progress` query and returns a setter the workflow calls as it moves on. */
function trackProgress(stepsTotal: number, phase: string) {
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
