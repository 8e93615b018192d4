// The replay check bites: a kept recording altered the way a non-deterministic code change would
// look (the code now schedules another activity first) is reported as a determinism violation.
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DeterminismViolationError } from '@temporalio/workflow';
import { describe, expect, inject, it } from 'vitest';
import { listRecordingFolders, readRecordingJSON, recordedWorkflowId } from '../histories/recordings.ts';
import { replayEach } from './replayer.ts';

interface EventJSON {
  eventType: string;
  activityTaskScheduledEventAttributes?: { activityType: { name: string } };
}

/** The oldest kept recording that schedules an activity, as proto JSON. */
async function recordingWithActivity() {
  for (const { scenario, files } of await listRecordingFolders()) {
    for (const file of files) {
      const json = (await readRecordingJSON(scenario, file)) as { events: EventJSON[] };
      if (json.events.some((e) => e.activityTaskScheduledEventAttributes)) return { scenario, file, json };
    }
  }
  throw new Error('no kept recording schedules an activity');
}

describe('replay of a kept recording', () => {
  it('reports a determinism violation when the first activity scheduled differs', async () => {
    const { scenario, file, json } = await recordingWithActivity();
    const altered = structuredClone(json);
    const scheduled = altered.events.find(
      (e) => e.activityTaskScheduledEventAttributes,
    )!.activityTaskScheduledEventAttributes!;
    const original = scheduled.activityType.name;
    scheduled.activityType.name = `${original}Renamed`;

    const workflowId = recordedWorkflowId(scenario);
    const [intact, changed] = await replayEach(inject('workflowBundlePath'), [
      { label: `${scenario}/${file}`, workflowId, history: historyFromJSON(json) },
      { label: `${scenario}/${file} altered`, workflowId, history: historyFromJSON(altered) },
    ]);
    // The unaltered one replays, so the violation is the alteration's doing.
    expect(intact?.error).toBeUndefined();
    expect(changed?.error).toBeInstanceOf(DeterminismViolationError);
    expect(changed?.error?.message).toContain(`${original}Renamed`);
  });
});
