import { ApplicationFailure, ChildWorkflowFailure, executeChild, workflowInfo } from '@temporalio/workflow';
import { restoreDrillInputSchema, type RestoreDrillInput } from './input.ts';
import { disasterRecoveryWorkflow, type RecoveryReport } from './recovery.ts';
import { parseInput } from '../shared/input.ts';
import { beginRun } from '../shared/progress.ts';
import { clusterChanges } from '../shared/activities.ts';

export interface DrillReport {
  passed: boolean;
  backupKey: string;
  drillNamespace: string;
  /** Recovery time achieved by the drill, in ms (start to verified service). */
  rtoMs: number;
  steps: RecoveryReport['steps'];
  failure?: string;
  cleanedUp: string[];
}

/** The guide's monthly "test disaster recovery": restore the latest backup into a scratch namespace, verify, measure, clean up. */
export async function restoreDrillWorkflow(rawInput: RestoreDrillInput = {}): Promise<DrillReport> {
  const input = parseInput(restoreDrillInputSchema, 'restoreDrillWorkflow', rawInput);
  const progress = beginRun('restore-drill', input.drillNamespace, 2, 'restoring');
  const started = Date.now();

  let recovery: RecoveryReport | undefined;
  let failure: string | undefined;
  try {
    recovery = await executeChild(disasterRecoveryWorkflow, {
      workflowId: `${workflowInfo().workflowId}-restore`,
      args: [
        {
          backupKey: input.backupKey,
          prefix: input.prefix,
          targetNamespace: input.drillNamespace,
          force: true,
          verify: true,
          readyTimeoutMinutes: input.readyTimeoutMinutes,
          apiBaseUrl: input.apiBaseUrl,
        },
      ],
    });
  } catch (err) {
    if (!(err instanceof ChildWorkflowFailure)) throw err;
    const cause = err.cause;
    failure = cause?.message ?? err.message;
    // The recovery's report of what it did rides on its failure, so the drill can still clean up.
    if (cause instanceof ApplicationFailure) recovery = cause.details?.[0] as RecoveryReport | undefined;
  }
  progress.stepDone();
  progress.phase('cleaning up');
  const cleaned = recovery?.restored.length
    ? await clusterChanges.deleteRestored({ objects: recovery.restored })
    : { deleted: [] };
  progress.stepDone();
  progress.phase('done');
  return {
    passed: failure === undefined,
    backupKey: recovery?.backupKey ?? input.backupKey,
    drillNamespace: input.drillNamespace,
    rtoMs: recovery?.rtoMs || Date.now() - started,
    steps: recovery?.steps ?? [],
    ...(failure ? { failure } : {}),
    cleanedUp: cleaned.deleted,
  };
}
