// The optimizers on the dev server, as the worker's ServiceAccount: sampling on workflow timers, the
// window carried through continue-as-new, recommend-only by default, applying on `apply` or an
// `approve` update. Metrics are stubbed at the activity boundary here, to steer the decisions; changes
// hit the real cluster. The optimizers on real usage are in real-metrics.test.ts.
import { randomUUID } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowFailedError, WorkflowUpdateFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { PodMetricsResult } from '../../types/index.ts';
import { createAlertActivities } from '../../activities/alerts/index.ts';
import { createHttpActivities } from '../../activities/http/index.ts';
import { createKubernetesActivities } from '../../activities/kubernetes/index.ts';
import { applyObjects, exportNamespace } from '../../activities/kubernetes/resources.ts';
import { getHpa } from '../../activities/kubernetes/status.ts';
import { createReportActivities } from '../../activities/reports/index.ts';
import { FailureType } from '../../types/index.ts';
import { autoScalingOptimizerWorkflow, performanceOptimizerWorkflow } from '../../workflows/index.ts';
import { approveUpdate, optimizerStatusQuery } from '../../workflows/optimizers/sampling.ts';
import { bindWorkerRoles, freshNamespace, inferenceDeployment, testKube, workerKube } from '../helpers/kube.ts';
import { serviceCopy } from '../helpers/service.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { withWorker } from '../helpers/temporal.ts';
import { startReceiver, type Receiver } from '../alerts/receiver.ts';
import { hpa, podMetrics } from './fixtures.ts';
import { waitFor } from '../helpers/wait.ts';

let webhook: Receiver;
let bucket: string;
beforeAll(async () => {
  webhook = await startReceiver();
});
afterAll(() => webhook.close());
beforeEach(async () => {
  webhook.requests.length = 0;
  bucket = await freshBucket('optimizer');
});

const hot: PodMetricsResult = podMetrics([
  { cpu: 900, memory: 3300 },
  { cpu: 900, memory: 3300 },
]);

/** Real Kubernetes activities with pod metrics (and optionally the HPA read) stubbed. */
function activities(metrics: () => PodMetricsResult, overrides: Record<string, unknown> = {}) {
  return {
    ...createKubernetesActivities(workerKube()),
    ...createAlertActivities({ webhookUrl: webhook.url }),
    ...createReportActivities({ s3: testS3(), bucket }),
    // No Prometheus here: the latency read says so at once (prometheus-latency.test.ts has one).
    ...createHttpActivities(),
    podMetrics: async () => metrics(),
    ...overrides,
  };
}

/** A namespace with its own copy of the service and its HPA, so changes touch nothing shared. */
const workloadCopy = () => serviceCopy('opt');

const kinds = () =>
  webhook.requests.map(
    (r) => `${(r.body as { type: string }).type}:${(r.body as { details: { action: string } }).details.action}`,
  );

