// Replays every run a test made of a workflow (the failed one and its reset, say) against the bundle
// under test: a real history, not a stubbed one, that must replay without non-determinism.
import type { Client } from '@temporalio/client';
import { inject } from 'vitest';
import { replayEach } from '../replay/replayer.ts';

export async function replayRuns(client: Client, workflowId: string, runIds: string[]) {
  const items = await Promise.all(
    runIds.map(async (runId) => ({
      label: `${workflowId}/${runId}`,
      workflowId,
      history: await client.workflow.getHandle(workflowId, runId).fetchHistory(),
    })),
  );
  return replayEach(inject('workflowBundlePath'), items);
}
