// What an operator does to a recovery that asks for approval and then fails: approve it, and once the
// cause is fixed, reset it to its first workflow task re-applying nothing (no signal, no update), as
// `temporal workflow reset --type FirstWorkflowTask --reapply-exclude All` does. Returns the new run.
import type { Client, WorkflowHandle } from '@temporalio/client';
// @temporalio/proto is CommonJS; its namespace object is the default export under ESM.
import proto from '@temporalio/proto';
import { approveUpdate } from '../../workflows/shared/approval.ts';
import { progressQuery } from '../../workflows/shared/progress.ts';
import { waitFor } from '../helpers/wait.ts';

const { EventType, ResetReapplyExcludeType } = proto.temporal.api.enums.v1;

export async function resumeAfterReset(client: Client, handle: WorkflowHandle): Promise<string> {
  await waitFor('the recovery to ask for approval', async () =>
    (await handle.query(progressQuery)).phase === 'awaiting approval' ? true : undefined,
  );
  await handle.executeUpdate(approveUpdate, { args: [{ approve: true, by: 'on-call' }] });
  await handle.result().then(
    () => {
      throw new Error('the first run was meant to fail');
    },
    () => undefined,
  );
  const history = await handle.fetchHistory();
  const firstTask = history.events?.find((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  const { runId } = await client.workflowService.resetWorkflowExecution({
    namespace: client.options.namespace,
    workflowExecution: { workflowId: handle.workflowId },
    reason: 'cause fixed',
    workflowTaskFinishEventId: firstTask?.eventId,
    requestId: crypto.randomUUID(),
    resetReapplyExcludeTypes: [
      ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_SIGNAL,
      ResetReapplyExcludeType.RESET_REAPPLY_EXCLUDE_TYPE_UPDATE,
    ],
  });
  await client.workflow.getHandle(handle.workflowId, runId).result();
  return runId;
}
