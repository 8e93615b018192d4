// A recovery that fails, is fixed, and is resumed with `temporal workflow reset` as an operator would,
// on the real node as the worker: the rollout is stuck (a ResourceQuota leaves no room for the new
// pods), the recovery fails naming the step, the quota is lifted, the run is reset to its first task
// with nothing re-applied (no signal, no update), and it completes: the approval given to the first
// run holds (what is serving is what this recovery restored), and the backup is not downloaded again.
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { backupWorkflow, disasterRecoveryWorkflow } from '../../workflows/index.ts';
import { approveUpdate } from '../../workflows/shared/approval.ts';
import { progressQuery } from '../../workflows/shared/progress.ts';
import { testKube } from '../helpers/kube.ts';
import { replayRuns } from '../helpers/replay-runs.ts';
import { modelsOnVolume, serviceCopy } from '../helpers/service.ts';
import { resetToStart, withWorker } from '../helpers/temporal.ts';
import { waitFor } from '../helpers/wait.ts';
import { RECOVERY_STEPS, backupSetup, expectModelsInEveryPod } from './fixtures.ts';

let api: InferenceApi;
beforeAll(async () => {
  api = await startInferenceApi();
});
afterAll(() => api.close());

describe('a failed recovery, fixed and reset', () => {
  it(
    'fails at the stuck rollout, then completes after `temporal workflow reset` without asking again',
    { timeout: 240_000 },
    async () => {
      const setup = await backupSetup(api.url);
      const namespace = await serviceCopy('reset');
      const files = await modelsOnVolume(namespace);
      // Room for the two pods running now, none for the pods a restart brings.
      await testKube().core.createNamespacedResourceQuota({
        namespace,
        body: { metadata: { name: 'no-room' }, spec: { hard: { pods: '2' } } },
      });

      await withWorker(setup.activities, async ({ client, taskQueue }) => {
        const backup = await client.workflow.execute(backupWorkflow, {
          taskQueue,
          workflowId: `backup-${namespace}`,
          args: [{ namespace, prefix: setup.prefix, components: ['resources', 'models'] }],
        });
        const workflowId = `dr-${namespace}`;
        const handle = await client.workflow.start(disasterRecoveryWorkflow, {
          taskQueue,
          workflowId,
          args: [{ backupKey: backup.key, targetNamespace: namespace, readyTimeoutMinutes: 1 }],
        });
        await waitFor('the recovery to ask for approval', async () =>
          (await handle.query(progressQuery)).phase === 'awaiting approval' ? true : undefined,
        );
        await handle.executeUpdate(approveUpdate, { args: [{ approve: true, by: 'on-call' }] });

        const failure = await handle.result().catch((e: unknown) => e);
        expect(failure).toBeInstanceOf(WorkflowFailedError);
        const cause = (failure as WorkflowFailedError).cause as Error & { type?: string; details?: unknown[] };
        expect(cause).toMatchObject({ type: 'RecoveryFailed' });
        expect(cause.message).toMatch(/^rollout did not complete/);
        const failedReport = cause.details?.[0] as { steps: { step: string }[] };
        // Every step up to the rollout, which is where it stopped.
        expect(failedReport.steps.map((s) => s.step)).toEqual(
          RECOVERY_STEPS.slice(0, RECOVERY_STEPS.indexOf('rollout')),
        );
        const failedRun = (await handle.describe()).runId;

        // The cause fixed, the operator resets the run to its start, re-applying no signal or update.
        await testKube().core.deleteNamespacedResourceQuota({ namespace, name: 'no-room' });
        const resetRun = await resetToStart(workflowId, 'quota lifted');
        expect(resetRun).not.toBe(failedRun);

        const report = await client.workflow.getHandle<typeof disasterRecoveryWorkflow>(workflowId, resetRun).result();
        const step = (name: string) => report.steps.find((s) => s.step === name)?.detail;
        expect(step('approval')).toBe(`held: ${namespace} serves what this recovery restored`);
        expect(report).toMatchObject({ model: 'PASS', downloadedBytes: 0 });
        expect(step('verify')).toContain('entries');
        await expectModelsInEveryPod(namespace, files);

        // Both runs, as the server recorded them, replay against this code.
        const replays = await replayRuns(client, workflowId, [failedRun, resetRun]);
        expect(replays.map((r) => r.error)).toEqual([undefined, undefined]);
      });
    },
  );
});
