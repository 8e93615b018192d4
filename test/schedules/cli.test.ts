// The schedules CLI against the dev server: commands on a test prefix, triggering a schedule whose
// workflow runs on this test's worker, backfill, and the entry point's exit codes.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import type { TypedSearchAttributes } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createHttpActivities } from '../../activities/http/index.ts';
import { createReportActivities } from '../../activities/reports/index.ts';
import { parseArgs } from '../../schedules/cli-args.ts';
import { CommandError, runCommand } from '../../schedules/commands.ts';
import { SCHEDULE_PREFIX, scheduleDefinitions, type ScheduleDefinition } from '../../schedules/definitions.ts';
import { searchAttributes } from '../../types/index.ts';
import type { HealthMonitorResult } from '../../workflows/index.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { testClient, withWorker } from '../helpers/temporal.ts';
import { waitFor } from '../helpers/wait.ts';
import { steadyHpa } from '../monitors/fixtures.ts';

let api: InferenceApi;
beforeAll(async () => {
  api = await startInferenceApi();
});
afterAll(() => api.close());

/** The product's health monitor and an hourly health check, under a prefix of this test's own. */
function testDefinitions(prefix: string): ScheduleDefinition[] {
  const monitor = scheduleDefinitions().find((d) => d.id === `${SCHEDULE_PREFIX}health-monitor`);
  if (!monitor) throw new Error('no health monitor schedule');
  return [
    // No tick of its own while the test runs: it starts only when triggered.
    { ...monitor, id: `${prefix}health-monitor`, every: undefined, calendars: [{ year: 2099 }] },
    {
      id: `${prefix}hourly-check`,
      description: 'hourly health check',
      workflowType: 'healthCheckWorkflow',
      input: {},
      routine: 'health-check',
      every: '1 hour',
      overlap: ScheduleOverlapPolicy.SKIP,
      catchupWindow: '1 minute',
    },
  ];
}

async function run(client: Client, prefix: string, argv: string[], taskQueue: string) {
  const lines: string[] = [];
  await runCommand(parseArgs(argv), {
    client,
    definitions: testDefinitions(prefix),
    prefix,
    syncOptions: { taskQueue },
    out: (l) => lines.push(l),
  });
  return lines;
}

