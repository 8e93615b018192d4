// healthCheckWorkflow end to end on the real dev server: real HTTP probes against a local server;
// Kubernetes stubbed at the activity boundary (the real layer has its own suite).
import { ApplicationFailure } from '@temporalio/common';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpActivities } from '../../activities/http/index.ts';
import type { HpaSnapshot, PodSnapshot } from '../../types/index.ts';
import { FailureType } from '../../types/index.ts';
import { healthCheckWorkflow } from '../../workflows/index.ts';
import { progressQuery } from '../../workflows/shared/progress.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { historyEvents, withWorker } from '../helpers/temporal.ts';
import { steadyHpa, readyPod } from '../monitors/fixtures.ts';

let api: InferenceApi;
beforeAll(async () => {
  api = await startInferenceApi();
});
afterAll(() => api.close());
beforeEach(() => {
  api.set('/health', { status: 200 });
  api.set('/ready', { status: 200 });
});

function activities(overrides: { pods?: PodSnapshot[]; getHpa?: () => Promise<HpaSnapshot> } = {}) {
  return {
    ...createHttpActivities({ defaultApiBaseUrl: api.url }),
    listPods: async () => overrides.pods ?? [readyPod('a'), readyPod('b')],
    getHpa: overrides.getHpa ?? (async () => steadyHpa),
  };
}

describe('healthCheckWorkflow', () => {
  it('reports HEALTHY when the API answers and every pod is ready', async () => {
    const report = await withWorker(activities(), ({ client, taskQueue }) =>
      client.workflow.execute(healthCheckWorkflow, { taskQueue, workflowId: `health-${Date.now()}`, args: [{}] }),
    );
    expect(report.status).toBe('HEALTHY');
    expect(report.checks.api.facts?.health.statusCode).toBe(200);
    expect(report.checks.pods.facts).toMatchObject({ total: 2, ready: 2 });
    expect(report.checks.hpa.status).toBe('OK');
    expect(api.hits('/health')).toBeGreaterThan(0);
  });

  it('reports UNHEALTHY when /ready fails, naming the endpoint', async () => {
    api.set('/ready', { status: 503 });
    const report = await withWorker(activities(), ({ client, taskQueue }) =>
      client.workflow.execute(healthCheckWorkflow, { taskQueue, workflowId: `health-ready-${Date.now()}`, args: [{}] }),
    );
    expect(report.status).toBe('UNHEALTHY');
    expect(report.checks.api.status).toBe('ERROR');
    expect(report.checks.api.message).toContain('/ready: HTTP 503');
  });

  it('reports DEGRADED for a slow API, some unready pods, or a missing HPA', async () => {
    api.set('/health', { status: 200, delayMs: 300 });
    const report = await withWorker(
      activities({
        pods: [readyPod('a'), { ...readyPod('b'), phase: 'Pending', ready: false }],
        getHpa: async () => {
          throw ApplicationFailure.nonRetryable('read HPA production/pno-hpa: not found', FailureType.notFound);
        },
      }),
      ({ client, taskQueue }) =>
        client.workflow.execute(healthCheckWorkflow, {
          taskQueue,
          workflowId: `health-degraded-${Date.now()}`,
          args: [{ latencyWarnMs: 100 }],
        }),
    );
    expect(report.status).toBe('DEGRADED');
    expect(report.checks.api).toMatchObject({ status: 'DEGRADED' });
    expect(report.checks.pods).toMatchObject({ status: 'DEGRADED', message: '1 of 2 pods ready' });
    expect(report.checks.hpa).toMatchObject({ status: 'ERROR', message: expect.stringContaining('not found') });
  });

  it('answers the progress query', async () => {
    const progress = await withWorker(activities(), async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(healthCheckWorkflow, {
        taskQueue,
        workflowId: `health-progress-${Date.now()}`,
        args: [{}],
      });
      await handle.result();
      return handle.query(progressQuery);
    });
    expect(progress).toEqual({ phase: 'done', stepsDone: 3, stepsTotal: 3 });
  });

  it.each([
    [{ apiBaseUrl: 'not a url' }, 'apiBaseUrl'],
    [{ apiBaseUrl: 'ftp://example.com' }, 'apiBaseUrl'],
    [{ namespace: 'Production!' }, 'namespace'],
    [{ requestTimeoutMs: -5 }, 'requestTimeoutMs'],
    [{ colour: 'blue' }, 'colour'],
  ])('fails at once, without retrying, on bad input %j', async (input, field) => {
    const workflowId = `health-bad-${field}-${Date.now()}`;
    const { error, events } = await withWorker(activities(), async ({ client, taskQueue }) => {
      const error = await client.workflow
        .execute(healthCheckWorkflow, { taskQueue, workflowId, args: [input as never] })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      return { error, events: await historyEvents(client, workflowId) };
    });
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe(FailureType.invalidInput);
    expect(cause.nonRetryable).toBe(true);
    expect(cause.message).toContain(`invalid input: ${field}`);
    // One workflow task, no activity, then the failure: nothing was retried or half-done.
    const types = events.map((e) => e.typeName);
    const scheduled = events.filter((e) => e.typeName === 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED');
    expect(scheduled.map((e) => e.workflowTaskScheduledEventAttributes?.attempt)).toEqual([1]);
    expect(types).not.toContain('EVENT_TYPE_ACTIVITY_TASK_SCHEDULED');
    expect(types.at(-1)).toBe('EVENT_TYPE_WORKFLOW_EXECUTION_FAILED');
  });
});
