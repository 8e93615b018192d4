// The end of every routine: the summary report stored in the bucket and returned, and one alert
// when anything failed (or, when the maintenance window ended first, one that it overran).
import { patched, workflowInfo } from '@temporalio/workflow';
import type { RoutineReport, StepOutcome } from '../../types/index.ts';
import { alerts, records } from '../shared/activities.ts';
import type { ProgressTracker } from '../shared/progress.ts';
import { windowText, type WindowedSteps } from './window.ts';

/** The failures an overrun alert names besides the stopped steps. */
function otherFailures(failed: StepOutcome[], stopped: string[]): string {
  const others = failed.map((s) => s.step).filter((name) => name !== 'maintenance window' && !stopped.includes(name));
  return others.length > 0 ? `; also failed: ${others.join(', ')}` : '';
}

export function routineStatus(steps: StepOutcome[]): RoutineReport['status'] {
  if (steps.some((s) => s.status === 'fail')) return 'fail';
  return steps.some((s) => s.status === 'warn') ? 'warn' : 'ok';
}

/** Ends a routine begun with `beginRun(routine, namespace, 2)`: its steps are done, the report is next. */
export async function finishRoutine(
  routine: RoutineReport['routine'],
  service: string,
  startedAt: number,
  steps: StepOutcome[],
  progress: ProgressTracker,
  overran?: WindowedSteps['overran'],
): Promise<RoutineReport> {
  progress.stepDone();
  if (overran) {
    steps.push({
      step: 'maintenance window',
      status: 'fail',
      detail: `ran past its ${windowText(overran.windowMs)} window; stopped: ${overran.stopped.join(', ')}`,
      durationMs: 0,
    });
  }
  progress.phase('reporting');
  const report: RoutineReport = {
    routine,
    status: routineStatus(steps),
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    steps,
    reportKey: '',
    alerted: false,
  };
  const kind = `routine-${routine}`;
  // The routine's own day, so the second write below lands on the same key even past midnight.
  const date = report.startedAt.slice(0, 10);
  try {
    report.reportKey = (await records.putReport({ kind, report, date })).key;
  } catch (err) {
    steps.push({
      step: 'store report',
      status: 'fail',
      detail: err instanceof Error ? err.message : String(err),
      durationMs: 0,
    });
    report.status = 'fail';
  }
  if (report.status === 'fail') {
    const failed = steps.filter((s) => s.status === 'fail');
    await alerts.sendAlert({
      type: overran ? `routine_${routine}_overran` : `routine_${routine}_failed`,
      severity: 'warning',
      service,
      summary: overran
        ? `${routine} maintenance overran its ${windowText(overran.windowMs)} window: stopped ${overran.stopped.join(', ')}${otherFailures(failed, overran.stopped)}`
        : `${routine} maintenance: ${failed.length} step(s) failed: ${failed.map((s) => s.step).join(', ')}`,
      details: { failed, workflowId: workflowInfo().workflowId, reportKey: report.reportKey },
      dedupKey: `routine-${routine}-${workflowInfo().workflowId}`,
    });
    report.alerted = true;
  }
  // The stored copy says what the run did in the end: its own key, and whether it alerted.
  if (report.reportKey !== '' && patched('routine-report-stored-last')) await records.putReport({ kind, report, date });
  progress.stepDone();
  progress.phase('done', report.status);
  return report;
}
