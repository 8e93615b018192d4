// healthMonitorWorkflow on the dev server. Driven by its own schedule against the local cluster, a
// local API stand-in, MinIO and a webhook receiver (no stubs); then single runs with the cluster
// stubbed at the activity boundary to reach states the local cluster cannot show.
import { randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAlertActivities } from '../../activities/alerts/index.ts';
import { createHttpActivities } from '../../activities/http/index.ts';
import { createKubernetesActivities } from '../../activities/kubernetes/index.ts';
import { createReportActivities } from '../../activities/reports/index.ts';
import { SCHEDULE_PREFIX, scheduleDefinitions } from '../../schedules/definitions.ts';
import { scheduleOptions } from '../../schedules/sync.ts';
import { FailureType, type PodSnapshot } from '../../types/index.ts';
import { healthMonitorWorkflow, type HealthMonitorResult } from '../../workflows/index.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { execCommand } from '../../activities/kubernetes/exec.ts';
import { listPods } from '../../activities/kubernetes/status.ts';
import { testKube, workerKube } from '../helpers/kube.ts';
import { SERVICE_CONTAINER, SERVICE_SELECTOR, serviceCopy, servicePods } from '../helpers/service.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { historyEvents, testClient, withWorker } from '../helpers/temporal.ts';
import { startReceiver, type Receiver } from '../alerts/receiver.ts';
import { podMetrics, steadyHpa, readyPod } from './fixtures.ts';
import { triggerAndAwait } from './schedule-runs.ts';

let api: InferenceApi;
let webhook: Receiver;
let bucket: string;
beforeAll(async () => {
  [api, webhook] = await Promise.all([startInferenceApi(), startReceiver()]);
});
afterAll(() => Promise.all([api.close(), webhook.close()]));
beforeEach(async () => {
  api.set('/health', { status: 200 });
  api.set('/ready', { status: 200 });
  webhook.requests.length = 0;
  webhook.answer();
  bucket = await freshBucket('monitor');
});
afterEach(() => webhook.answer());

