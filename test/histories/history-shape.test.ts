// The recorder skips a new recording whose shape equals the newest kept one: the shape must change
// with anything the code did differently, and must not change with timing alone.
import { describe, expect, it } from 'vitest';
import { historyShape, sameShape } from './history-shape.ts';
import { readRecordingJSON } from './recordings.ts';

interface EventJSON {
  eventId: string;
  eventType: string;
  [attributes: string]: unknown;
}

// Schedules four activities at once, so their outcomes can land in any order.
const kept = (await readRecordingJSON('health-check-healthy', '2026-11-27T022035Z.json')) as { events: EventJSON[] };
const copy = () => structuredClone(kept);
const isOutcome = (e: EventJSON) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_COMPLETED';

describe('history shape', () => {
  it('lists each activity with its outcome', () => {
    expect(historyShape(kept)).toContain(
      'ACTIVITY_TASK_SCHEDULED getHpa ACTIVITY_TASK_STARTED ACTIVITY_TASK_COMPLETED',
    );
  });

  it('ignores the order in which parallel activities finished and workflow task events', () => {
    const other = copy();
    // The first activity to finish now finishes last.
    const [first] = other.events.splice(other.events.findIndex(isOutcome), 1);
    other.events.splice(-1, 0, first!);
    other.events = other.events.filter((e) => e.eventType !== 'EVENT_TYPE_WORKFLOW_TASK_STARTED');
    expect(sameShape(kept, other)).toBe(true);
  });

  it('changes when an activity scheduled differs', () => {
    const other = copy();
    const scheduled = other.events.find((e) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED')!;
    (scheduled.activityTaskScheduledEventAttributes as { activityType: { name: string } }).activityType.name =
      'otherActivity';
    expect(sameShape(kept, other)).toBe(false);
  });

  it('changes when an activity ends differently', () => {
    const other = copy();
    other.events.find(isOutcome)!.eventType = 'EVENT_TYPE_ACTIVITY_TASK_FAILED';
    expect(sameShape(kept, other)).toBe(false);
  });

  it('changes when the code does one thing more', () => {
    const other = copy();
    other.events.splice(-1, 0, {
      eventId: '999',
      eventType: 'EVENT_TYPE_TIMER_STARTED',
      timerStartedEventAttributes: { timerId: '1' },
    });
    expect(sameShape(kept, other)).toBe(false);
  });
});
