// Real usage on the real node (stack/kube/node.ts): the fixture service's pods burn real CPU, which
// metrics-server (10 s resolution) reports through metrics.k8s.io. The HPA controller (syncing every
// 5 s, stack/kube/cluster.ts) scales on it, the health monitor reads it, and the auto-scaling optimizer
// recommends from it and changes the real HPA. Each describe has its own namespace, set up as
// cluster-admin, so production stays as the other test files expect it; the product acts
// as the worker's ServiceAccount.
import { randomUUID } from 'node:crypto';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.ts';
import { podMetrics } from '../../activities/kubernetes/observe.ts';
import { applyObjects } from '../../activities/kubernetes/resources.ts';
import { waitForRollout } from '../../activities/kubernetes/rollout.ts';
import { getHpa, listPods } from '../../activities/kubernetes/status.ts';
import type { HealthReport } from '../../types/index.ts';
import { autoScalingOptimizerWorkflow, healthMonitorWorkflow } from '../../workflows/index.ts';
import { optimizerStatusQuery } from '../../workflows/optimizers/sampling.ts';
import { limits } from '../../workflows/optimizers/policy.ts';
import { bindWorkerRoles, freshNamespace, inferenceDeployment, testKube, workerKube } from '../helpers/kube.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { withWorker } from '../helpers/temporal.ts';
import { burn, podIp, stopBurns } from '../helpers/service.ts';
import { waitFor } from '../helpers/wait.ts';

const selector = 'app=pno-physics-bench';
const deployment = 'pno-physics-bench';
const container = 'pno-inference';
const hpaName = 'pno-hpa';

/** The service on the real node (10m CPU request, one core limit) and an HPA on CPU utilization. */
async function realWorkload(hpa: { min: number; max: number; utilization: number }): Promise<string> {
  const namespace = await freshNamespace('rm');
  await bindWorkerRoles(namespace);
  await applyObjects(
    testKube(),
    [
      inferenceDeployment(namespace, undefined, hpa.min),
      {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: hpaName, namespace },
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment },
          minReplicas: hpa.min,
          maxReplicas: hpa.max,
          metrics: [
            {
              type: 'Resource',
              resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: hpa.utilization } },
            },
          ],
        },
      },
    ] as never,
    { fieldManager: 'pno-test-fixtures' },
  );
  const rollout = await waitForRollout(testKube(), namespace, deployment, { timeoutMs: 120_000, pollMs: 250 });
  if (!rollout.done || rollout.failed) throw new Error(`${namespace} did not roll out: ${rollout.message}`);
  return namespace;
}

/** Deletes the namespace and waits until its pods are gone, so no burn outlives its test. */
async function removeWorkload(namespace: string | undefined): Promise<void> {
  if (!namespace) return;
  await testKube().core.deleteNamespace({ name: namespace });
  await waitFor(
    `the pods of ${namespace} to go`,
    async () => ((await listPods(testKube(), namespace, selector)).length === 0 ? true : undefined),
    60_000,
  );
}

async function readyPods(namespace: string) {
  return (await listPods(workerKube(), namespace, selector)).filter((p) => p.ready);
}

/** The pod's CPU as metrics.k8s.io reports it to the worker; 0 until it has a figure. */
async function cpuOf(namespace: string, pod: string): Promise<number> {
  const metrics = await podMetrics(workerKube(), namespace, selector);
  return metrics.available ? (metrics.pods.find((p) => p.pod === pod)?.cpuMillicores ?? 0) : 0;
}

function activities(bucket: string) {
  return createActivities({ kube: workerKube(), storage: { s3: testS3(), bucket } });
}

