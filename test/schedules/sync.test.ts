// Schedule reconciliation against the real dev server.
import { randomUUID } from 'node:crypto';
import { ScheduleOverlapPolicy } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import type { ScheduleDefinition } from '../../schedules/definitions.ts';
import { syncSchedules } from '../../schedules/sync.ts';
import { testClient } from '../helpers/temporal.ts';

describe('syncSchedules', () => {
  it('creates, leaves alone, updates drift, and deletes only its own orphans', async () => {
    const client = await testClient();
    // A prefix of this test's own keeps it apart from anything else on the shared server.
    const prefix = `t${randomUUID().slice(0, 8)}-`;
    const definition = (id: string, every: string): ScheduleDefinition => ({
      id: `${prefix}${id}`,
      description: id,
      workflowType: 'healthCheckWorkflow',
      input: {},
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
});