describe('schedules CLI commands', () => {
  it('sync, list, pause, unpause, trigger and backfill', async () => {
    const client = await testClient();
    const prefix = `t${randomUUID().slice(0, 8)}-`;
    const bucket = await freshBucket('cli');
    const activities = {
      ...createHttpActivities({ defaultApiBaseUrl: api.url }),
      ...createReportActivities({ s3: testS3(), bucket }),
      listPods: async () => [{ name: 'a', phase: 'Running', ready: true, restarts: 0 }],
      getHpa: async () => steadyHpa,
      podMetrics: async () => ({ available: false as const, reason: 'metrics API unavailable (HTTP 404)' }),
    };
    await withWorker(activities, async ({ taskQueue }) => {
      expect(await run(client, prefix, ['sync'], taskQueue)).toEqual([
        'created: ' + `${prefix}health-monitor, ${prefix}hourly-check`,
        'updated: -',
        'deleted: -',
        'unchanged: -',
      ]);

      const listed = await waitFor('both schedules listed', async () => {
        const lines = await run(client, prefix, ['list'], taskQueue);
        return lines.length === 2 ? lines : undefined;
      });
      expect(listed[0]).toMatch(
        new RegExp(`^${prefix}health-monitor  active  healthMonitorWorkflow  next 2099-01-01T00:00:00.000Z  last -`),
      );
      expect(listed[1]).toContain(`${prefix}hourly-check  active  healthCheckWorkflow`);

      const monitor = client.schedule.getHandle(`${prefix}health-monitor`);
      expect(await run(client, prefix, ['pause', 'health-monitor', '--note', 'freeze'], taskQueue)).toEqual([
        `${prefix}health-monitor: paused (freeze)`,
      ]);
      expect((await monitor.describe()).state).toMatchObject({ paused: true, note: 'freeze' });
      await run(client, prefix, ['unpause', `${prefix}health-monitor`], taskQueue);
      expect((await monitor.describe()).state.paused).toBe(false);

      // Trigger: the schedule starts the health monitor on this worker, with the schedule's search attributes.
      expect(await run(client, prefix, ['trigger', 'health-monitor'], taskQueue)).toEqual([
        `${prefix}health-monitor: triggered (overlap skip)`,
      ]);
      const workflowId = await waitFor(
        'the triggered run',
        async () => (await monitor.describe()).info.recentActions[0]?.action.workflow.workflowId,
      );
      const result = (await client.workflow.getHandle(workflowId).result()) as HealthMonitorResult;
      expect(result).toMatchObject({ status: 'HEALTHY', alertsSent: [] });
      const attributes = (await client.workflow.getHandle(workflowId).describe())
        .typedSearchAttributes as TypedSearchAttributes;
      expect(attributes.get(searchAttributes.routine)).toBe('health-monitor');
      expect(attributes.get(searchAttributes.targetNamespace)).toBe('production');

      // Backfill: the hourly schedule takes the three runs it would have taken from 00:00 to 02:30.
      const hourly = client.schedule.getHandle(`${prefix}hourly-check`);
      expect(
        await run(
          client,
          prefix,
          [
            'backfill',
            'hourly-check',
            '--start',
            '2030-01-01T00:00:00Z',
            '--end',
            '2030-01-01T02:30:00Z',
            '--overlap',
            'allow-all',
          ],
          taskQueue,
        ),
      ).toEqual([
        `${prefix}hourly-check: backfilling 2030-01-01T00:00:00.000Z .. 2030-01-01T02:30:00.000Z (overlap allow-all)`,
      ]);
      const actions = await waitFor('three backfilled runs', async () => {
        const recent = (await hourly.describe()).info.recentActions;
        return recent.length >= 3 ? recent : undefined;
      });
      expect(actions.map((a) => a.scheduledAt.toISOString()).sort()).toEqual([
        '2030-01-01T00:00:00.000Z',
        '2030-01-01T01:00:00.000Z',
        '2030-01-01T02:00:00.000Z',
      ]);
      const reports = await Promise.all(
        actions.map((a) => client.workflow.getHandle(a.action.workflow.workflowId).result()),
      );
      expect(reports.map((r) => (r as { status: string }).status)).toEqual(['HEALTHY', 'HEALTHY', 'HEALTHY']);

      // A second sync changes nothing; an unknown schedule is an error naming it.
      expect(await run(client, prefix, ['sync'], taskQueue)).toContain(
        `unchanged: ${prefix}health-monitor, ${prefix}hourly-check`,
      );
      await expect(run(client, prefix, ['pause', 'no-such'], taskQueue)).rejects.toThrow(
        new CommandError(
          `schedule ${prefix}no-such not found (the product's schedules: health-monitor, hourly-check; run "sync" to create them)`,
        ),
      );
      await Promise.all([monitor.delete(), hourly.delete()]);
    });
  });
});

describe('schedules CLI process', () => {
  const cli = fileURLToPath(new URL('../../schedules/cli.ts', import.meta.url));
  const exec = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    promisify(execFile)(process.execPath, [cli, ...args], { env: { PATH: process.env.PATH, ...env } }).then(
      ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({
        code: err.code,
        stdout: err.stdout,
        stderr: err.stderr,
      }),
    );
  const server = () => ({
    TEMPORAL_ADDRESS: inject('temporalAddress'),
    TEMPORAL_NAMESPACE: inject('temporalNamespace'),
  });

  it('exits 2 with a usage error naming the argument, and 2 on bad configuration', async () => {
    const usage = await exec(['backfill', 'monthly-maintenance', '--start', 'yesterday']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain(
      'backfill: --start must be an ISO-8601 time with a zone, e.g. 2030-01-05T00:00:00Z (got "yesterday")',
    );
    expect(usage.stderr).toContain('usage: npm run schedules');
    const config = await exec(['list'], { TEMPORAL_ADDRESS: 'no-port' });
    expect(config.code).toBe(2);
    expect(config.stderr).toContain('TEMPORAL_ADDRESS: must be host:port');
  });

  it('connects like the worker: lists, and exits 1 naming an unknown schedule', async () => {
    const list = await exec(['list'], server());
    expect(list.code).toBe(0);
    expect(list.stdout).not.toBe('');
    const missing = await exec(['trigger', 'no-such-schedule'], server());
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('schedule pno-no-such-schedule not found');
  });
});
