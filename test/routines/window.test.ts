// The guide's maintenance windows on the real servers: a daily routine whose vulnerability scan would
// run on past its window is stopped at the window's end (the scan activity itself is cancelled), the
// report says which step was stopped, and one overrun alert goes out instead of the failure alert.
import { Context } from '@temporalio/activity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerKube } from '../helpers/kube.ts';
import { withWorker } from '../helpers/temporal.ts';
import { startReceiver, type Receiver } from '../alerts/receiver.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { dailyMaintenanceWorkflow } from '../../workflows/index.ts';
import { STOPPED_DETAIL } from '../../workflows/routines/steps.ts';
import { dailyStubs, realActivities, routineAlerts, stepsByName, storedJson } from './helpers.ts';
import type { RoutineReport } from '../../types/index.ts';
import { waitFor } from '../helpers/wait.ts';

let api: InferenceApi;
let receiver: Receiver;
beforeAll(async () => {
  [api, receiver] = await Promise.all([startInferenceApi(), startReceiver()]);
});
afterAll(() => Promise.all([api.close(), receiver.close()]));

describe('maintenance window', () => {
  it('stops the steps still running at its end, reports them and alerts the overrun', async () => {
    let scanCancelled = false;
    const { activities, bucket } = await realActivities(
      { api, receiver, kube: workerKube() },
      {
        ...dailyStubs,
        // A scan that never finishes by itself: only a cancellation ends it.
        scanImage: async () => {
          const context = Context.current();
          for (;;) {
            context.heartbeat();
            try {
              await context.sleep(500);
            } catch (err) {
              scanCancelled = true;
              throw err;
            }
          }
        },
      },
    );
    const before = receiver.requests.length;
    const workflowId = `daily-window-${Date.now()}`;
    const windowMs = 20_000;
    const report: RoutineReport = await withWorker(activities, async ({ client, taskQueue }) => {
      const result = await client.workflow.execute(dailyMaintenanceWorkflow, {
        taskQueue,
        workflowId,
        args: [{ windowMs, latencyProbes: 2, latencyP95LimitMs: 60_000 }],
      });
      // The cancellation reaches the activity with its next heartbeat, while the worker still runs.
      await waitFor('the scan activity to be cancelled', async () => (scanCancelled ? true : undefined));
      return result;
    });

    const steps = stepsByName(report);
    expect(steps['vulnerability scan']).toMatchObject({ status: 'fail', detail: STOPPED_DETAIL });
    expect(steps['vulnerability scan']!.durationMs).toBeGreaterThanOrEqual(windowMs);
    expect(steps['maintenance window']).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/^ran past its 20 s window; stopped: (.+, )?vulnerability scan(, .+)?$/),
    });
    expect(report.status).toBe('fail');
    const alerts = routineAlerts(receiver, before, workflowId);
    expect(alerts.map((a) => a.type)).toEqual(['routine_daily_overran']);
    expect(alerts[0]!.summary).toMatch(/^daily maintenance overran its 20 s window: stopped .*vulnerability scan/);
    // The stored report is the final one: the stopped step and the window are in it too.
    const stored = await storedJson<RoutineReport>(bucket, report.reportKey);
    expect(stepsByName(stored)['maintenance window']?.status).toBe('fail');
    expect(stored.alerted).toBe(true);
  });
});