describe('autoScalingOptimizerWorkflow', () => {
  it('samples on its timer, carries the window through continue-as-new, and only recommends by default', async () => {
    const patches: unknown[] = [];
    const workflowId = `autoscale-${randomUUID()}`;
    const { status, firstRunEvents } = await withWorker(
      activities(() => hot, {
        getHpa: async () => hpa(),
        patchHpa: async (input: unknown) => patches.push(input),
        applyManifests: async (input: unknown) => patches.push(input),
      }),
      async ({ client, taskQueue }) => {
        const handle = await client.workflow.start(autoScalingOptimizerWorkflow, {
          taskQueue,
          workflowId,
          args: [{ intervalSeconds: 1, samplesPerRun: 2, sampleLimit: 5 }],
        });
        const status = await handle.result();
        return {
          status,
          firstRunEvents: await client.workflow.getHandle(workflowId, handle.firstExecutionRunId).fetchHistory(),
        };
      },
    );
    expect(status).toMatchObject({ kind: 'auto-scaling', apply: false, samplesTaken: 5, windowSize: 5, changes: [] });
    expect(status.latest).toMatchObject({ cpuAvg: 900, memoryAvg: 3300, pods: 2, replicas: 4 });
    expect(status.pending.map((r) => r.action)).toEqual(['increase_max_replicas', 'increase_memory_limits']);
    expect(status.pending[0]).toMatchObject({ maxReplicas: 15 });
    expect(patches).toEqual([]);
    // Five samples over three runs (2 + 2 + 1): the first ended by continuing as new, and the window came along.
    expect(firstRunEvents.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes).toBeTruthy();
    // Each recommendation announced once, not once per sample or per run.
    expect(kinds()).toEqual([
      'optimizer_recommendation:increase_max_replicas',
      'optimizer_recommendation:increase_memory_limits',
    ]);
    const day = status.latest?.at.slice(0, 10);
    const got = await testS3().send(
      new GetObjectCommand({ Bucket: bucket, Key: `monitoring/optimizers/auto-scaling/${day}.jsonl` }),
    );
    expect(((await got.Body?.transformToString()) ?? '').trim().split('\n')).toHaveLength(5);
  });

  it('with apply: true raises the real HPA ceiling and memory limit, then waits out the cooldown', async () => {
    const namespace = await workloadCopy();
    const status = await withWorker(
      activities(() => hot),
      ({ client, taskQueue }) =>
        client.workflow.execute(autoScalingOptimizerWorkflow, {
          taskQueue,
          workflowId: `autoscale-apply-${randomUUID()}`,
          args: [{ namespace, apply: true, intervalSeconds: 1, sampleLimit: 3 }],
        }),
    );
    expect(status.changes.map((c) => [c.action, c.how, c.outcome])).toEqual([
      ['increase_max_replicas', 'auto', 'applied'],
      ['increase_memory_limits', 'auto', 'applied'],
    ]);
    // On the cluster itself: the HPA went from 10 to 15 and the container's memory to the guide's 6Gi/2Gi.
    expect(await getHpa(workerKube(), namespace, 'pno-hpa')).toMatchObject({ minReplicas: 2, maxReplicas: 15 });
    const deployment = await testKube().apps.readNamespacedDeployment({ namespace, name: 'pno-physics-bench' });
    const container = deployment.spec?.template.spec?.containers.find((c) => c.name === 'pno-inference');
    expect(container?.resources?.limits).toMatchObject({ memory: '6Gi', cpu: '1' });
    expect(container?.resources?.requests).toMatchObject({ memory: '2Gi', cpu: '20m' });
    // Still hot, but inside the 30-minute cooldown: the next step (15 → 20) waits for approval instead.
    expect(status.pending).toEqual(
      expect.arrayContaining([expect.objectContaining({ action: 'increase_max_replicas', maxReplicas: 20 })]),
    );
    expect(kinds()).toContain('optimizer_change:increase_max_replicas');
  });

  it('records that no pod has metrics and recommends nothing, on the real cluster', async () => {
    // Two replicas whose image the node does not have: the pods exist but never run, so metrics.k8s.io
    // has nothing for them, while the HPA controller still counts them.
    const namespace = await freshNamespace('nometrics');
    await bindWorkerRoles(namespace);
    const hpaCopy = (await exportNamespace(testKube(), 'production')).filter(
      (o) => o.kind === 'HorizontalPodAutoscaler',
    );
    await applyObjects(
      testKube(),
      [inferenceDeployment(namespace, 'registry.example.com/pno/pno-inference:0.0.0-not-on-the-node'), ...hpaCopy],
      { fieldManager: 'test', targetNamespace: namespace },
    );
    await expect
      .poll(async () => (await getHpa(workerKube(), namespace, 'pno-hpa')).currentReplicas, { timeout: 60_000 })
      .toBe(2);
    const status = await withWorker(createKubernetesActivities(workerKube()), ({ client, taskQueue }) =>
      client.workflow.execute(autoScalingOptimizerWorkflow, {
        taskQueue,
        workflowId: `autoscale-nometrics-${randomUUID()}`,
        args: [{ namespace, sampleLimit: 1, historyPrefix: '' }],
      }),
    );
    expect(status).toMatchObject({ samplesTaken: 1, pending: [], lastError: null });
    expect(status.latest).toMatchObject({ pods: 0, replicas: 2 });
    expect(status.latest).not.toHaveProperty('cpuAvg');
  });

  it('fails at once on bad input', async () => {
    const error = await withWorker(
      activities(() => hot),
      ({ client, taskQueue }) =>
        client.workflow
          .execute(autoScalingOptimizerWorkflow, {
            taskQueue,
            workflowId: `autoscale-bad-${randomUUID()}`,
            args: [{ intervalSeconds: 0 }],
          })
          .then(
            () => undefined,
            (err: unknown) => err,
          ),
    );
    expect(error).toBeInstanceOf(WorkflowFailedError);
    const cause = (error as WorkflowFailedError).cause as ApplicationFailure;
    expect(cause.type).toBe(FailureType.invalidInput);
    expect(cause.message).toContain('invalid input: intervalSeconds');
  });
});

describe('performanceOptimizerWorkflow', () => {
  it('waits for ten samples, then applies a pending recommendation only when approved, on the real HPA', async () => {
    const namespace = await workloadCopy();
    // Replica counts that keep changing (2, 3, 4, 5, ...) are the guide's "frequent scaling".
    let sample = 0;
    const flapping = async () => hpa({ currentReplicas: 2 + (sample++ % 4) });
    const result = await withWorker(
      activities(() => podMetrics([{ cpu: 500, memory: 1000 }]), { getHpa: flapping }),
      async ({ client, taskQueue }) => {
        const handle = await client.workflow.start(performanceOptimizerWorkflow, {
          taskQueue,
          workflowId: `performance-${randomUUID()}`,
          args: [{ namespace, intervalSeconds: 1, sampleLimit: 14 }],
        });
        const early = await handle.executeUpdate(approveUpdate, { args: [{}] }).then(
          () => undefined,
          (err: unknown) => err,
        );
        await waitFor('a pending recommendation', async () =>
          (await handle.query(optimizerStatusQuery)).pending.length > 0 ? true : undefined,
        );
        const unknown = await handle.executeUpdate(approveUpdate, { args: [{ actions: ['decrease_replicas'] }] }).then(
          () => undefined,
          (err: unknown) => err,
        );
        const approved = await handle.executeUpdate(approveUpdate, { args: [{ actions: ['adjust_hpa_parameters'] }] });
        return { early, unknown, approved, status: await handle.result() };
      },
    );
    expect(result.early).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((result.early as WorkflowUpdateFailedError).cause as Error).message).toContain(
      'nothing is pending approval',
    );
    expect(((result.unknown as WorkflowUpdateFailedError).cause as Error).message).toContain(
      'decrease_replicas is not pending approval',
    );
    expect(result.approved).toEqual([
      expect.objectContaining({ action: 'adjust_hpa_parameters', how: 'approved', outcome: 'applied' }),
    ]);
    expect(result.status.samplesTaken).toBe(14);
    const live = await workerKube().autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name: 'pno-hpa' });
    expect(live.spec?.behavior?.scaleDown).toMatchObject({
      stabilizationWindowSeconds: 600,
      policies: [{ type: 'Percent', value: 25, periodSeconds: 120 }],
    });
    expect(live.spec?.behavior?.scaleUp).toMatchObject({ stabilizationWindowSeconds: 120 });
    expect(live.spec?.maxReplicas).toBe(10);
  });
});
