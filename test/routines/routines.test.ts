// The daily and quarterly routines on the real servers, as the worker's ServiceAccount against
// production on the real node: steps run side by side, a failing step is recorded and alerted without
// stopping the others, and the summary lands in the bucket.
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Activities } from '../../activities/index.ts';
import { workerKube } from '../helpers/kube.ts';
import { testS3 } from '../helpers/s3.ts';
import { withWorker } from '../helpers/temporal.ts';
import { startReceiver, type Receiver } from '../alerts/receiver.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { dailyMaintenanceWorkflow, quarterlyMaintenanceWorkflow } from '../../workflows/index.ts';
import { byStep, dailyStubs, realActivities as routineActivities } from './helpers.ts';

let api: InferenceApi;
let receiver: Receiver;
beforeAll(async () => {
  [api, receiver] = await Promise.all([startInferenceApi(), startReceiver()]);
});
afterAll(() => Promise.all([api.close(), receiver.close()]));

const realActivities = (overrides: Partial<Activities> = {}) =>
  routineActivities({ api, receiver, kube: workerKube() }, overrides);

describe('maintenance routines', () => {
  it("daily: the guide's logrotate runs inside a production container, and nothing fails", async () => {
    const { activities } = await realActivities(dailyStubs);
    const report = await withWorker(activities, ({ client, taskQueue }) =>
      client.workflow.execute(dailyMaintenanceWorkflow, {
        taskQueue,
        workflowId: `daily-ok-${Date.now()}`,
        args: [{ latencyProbes: 5, latencyP95LimitMs: 60_000 }],
      }),
    );
    const rotation = report.steps.find((s) => s.step === 'log rotation');
    expect(rotation).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^logrotate -f \/etc\/logrotate\.conf in pno-physics-bench-[a-z0-9]+-[a-z0-9]+$/),
    });
    expect(Object.values(byStep(report))).not.toContain('fail');
  });

  it('daily: a failing step is recorded and alerted, the others still run', async () => {
    const { activities, bucket } = await realActivities(dailyStubs);
    const before = receiver.requests.length;
    const report = await withWorker(activities, ({ client, taskQueue }) =>
      client.workflow.execute(dailyMaintenanceWorkflow, {
        taskQueue,
        workflowId: `daily-${Date.now()}`,
        // The log rotation command fails in the container (exit 1): that is the one failing step.
        // The latency limit is the policy's to judge (test/routines/policy.test.ts); here a loaded machine must not fail it.
        args: [{ logRotateCommand: 'exit-1', latencyProbes: 5, latencyP95LimitMs: 60_000 }],
      }),
    );
    const steps = byStep(report);
    expect(Object.keys(steps)).toEqual([
      'health checks',
      'log rotation',
      'metrics collection',
      'vulnerability scan',
      'backup verification',
      'performance analysis',
    ]);
    expect(steps['log rotation']).toBe('fail');
    expect(
      Object.entries(steps)
        .filter(([, status]) => status === 'fail')
        .map(([name]) => name),
    ).toEqual(['log rotation']);
    expect(steps['vulnerability scan']).toBe('ok');
    expect(steps['backup verification']).toBe('ok');
    expect(
      steps['performance analysis'],
      JSON.stringify(report.steps.find((s) => s.step === 'performance analysis')),
    ).toBe('ok');
    expect(report).toMatchObject({ routine: 'daily', status: 'fail', alerted: true });

    const alerts = receiver.requests
      .slice(before)
      .map((r) => r.body as { type: string; summary: string })
      .filter((a) => a.type.startsWith('routine_'));
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'routine_daily_failed', summary: expect.stringContaining('log rotation') });
    const stored = await testS3().send(new GetObjectCommand({ Bucket: bucket, Key: report.reportKey }));
    // Stored last, after the alert: the stored copy is the returned report, key and alert included.
    expect(JSON.parse(await stored.Body!.transformToString())).toEqual(report);
  });

  it('quarterly: versions, capacity, benchmark and audit from the real cluster and runtime', async () => {
    const { activities } = await realActivities({
      // trivy's config checks run in the security suite; here the audit's own findings are enough.
      scanNamespaceConfig: async () => ({ filesScanned: 0, passed: 0, failed: 0, findings: [] }) as never,
    });
    const before = receiver.requests.length;
    const report = await withWorker(activities, ({ client, taskQueue }) =>
      client.workflow.execute(quarterlyMaintenanceWorkflow, {
        taskQueue,
        workflowId: `quarterly-${Date.now()}`,
        args: [{ benchmark: { samples: 20 }, runbooks: [{ name: 'disaster recovery', lastReviewed: '2020-01-01' }] }],
      }),
    );
    const steps = Object.fromEntries(report.steps.map((s) => [s.step, s]));
    expect(steps['major update plan']).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('control plane v1.'),
    });
    expect(steps['capacity review']).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('scaling to 10 replicas'),
    });
    expect(steps['model latency benchmark']).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('over 20 samples'),
    });
    expect(steps['documentation review']).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('disaster recovery'),
    });
    expect(steps['full security audit']?.status).not.toBe('fail');
    expect(report.status).toBe('warn');
    expect(report.alerted).toBe(false);
    // The audit may alert on its own findings; the routine itself raised none.
    const routineAlerts = receiver.requests
      .slice(before)
      .filter((r) => (r.body as { type?: string }).type?.startsWith('routine_'));
    expect(routineAlerts).toEqual([]);
  });
});
