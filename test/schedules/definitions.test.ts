// The product's schedules: the guide's calendar as the SERVER computes it (its own next action times),
// and definitions that start workflows the worker registers.
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SCHEDULE_PREFIX, scheduleDefinitions, type ScheduleDefinition } from '../../schedules/definitions.ts';
import { scheduleOptions } from '../../schedules/sync.ts';
import * as workflows from '../../workflows/index.ts';
import { backupDefaults } from '../../workflows/backup/input.ts';
import { dailyDefaults } from '../../workflows/routines/input.ts';
import { testClient } from '../helpers/temporal.ts';

const definition = (name: string): ScheduleDefinition => {
  const found = scheduleDefinitions().find((d) => d.id === `${SCHEDULE_PREFIX}${name}`);
  if (!found) throw new Error(`no schedule ${name}`);
  return found;
};

/** Creates the schedule under a test id on a queue no worker polls, asks the server for its next times, deletes it. */
async function serverNextTimes(name: string): Promise<Date[]> {
  const client = await testClient();
  const scheduleId = `t${randomUUID().slice(0, 8)}-${name}`;
  const handle = await client.schedule.create(
    scheduleOptions({ ...definition(name), id: scheduleId }, { taskQueue: `unpolled-${randomUUID()}` }),
  );
  try {
    return (await handle.describe()).info.nextActionTimes;
  } finally {
    await handle.delete();
  }
}

const utc = (t: Date) => ({
  day: t.getUTCDay(),
  date: t.getUTCDate(),
  month: t.getUTCMonth(),
  hour: t.getUTCHours(),
  minute: t.getUTCMinutes(),
});

describe('schedule definitions', () => {
  it('carry the prefix, unique ids, a routine, and a workflow type the worker registers', () => {
    const definitions = scheduleDefinitions();
    expect(new Set(definitions.map((d) => d.id)).size).toBe(definitions.length);
    for (const d of definitions) {
      expect(d.id.startsWith(SCHEDULE_PREFIX)).toBe(true);
      expect(d.routine).not.toBe('');
      expect(d.workflowType in workflows, d.workflowType).toBe(true);
    }
    expect(definitions.map((d) => d.id.slice(SCHEDULE_PREFIX.length)).sort()).toEqual([
      'auto-scaling-optimizer',
      'daily-maintenance',
      'health-monitor',
      'monthly-maintenance',
      'nightly-backup',
      'performance-optimizer',
      'quarterly-maintenance',
      'weekly-maintenance',
    ]);
  });

  it('monthly: the server runs it on first Sundays at 01:00 UTC, once a month', async () => {
    const times = await serverNextTimes('monthly-maintenance');
    expect(times.length).toBeGreaterThanOrEqual(6);
    for (const t of times) expect(utc(t)).toMatchObject({ day: 0, hour: 1, minute: 0 });
    for (const t of times) expect(t.getUTCDate()).toBeLessThanOrEqual(7);
    // Consecutive months, none skipped and none twice.
    const months = times.map((t) => t.getUTCFullYear() * 12 + t.getUTCMonth());
    expect(months.slice(1).map((m, i) => m - (months[i] ?? 0))).toEqual(months.slice(1).map(() => 1));
  });

  it('quarterly: the server runs it on the first Sunday of January, April, July and October at 00:00 UTC', async () => {
    const times = await serverNextTimes('quarterly-maintenance');
    expect(times.length).toBeGreaterThanOrEqual(4);
    for (const t of times) {
      expect(utc(t)).toMatchObject({ day: 0, hour: 0, minute: 0 });
      expect(t.getUTCDate()).toBeLessThanOrEqual(7);
      expect([0, 3, 6, 9]).toContain(t.getUTCMonth());
    }
    const quarters = times.map((t) => t.getUTCFullYear() * 4 + t.getUTCMonth() / 3);
    expect(quarters.slice(1).map((q, i) => q - (quarters[i] ?? 0))).toEqual(quarters.slice(1).map(() => 1));
  });

  it('backs up every night at 00:30 UTC (within its ten minutes of jitter), before the daily routine verifies it', async () => {
    const nightly = await serverNextTimes('nightly-backup');
    expect(nightly.length).toBeGreaterThanOrEqual(7);
    for (const t of nightly) expect(utc(t)).toMatchObject({ hour: 0 });
    for (const t of nightly) expect(t.getUTCMinutes()).toBeGreaterThanOrEqual(30);
    for (const t of nightly) expect(t.getUTCMinutes()).toBeLessThan(40);
    expect(new Set(nightly.map((t) => t.toISOString().slice(0, 10))).size).toBe(nightly.length);
    // Unset input: the backup workflow's defaults (production, every component) and the daily's prefix.
    expect(definition('nightly-backup')).toMatchObject({ workflowType: 'backupWorkflow', input: {} });
    expect(backupDefaults.prefix).toBe(dailyDefaults.backupPrefix);
    expect(dailyDefaults.maxBackupAgeHours).toBe(24);
  });

  it('daily at 02:00 and weekly on Sundays at 03:00 UTC, each within its five minutes of jitter', async () => {
    const daily = await serverNextTimes('daily-maintenance');
    for (const t of daily) expect(utc(t).hour).toBe(2);
    for (const t of daily) expect(t.getUTCMinutes()).toBeLessThan(5);
    expect(new Set(daily.map((t) => t.toISOString().slice(0, 10))).size).toBe(daily.length);
    const weekly = await serverNextTimes('weekly-maintenance');
    for (const t of weekly) expect(utc(t)).toMatchObject({ day: 0, hour: 3 });
    for (const t of weekly) expect(t.getUTCMinutes()).toBeLessThan(5);
  });
});
