// Drives a schedule one run at a time: trigger, wait for the run it starts, wait for its result.
import { ScheduleOverlapPolicy, type Client, type ScheduleHandle } from '@temporalio/client';
import { waitFor } from '../helpers/wait.ts';

export async function triggerAndAwait<R>(
  client: Client,
  handle: ScheduleHandle,
): Promise<{ workflowId: string; runId: string; result: R }> {
  // Run ids, not workflow ids: the scheduler names runs by the second, so quick triggers can share one.
  const runs = async () => (await handle.describe()).info.recentActions.map((a) => a.action.workflow);
  const seen = new Set((await runs()).map((w) => w.firstExecutionRunId));
  // Not the SDK's default ALLOW_ALL: the scheduler tracks only runs that may not overlap, and only
  // tracked runs hand their result to the next. BUFFER_ONE rather than SKIP: if the scheduler has not
  // yet seen the previous run finish, this run waits for it instead of being dropped.
  await handle.trigger(ScheduleOverlapPolicy.BUFFER_ONE);
  const { workflowId, firstExecutionRunId: runId } = await waitFor(`a run of ${handle.scheduleId}`, async () =>
    (await runs()).find((w) => !seen.has(w.firstExecutionRunId)),
  );
  return { workflowId, runId, result: (await client.workflow.getHandle(workflowId, runId).result()) as R };
}
