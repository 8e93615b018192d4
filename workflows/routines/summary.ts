// The end of every routine: the summary report stored in the bucket and returned, and one alert
// when anything failed.
import { proxyActivities, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../../activities/index.ts';
import { searchAttributes, type RoutineReport, type StepOutcome } from '../../types/index.ts';
import { quickRead } from '../shared/activity-options.ts';

export function markRoutine(routine: RoutineReport['routine'], namespace: string): void {
  upsertSearchAttributes([
    { key: searchAttributes.routine, value: routine },
    { key: searchAttributes.targetNamespace, value: namespace },
  ]);
}

export function routineStatus(steps: StepOutcome[]): RoutineReport['status'] {
  if (steps.some((s) => s.status === 'fail')) return 'fail';
  return steps.some((s) => s.status === 'warn') ? 'warn' : 'ok';
}

export async function finishRoutine(routine: RoutineReport['routine'], service: string, startedAt: number, steps: StepOutcome[]): Promise<RoutineReport> {
  const act = proxyActivities<Activities>(quickRead);
  const report: RoutineReport = {
    routine,
    status: routineStatus(steps),
    startedAt: new Date(startedAt).toISOString(),
    durationMs: Date.now() - startedAt,
    steps,
    reportKey: '',
    alerted: false,
  };
  try {
    report.reportKey = (await act.putReport({ kind: `routine-${routine}`, report })).key;
  } catch (err) {
    steps.push({ step: 'store report', status: 'fail', detail: err instanceof Error ? err.message : String(err), durationMs: 0 });
    report.status = 'fail';
  }
  if (report.status === 'fail') {
    const failed = steps.filter((s) => s.status === 'fail');
    await act.sendAlert({
      type: `routine_${routine}_failed`,
      severity: 'warning',
      service,
      summary: `${routine} maintenance: ${failed.length} step(s) failed: ${failed.map((s) => s.step).join(', ')}`,
      details: { failed, workflowId: workflowInfo().workflowId, reportKey: report.reportKey },
      dedupKey: `routine-${routine}-${workflowInfo().workflowId}`,
    });
    report.alerted = true;
  }
  return report;
}