describe('real CPU usage on the real node, an HPA scaling on it, and the health monitor reading it', () => {
  let namespace: string | undefined;
  beforeAll(async () => {
    namespace = await realWorkload({ min: 1, max: 3, utilization: 50 });
  }, 180_000);
  afterEach(async () => {
    if (namespace) await stopBurns(namespace);
  });
  afterAll(() => removeWorkload(namespace), 90_000);

  it('scales the Deployment above its minimum while its pod burns a core', async () => {
    const ns = namespace ?? '';
    const [pod] = await readyPods(ns);
    if (!pod) throw new Error('no ready pod');
    // Before the load: one replica, and the HPA at its minimum.
    await expect(getHpa(workerKube(), ns, hpaName)).resolves.toMatchObject({ minReplicas: 1, maxReplicas: 3 });
    const started = Date.now();
    // Long enough to last the scale-up; stopped after the test.
    await burn(ns, pod.name, 120);

    // One core against a 100m request is ~1000% of the 50% target: the HPA wants its maximum.
    const scaled = await waitFor(
      'the HPA to scale above its minimum',
      async () => {
        const hpa = await getHpa(workerKube(), ns, hpaName);
        return (hpa.desiredReplicas ?? 0) > 1 && (hpa.currentReplicas ?? 0) > 1 ? hpa : undefined;
      },
      150_000,
    );
    const scaledAfterMs = Date.now() - started;
    expect(scaled).toMatchObject({ scalingActive: true, maxReplicas: 3 });
    const ready = await waitFor(
      'more than one ready pod',
      async () => {
        const pods = await readyPods(ns);
        return pods.length > 1 ? pods : undefined;
      },
      120_000,
    );
    const readyAfterMs = Date.now() - started;
    expect(ready.map((p) => p.nodeName)).toEqual(ready.map(() => inject('realNodeName')));
    const d = await workerKube().apps.readNamespacedDeployment({ namespace: ns, name: deployment });
    expect(d.spec?.replicas).toBeGreaterThan(1);
    expect(d.status?.readyReplicas).toBeGreaterThan(1);
    const cpu = await cpuOf(ns, pod.name);
    expect(cpu).toBeGreaterThan(300);
    console.info(
      `[real-metrics] HPA desired ${scaled.desiredReplicas}, current ${scaled.currentReplicas} after ${scaledAfterMs} ms; ` +
        `${ready.length} pods ready after ${readyAfterMs} ms; burning pod at ${cpu}m`,
    );
  }, 300_000);

  it("reports the pods' real CPU in the health monitor, with an HPA that has the metrics to scale", async () => {
    const ns = namespace ?? '';
    const [pod] = await readyPods(ns);
    if (!pod) throw new Error('no ready pod');
    await burn(ns, pod.name, 120);
    await waitFor(
      'the burning pod to show in metrics.k8s.io',
      async () => ((await cpuOf(ns, pod.name)) > 300 ? true : undefined),
      60_000,
    );
    // A settled Deployment: every pod ready and with metrics of its own (two scrapes after it started).
    await waitFor(
      'every pod ready and measured',
      async () => {
        const pods = await listPods(workerKube(), ns, selector);
        const metrics = await podMetrics(workerKube(), ns, selector);
        const measured = metrics.available ? metrics.pods.map((p) => p.pod) : [];
        return pods.length > 0 && pods.every((p) => p.ready && measured.includes(p.name)) ? true : undefined;
      },
      120_000,
    );

    const bucket = await freshBucket('real-metrics');
    const workflowId = `real-monitor-${randomUUID()}`;
    const { result, report } = await withWorker(activities(bucket), async ({ client, taskQueue }) => {
      const result = await client.workflow.execute(healthMonitorWorkflow, {
        taskQueue,
        workflowId,
        // The API probes go to a real pod of the service itself.
        args: [
          {
            namespace: ns,
            selector,
            hpaName,
            apiBaseUrl: `http://${await podIp(ns, pod.name)}:8000`,
            realertMinutes: 1,
          },
        ],
      });
      const report = await client.workflow.getHandle<() => Promise<HealthReport>>(`${workflowId}-check`).result();
      return { result, report };
    });

    expect(result.usage).toMatchObject({ available: true });
    if (!result.usage.available) return;
    expect(result.usage.pods).toBeGreaterThanOrEqual(1);
    expect(result.usage.cpuMaxMillicores).toBeGreaterThan(300);
    expect(result.usage.cpuTotalMillicores).toBeGreaterThanOrEqual(result.usage.cpuMaxMillicores);
    expect(result.usage.memoryMaxMiB).toBeGreaterThan(0);
    // The HPA has its metrics: ScalingActive, no DEGRADED "cannot autoscale".
    expect(report.checks.hpa.status).toBe('OK');
    expect(report.checks.hpa.facts).toMatchObject({ scalingActive: true, minReplicas: 1, maxReplicas: 3 });
    expect(report.checks.pods.status).toBe('OK');
    expect(report.checks.api.status).toBe('OK');
    expect(result.status).toBe('HEALTHY');
    expect(result.alertsSent).toEqual([]);

    // The day's history line holds the same real figures.
    const key = result.history?.key ?? '';
    const got = await testS3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const [line] = ((await got.Body?.transformToString('utf8')) ?? '').split('\n').filter(Boolean);
    expect(JSON.parse(line ?? '{}')).toMatchObject({ status: 'HEALTHY', hpa: { status: 'OK' }, usage: result.usage });
    console.info(`[real-metrics] health monitor usage: ${JSON.stringify(result.usage)}`);
  }, 300_000);
});

