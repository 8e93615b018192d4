// Replays histories against the workflow bundle under test, one replay result per history.
import type { History } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type ReplayResult } from '@temporalio/worker';

export interface Replayable {
  /** Names the history in failure messages, e.g. `backup/2026-11-27T032403Z.json`. */
  label: string;
  workflowId: string;
  history: History;
}

export async function replayEach(
  workflowBundlePath: string,
  items: Replayable[],
): Promise<{ label: string; error: ReplayResult['error'] }[]> {
  const results: { label: string; error: ReplayResult['error'] }[] = [];
  // The replay worker takes histories one at a time, so results come back in the order given.
  for await (const result of Worker.runReplayHistories({ workflowBundle: { codePath: workflowBundlePath } }, items)) {
    const item = items[results.length];
    if (!item || item.workflowId !== result.workflowId)
      throw new Error(`replay result for ${result.workflowId} out of order`);
    results.push({ label: item.label, error: result.error });
  }
  if (results.length !== items.length) throw new Error(`replayed ${results.length} of ${items.length} histories`);
  return results;
}
