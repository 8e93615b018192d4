// Schedule reconciliation against the real dev server.
import { randomUUID } from 'node:crypto';
import { ScheduleOverlapPolicy, type ScheduleDescriptionStartWorkflowAction } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import type { ScheduleDefinition } from '../../schedules/definitions.ts';
import { syncSchedules } from '../../schedules/sync.ts';
import { searchAttributes } from '../../types/index.ts';
import { testClient } from '../helpers/temporal.ts';

// A prefix of each test's own keeps it apart from anything else on the shared server.
const freshPrefix = () => `t${randomUUID().slice(0, 8)}-`;

describe('syncSchedules', () => {
  it('creates, leaves alone, updates drift, and deletes only its own orphans', async () => {
    const client = await testClient();
    const prefix = freshPrefix();
    const definition = (id: string, every: string): ScheduleDefinition => ({
      id: `${prefix}${id}`,
      description: id,
      workflowType: 'healthCheckWorkflow',
      input: {},
      routine: 'health-check',
      every,
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: '1 minute',
    });
    const foreign = `other-${randomUUID().slice(0, 8)}`;
    await client.schedule.create({
      scheduleId: foreign,
      spec: { intervals: [{ every: '1 hour' }] },
      action: { type: 'startWorkflow', workflowType: 'healthCheckWorkflow', taskQueue: 'elsewhere', args: [{}] },
      state: { paused: true },
    });

    const first = await syncSchedules(client, [definition('a', '1 hour'), definition('b', '1 hour')], prefix);
    expect(first.created.sort()).toEqual([`${prefix}a`, `${prefix}b`]);

    const second = await syncSchedules(client, [definition('a', '1 hour'), definition('b', '1 hour')], prefix);
    expect(second).toEqual({ created: [], updated: [], deleted: [], unchanged: [`${prefix}a`, `${prefix}b`] });

    const third = await syncSchedules(client, [definition('a', '2 hours')], prefix);
    expect(third).toMatchObject({ created: [], updated: [`${prefix}a`], deleted: [`${prefix}b`] });
    const described = await client.schedule.getHandle(`${prefix}a`).describe();
    expect(described.spec.intervals?.[0]?.every).toBe(2 * 60 * 60 * 1000);
    await expect(client.schedule.getHandle(foreign).describe()).resolves.toMatchObject({ scheduleId: foreign });
  });

  it('syncs calendar specs and search attributes, updates a changed calendar, and keeps an operator pause', async () => {
    const client = await testClient();
    const prefix = freshPrefix();
    const monthly = (hour: number): ScheduleDefinition => ({
      id: `${prefix}monthly`,
      description: 'first Sunday',
      workflowType: 'monthlyMaintenanceWorkflow',
      input: {},
      routine: 'monthly',
      targetNamespace: 'production',
      calendars: [{ dayOfWeek: 'SUNDAY', dayOfMonth: { start: 1, end: 7 }, hour, minute: 0 }],
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: '1 hour',
    });
    expect((await syncSchedules(client, [monthly(1)], prefix)).created).toEqual([`${prefix}monthly`]);
    expect((await syncSchedules(client, [monthly(1)], prefix)).unchanged).toEqual([`${prefix}monthly`]);

    const handle = client.schedule.getHandle(`${prefix}monthly`);
    const created = await handle.describe();
    expect(created.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 1, end: 1, step: 1 }],
      dayOfWeek: [{ start: 'SUNDAY', end: 'SUNDAY', step: 1 }],
    });
    const attributes = (created.action as ScheduleDescriptionStartWorkflowAction)
      .typedSearchAttributes as TypedSearchAttributes;
    expect(attributes.get(searchAttributes.routine)).toBe('monthly');
    expect(attributes.get(searchAttributes.targetNamespace)).toBe('production');

    await handle.pause('held by an operator');
    expect(await syncSchedules(client, [monthly(2)], prefix)).toMatchObject({ updated: [`${prefix}monthly`] });
    const updated = await handle.describe();
    expect(updated.spec.calendars?.[0]?.hour).toEqual([{ start: 2, end: 2, step: 1 }]);
    expect(updated.state.paused).toBe(true);
    await handle.delete();
  });
});
