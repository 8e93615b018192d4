// Reconciles the server's schedules with the definitions: creates missing ones, updates drifted
// ones, deletes orphans carrying the product's prefix. A second run changes nothing.
import { createHash } from 'node:crypto';
import {
  ScheduleNotFoundError,
  type Client,
  type ScheduleOptions,
  type ScheduleDescriptionStartWorkflowAction,
} from '@temporalio/client';
import { searchAttributes, TASK_QUEUE } from '../types/index.ts';
import { SCHEDULE_PREFIX, type ScheduleDefinition } from './definitions.ts';

/** The action's memo carries a digest of the definition, so drift is one comparison. */
const DIGEST_MEMO = 'pnoScheduleDigest';

export interface SyncResult {
  created: string[];
  updated: string[];
  deleted: string[];
  unchanged: string[];
}

export interface SyncOptions {
  /** The task queue the started workflows go to; tests use one of their own. */
  taskQueue?: string;
}

export function definitionDigest(definition: ScheduleDefinition, taskQueue = TASK_QUEUE): string {
  return createHash('sha256').update(JSON.stringify({ definition, taskQueue })).digest('hex').slice(0, 16);
}

export function scheduleOptions(definition: ScheduleDefinition, options: SyncOptions = {}): ScheduleOptions {
  const taskQueue = options.taskQueue ?? TASK_QUEUE;
  return {
    scheduleId: definition.id,
    spec: {
      ...(definition.calendars ? { calendars: definition.calendars } : {}),
      ...(definition.cron ? { cronExpressions: definition.cron } : {}),
      ...(definition.every ? { intervals: [{ every: definition.every }] } : {}),
      ...(definition.jitter ? { jitter: definition.jitter } : {}),
    },
    action: {
      type: 'startWorkflow',
      workflowType: definition.workflowType,
      taskQueue,
      args: [definition.input],
      memo: { [DIGEST_MEMO]: definitionDigest(definition, taskQueue) },
      typedSearchAttributes: [
        { key: searchAttributes.routine, value: definition.routine },
        ...(definition.targetNamespace
          ? [{ key: searchAttributes.targetNamespace, value: definition.targetNamespace }]
          : []),
      ],
    },
    policies: { overlap: definition.overlap, catchupWindow: definition.catchupWindow },
    state: { note: definition.description },
  };
}

export async function syncSchedules(
  temporal: Client,
  definitions: ScheduleDefinition[],
  prefix = SCHEDULE_PREFIX,
  options: SyncOptions = {},
): Promise<SyncResult> {
  const client = temporal.schedule;
  const result: SyncResult = { created: [], updated: [], deleted: [], unchanged: [] };
  const wanted = new Set(definitions.map((d) => d.id));

  for (const definition of definitions) {
    if (!definition.id.startsWith(prefix)) throw new Error(`schedule id ${definition.id} must start with ${prefix}`);
    const scheduled = scheduleOptions(definition, options);
    const handle = client.getHandle(definition.id);
    let current: Awaited<ReturnType<typeof handle.describe>>;
    try {
      current = await handle.describe();
    } catch (err) {
      if (!(err instanceof ScheduleNotFoundError)) throw err;
      await client.create(scheduled);
      result.created.push(definition.id);
      continue;
    }
    const action = current.action as ScheduleDescriptionStartWorkflowAction;
    if (action.memo?.[DIGEST_MEMO] === definitionDigest(definition, options.taskQueue)) {
      result.unchanged.push(definition.id);
      continue;
    }
    // Keep the operator's pause state; replace everything else with the definition.
    await handle.update((previous) => ({ ...scheduled, state: { ...scheduled.state, paused: previous.state.paused } }));
    result.updated.push(definition.id);
  }

  for await (const summary of client.list()) {
    if (summary.scheduleId.startsWith(prefix) && !wanted.has(summary.scheduleId)) {
      await client.getHandle(summary.scheduleId).delete();
      result.deleted.push(summary.scheduleId);
    }
  }
  return result;
}