describe('the auto-scaling optimizer on real usage', () => {
  let namespace: string | undefined;
  // One pod that the HPA may not scale (max 1), so the pod's real CPU is the average per pod the
  // optimizer judges; the optimizer raising maxReplicas is what lets the HPA scale.
  beforeAll(async () => {
    namespace = await realWorkload({ min: 1, max: 1, utilization: 50 });
  }, 180_000);
  afterEach(async () => {
    if (namespace) await stopBurns(namespace);
  });
  afterAll(() => removeWorkload(namespace), 90_000);

  it("raises the real HPA's ceiling from the real CPU of a pod burning a core, and the HPA scales on", async () => {
    const ns = namespace ?? '';
    const [pod] = await readyPods(ns);
    if (!pod) throw new Error('no ready pod');
    await burn(ns, pod.name, 120);
    // The guide's threshold is 800m per pod; one core in a container limited to one core gets there.
    const hot = await waitFor(
      `the pod's CPU above ${limits.cpuHighMillicores}m`,
      async () => {
        const cpu = await cpuOf(ns, pod.name);
        return cpu > limits.cpuHighMillicores ? cpu : undefined;
      },
      90_000,
    );

    const bucket = await freshBucket('real-optimizer');
    const workflowId = `real-autoscale-${randomUUID()}`;
    const status = await withWorker(activities(bucket), async ({ client, taskQueue }) => {
      const handle = await client.workflow.start(autoScalingOptimizerWorkflow, {
        taskQueue,
        workflowId,
        args: [
          {
            namespace: ns,
            selector,
            deployment,
            hpaName,
            container,
            apply: true,
            intervalSeconds: 5,
            samplesPerRun: 4,
            historyPrefix: 'optimizers',
          },
        ],
      });
      try {
        return await waitFor(
          'the optimizer to apply increase_max_replicas',
          async () => {
            const s = await handle.query(optimizerStatusQuery);
            return s.changes.some((c) => c.action === 'increase_max_replicas') ? s : undefined;
          },
          120_000,
        );
      } finally {
        await handle.cancel();
        await expect(handle.result()).rejects.toThrow(WorkflowFailedError);
      }
    });

    const change = status.changes.find((c) => c.action === 'increase_max_replicas');
    expect(change).toMatchObject({ how: 'auto', outcome: 'applied', detail: `HPA ${hpaName} now 1..6 replicas` });
    expect(change?.reason).toMatch(/^High CPU usage: \d+m average per pod \(over 800m\); maxReplicas 1$/);
    expect(status.latest?.cpuAvg).toBeGreaterThan(limits.cpuHighMillicores);
    expect(status.latest?.replicas).toBe(1);

    // The HPA on the server says what the optimizer reported, and scales on the same real load.
    const server = await testKube().autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace: ns, name: hpaName });
    expect(server.spec?.maxReplicas).toBe(1 + limits.maxReplicasStep);
    expect(server.spec?.minReplicas).toBe(1);
    const after = await waitFor(
      'the HPA to scale past its old ceiling',
      async () => {
        const hpa = await getHpa(workerKube(), ns, hpaName);
        return (hpa.desiredReplicas ?? 0) > 1 ? hpa : undefined;
      },
      60_000,
    );
    console.info(
      `[real-metrics] pod at ${hot}m before the optimizer; it applied "${change?.reason}" after ` +
        `${status.samplesTaken} samples; HPA now wants ${after.desiredReplicas}`,
    );
  }, 300_000);
});