async function historyLines(key: string): Promise<Record<string, unknown>[]> {
  const got = await testS3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return ((await got.Body?.transformToString('utf8')) ?? '')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

const common = () => ({
  ...createHttpActivities({ defaultApiBaseUrl: api.url }),
  ...createAlertActivities({ webhookUrl: `${webhook.url}/alerts` }),
  ...createReportActivities({ s3: testS3(), bucket }),
});

type Body = { status: string; severity: string; dedupKey: string };
const sent = () => webhook.requests.map((r) => r.body as Body).map((b) => `${b.status}:${b.severity}`);

describe('healthMonitorWorkflow on its schedule, against the local cluster', () => {
  it('writes one history line per run and alerts once per condition, resolving the old one when it changes', async () => {
    const client = await testClient();
    // A copy of the service on the real node, one of whose pods fails its real readiness probe.
    const namespace = await serviceCopy('monitor');
    const [unready] = await servicePods(namespace);
    const target = { namespace, pod: unready ?? '', container: SERVICE_CONTAINER };
    await expect(execCommand(testKube(), target, ['touch', '/tmp/not-ready'])).resolves.toMatchObject({ exitCode: 0 });
    await expect
      .poll(async () => (await listPods(testKube(), namespace, SERVICE_SELECTOR)).filter((p) => p.ready).length, {
        timeout: 20_000,
      })
      .toBe(1);
    const runs = await withWorker(
      { ...common(), ...createKubernetesActivities(workerKube()) },
      async ({ taskQueue }) => {
        const product = scheduleDefinitions().find((d) => d.id === `${SCHEDULE_PREFIX}health-monitor`);
        if (!product) throw new Error('no health monitor schedule');
        // The product's definition, under a test id, on this worker's queue, with no tick of its own during the test.
        const definition = {
          ...product,
          id: `t${randomUUID().slice(0, 8)}-health-monitor`,
          input: { namespace },
          every: undefined,
          calendars: [{ year: 2099 }],
        };
        const handle = await client.schedule.create(scheduleOptions(definition, { taskQueue }));
        try {
          const run = () => triggerAndAwait<HealthMonitorResult>(client, handle);
          const degraded = [await run(), await run()];
          api.set('/ready', { status: 503 });
          const unhealthy = [await run(), await run()];
          return [...degraded, ...unhealthy];
        } finally {
          await handle.delete();
        }
      },
    );

    // One pod of two ready: DEGRADED; then UNHEALTHY with the API's /ready failing too.
    expect(runs.map((r) => r.result.status)).toEqual(['DEGRADED', 'DEGRADED', 'UNHEALTHY', 'UNHEALTHY']);
    expect(runs[0]?.result.usage).toMatchObject({ available: true });
    // Four runs, three alerts: warning fires; holds quietly; the warning resolves as the critical fires; holds quietly.
    expect(sent()).toEqual(['firing:warning', 'resolved:warning', 'firing:critical']);
    expect(new Set(webhook.requests.map((r) => (r.body as Body).dedupKey))).toEqual(
      new Set([`health:${namespace}:pno-physics-bench`]),
    );
    expect(runs.map((r) => r.result.alertsSent.length)).toEqual([1, 0, 2, 0]);
    expect(runs[1]?.result.alert).toEqual(runs[0]?.result.alert);
    expect(runs[3]?.result.alert).toMatchObject({ severity: 'critical' });

    const key = runs[0]?.result.history?.key ?? '';
    expect(key).toMatch(/^monitoring\/health\/\d{4}-\d{2}-\d{2}\.jsonl$/);
    const lines = await historyLines(key);
    expect(lines.map((l) => l.id)).toEqual(runs.map((r) => `${r.workflowId}@${r.runId}`));
    expect(lines.map((l) => l.status)).toEqual(['DEGRADED', 'DEGRADED', 'UNHEALTHY', 'UNHEALTHY']);
    expect(lines[2]).toMatchObject({
      api: { status: 'ERROR' },
      pods: { status: 'DEGRADED' },
      hpa: { min: 2, max: 10 },
    });
  });
});

function stubbedCluster(pods: PodSnapshot[]) {
  return {
    listPods: async () => pods,
    getHpa: async () => steadyHpa,
    podMetrics: async () =>
      podMetrics([
        { cpu: 420, memory: 2100 },
        { cpu: 380, memory: 1900 },
      ]),
  };
}

describe('healthMonitorWorkflow, one run at a time', () => {
  it('stays quiet when healthy, records usage, and a reset of the run adds no second line', async () => {
    const workflowId = `monitor-healthy-${randomUUID()}`;
    const [first, again] = await withWorker(
      { ...common(), ...stubbedCluster([readyPod('a'), readyPod('b')]) },
      async ({ client, taskQueue }) => {
        const first = await client.workflow.execute(healthMonitorWorkflow, { taskQueue, workflowId, args: [{}] });
        // Reset to the first workflow task: the run executes again, activities and all, as a new run of the same chain.
        const firstTask = (await historyEvents(client, workflowId)).find(
          (e) => e.typeName === 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED',
        );
        const { runId } = await client.workflowService.resetWorkflowExecution({
          namespace: client.options.namespace,
          workflowExecution: { workflowId },
          workflowTaskFinishEventId: firstTask?.eventId,
          requestId: randomUUID(),
          reason: 'test: the same run again',
        });
        return [first, await client.workflow.getHandle(workflowId, runId ?? undefined).result()];
      },
    );
    expect(first).toMatchObject({ status: 'HEALTHY', alert: null, alertsSent: [], history: { appended: true } });
    expect(first?.usage).toEqual({
      available: true,
      pods: 2,
      cpuAvgMillicores: 400,
      cpuMaxMillicores: 420,
      cpuTotalMillicores: 800,
      memoryAvgMiB: 2000,
      memoryMaxMiB: 2100,
      memoryTotalMiB: 4000,
    });
    expect(again?.history).toEqual({ key: first?.history?.key, appended: false });
    expect(await historyLines(first?.history?.key ?? '')).toHaveLength(1);
    expect(webhook.requests).toHaveLength(0);
  });

  it('retries a sink that is down, with one idempotency key for every attempt', async () => {
    webhook.answer(503);
    const result = await withWorker({ ...common(), ...stubbedCluster([]) }, ({ client, taskQueue }) =>
      client.workflow.execute(healthMonitorWorkflow, {
        taskQueue,
        workflowId: `monitor-retry-${randomUUID()}`,
        args: [{}],
      }),
    );
    expect(result.status).toBe('UNHEALTHY');
    expect(result.alertsSent).toEqual([
      { dedupKey: 'health:production:pno-physics-bench', status: 'firing', delivered: ['webhook'] },
    ]);
    expect(webhook.requests).toHaveLength(2);
    const keys = webhook.requests.map((r) => r.headers['idempotency-key']);
    expect(keys[0]).toBeTruthy();
    expect(keys[1]).toBe(keys[0]);
  });

  it('fails the run without retrying when the sink refuses the alert, after recording the line', async () => {
    webhook.answer(400);
    const workflowId = `monitor-refused-${randomUUID()}`;
    const error = await withWorker({ ...common(), ...stubbedCluster([]) }, ({ client, taskQueue }) =>
      client.workflow.execute(healthMonitorWorkflow, { taskQueue, workflowId, args: [{}] }).then(
        () => undefined,
        (err: unknown) => err,
      ),
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe('AlertDeliveryFailed');
    expect(cause.message).toContain('HTTP 400');
    expect(webhook.requests).toHaveLength(1);
    const listed = await testS3().send(new ListObjectsV2Command({ Bucket: bucket, Prefix: 'monitoring/health/' }));
    expect(listed.Contents).toHaveLength(1);
    const [line] = await historyLines(listed.Contents?.[0]?.Key ?? '');
    expect(line).toMatchObject({
      id: expect.stringMatching(new RegExp(`^${workflowId}@`)),
      status: 'UNHEALTHY',
      alertError: expect.stringContaining('HTTP 400'),
    });
  });

  it.each([
    [{ realertMinutes: 0 }, 'realertMinutes'],
    [{ historyPrefix: '../elsewhere' }, 'historyPrefix'],
    [{ namespace: 'Production!' }, 'namespace'],
    [{ hpaName: 'x', colour: 'blue' }, 'colour'],
  ])('fails at once on bad input %j, starting nothing', async (input, field) => {
    const workflowId = `monitor-bad-${randomUUID()}`;
    const { error, events } = await withWorker(
      { ...common(), ...stubbedCluster([]) },
      async ({ client, taskQueue }) => {
        const error = await client.workflow
          .execute(healthMonitorWorkflow, { taskQueue, workflowId, args: [input as never] })
          .then(
            () => undefined,
            (err: unknown) => err,
          );
        return { error, events: await historyEvents(client, workflowId) };
      },
    );
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe(FailureType.invalidInput);
    expect(cause.message).toContain(`invalid input: ${field}`);
    const types = events.map((e) => e.typeName);
    expect(types).not.toContain('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED');
    expect(types).not.toContain('EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED');
  });
});
