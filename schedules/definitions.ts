// The product's schedules, as data. `sync` makes the server match this list.
import { ScheduleOverlapPolicy } from '@temporalio/client';

/** Every schedule the product owns has an id with this prefix; others are never touched. */
export const SCHEDULE_PREFIX = 'pno-';

export interface ScheduleDefinition {
  id: string;
  description: string;
  workflowType: string;
  input: Record<string, unknown>;
  /** Cron expressions, read in UTC. */
  cron?: string[];
  /** Fixed intervals, e.g. '1 minute'. */
  every?: string;
  overlap: ScheduleOverlapPolicy;
  /** How late a missed run may still start after an outage; older ones are dropped. */
  catchupWindow: string;
  jitter?: string;
}

export function scheduleDefinitions(): ScheduleDefinition[] {
  return [
    {
      id: `${SCHEDULE_PREFIX}health-check`,
      description: 'Pod, API and HPA health of the inference service',
      workflowType: 'healthCheckWorkflow',
      input: {},
      every: '1 minute',
      // A check still running when the next is due means the last one is slow: skip, never pile up.
      overlap: ScheduleOverlapPolicy.SKIP,
      // A minute-by-minute check is worthless later; after an outage, run at most the latest one.
      catchupWindow: '1 minute',
    },
  ];
}
