import { executeChild, workflowInfo } from '@temporalio/workflow';
import type { RoutineReport } from '../../types/index.ts';
import { backupWorkflow } from '../backup/backup.ts';
import { parseInput } from '../shared/input.ts';
import { modelHealthWorkflow } from '../model/health.ts';
import { restoreDrillWorkflow } from '../backup/drill.ts';
import { securityUpdateWorkflow } from '../security/update.ts';
import { retrainingStep } from './policy.ts';
import { after, failed, ok, skipped, step, warn } from './steps.ts';
import { finishRoutine } from './summary.ts';
import { withinWindow } from './window.ts';
import { beginRun } from '../shared/progress.ts';
import { monthlyInputSchema, type MonthlyInput } from './input.ts';
import { clusterChanges, records } from '../shared/activities.ts';

/** The guide's monthly maintenance (first Sunday, 01:00 UTC). The restore drill needs the backup. */
export async function monthlyMaintenanceWorkflow(rawInput: MonthlyInput = {}): Promise<RoutineReport> {
  const input = parseInput(monthlyInputSchema, 'monthlyMaintenanceWorkflow', rawInput);
  const progress = beginRun('monthly', input.namespace, 2, 'running steps');
  const started = Date.now();
  const id = workflowInfo().workflowId;

  // Every step but the compliance report runs in the window: the month's evidence is written either way.
  const { steps: done, overran } = await withinWindow(input.windowMs, async () => {
    const backup = step('full backup', async () => {
      const result = await executeChild(backupWorkflow, {
        workflowId: `${id}-backup`,
        args: [{ namespace: input.namespace, ...input.backup }],
      });
      return ok(`${result.key}: ${result.entries} entries, ${result.objectBytes} bytes, verified`);
    });
    const security = step('security updates', async () => {
      const result = await executeChild(securityUpdateWorkflow, {
        workflowId: `${id}-security`,
        args: [{ namespace: input.namespace, ...input.securityUpdate }],
      });
      const detail = `${result.outcome}: ${result.reasons.join('; ') || result.image}`;
      // Criticals left in production, or a candidate that could not be rolled out, need a person.
      const attention = [
        'NEEDS_UPDATE',
        'NO_FIX_AVAILABLE',
        'BUILD_FAILED',
        'CANDIDATE_REFUSED',
        'NOT_APPROVED',
        'ROLLED_BACK',
      ];
      return attention.includes(result.outcome) ? warn(detail) : ok(detail);
    });
    const retraining = step('retraining check', async () => {
      const report = await executeChild(modelHealthWorkflow, { workflowId: `${id}-model`, args: [input.modelCheck] });
      return retrainingStep(
        report,
        input.modelCheck.maxRelativeL2Error ?? 0.1,
        input.modelTrainedAt,
        input.maxModelAgeDays,
        new Date(),
      );
    });
    const infrastructure = input.infrastructureManifests
      ? step('infrastructure updates', async () => {
          const applied = await clusterChanges.applyManifests({ yaml: input.infrastructureManifests });
          return ok(`${applied.length} objects applied (server-side)`);
        })
      : Promise.resolve(skipped('infrastructure updates', 'no infrastructure manifests configured'));
    const drill = after(backup, 'restore drill', async () => {
      const report = await executeChild(restoreDrillWorkflow, {
        workflowId: `${id}-drill`,
        args: [{ ...(input.backup.prefix ? { prefix: input.backup.prefix } : {}), ...input.restoreDrill }],
      });
      return report.passed
        ? ok(`restored ${report.backupKey} in ${Math.round(report.rtoMs / 1000)} s, cleaned up`)
        : failed(report.failure ?? 'drill failed');
    });

    return Promise.all([backup, security, retraining, infrastructure, drill]);
  });
  const compliance = await step('compliance report', async () => {
    // The month's evidence in one place: what ran, what passed, what did not.
    const evidence = Object.fromEntries(done.map((s) => [s.step, { status: s.status, detail: s.detail }]));
    const stored = await records.putReport({
      kind: 'compliance',
      report: { month: new Date(started).toISOString().slice(0, 7), evidence },
    });
    const gaps = done.filter((s) => s.status === 'fail').map((s) => s.step);
    return gaps.length > 0 ? warn(`gaps: ${gaps.join(', ')}; ${stored.key}`) : ok(stored.key);
  });
  return finishRoutine('monthly', input.service, started, [...done, compliance], progress, overran);
}
