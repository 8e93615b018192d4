// healthCheckWorkflow with the real activities against the local cluster and a local API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpActivities } from '../../activities/http/index.ts';
import { createKubernetesActivities } from '../../activities/kubernetes/index.ts';
import { scaleDeployment } from '../../activities/kubernetes/scaling.ts';
import { healthCheckWorkflow } from '../../workflows/index.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { freshNamespace, testKube } from '../helpers/kube.ts';
import { withWorker } from '../helpers/temporal.ts';
import { applyObjects, exportNamespace } from '../../activities/kubernetes/resources.ts';
import { waitForRollout } from '../../activities/kubernetes/rollout.ts';

let api: InferenceApi;
beforeAll(async () => {
  api = await startInferenceApi();
});
afterAll(() => api.close());

const activities = () => ({
  ...createHttpActivities({ defaultApiBaseUrl: api.url }),
  ...createKubernetesActivities(testKube()),
});

describe('healthCheckWorkflow on the local cluster', () => {
  it("reads real pods and the real HPA; without metrics for kwok's pods the HPA cannot autoscale, so DEGRADED", async () => {
    const report = await withWorker(activities(), ({ client, taskQueue }) =>
      client.workflow.execute(healthCheckWorkflow, {
        taskQueue,
        workflowId: `health-cluster-${Date.now()}`,
        args: [{}],
      }),
    );
    expect(report.checks.api.status).toBe('OK');
    expect(report.checks.pods).toMatchObject({ status: 'OK' });
    expect(report.checks.pods.facts?.ready).toBeGreaterThanOrEqual(2);
    expect(report.checks.hpa.facts).toMatchObject({ name: 'pno-hpa', minReplicas: 2, maxReplicas: 10 });
    // metrics.k8s.io has nothing for the simulated pods, exactly the condition the HPA check exists to catch.
    expect(report.checks.hpa.status).toBe('DEGRADED');
    expect(report.status).toBe('DEGRADED');
  });

  it('reports UNHEALTHY when the deployment has no pods, and names a missing HPA', async () => {
    const namespace = await freshNamespace('health');
    const deployment = (await exportNamespace(testKube(), 'production')).filter(
      (o) => o.kind === 'Deployment' || o.kind === 'ConfigMap' || o.kind === 'Secret',
    );
    await applyObjects(testKube(), deployment, { fieldManager: 'test', targetNamespace: namespace });
    await waitForRollout(testKube(), namespace, 'pno-physics-bench', { timeoutMs: 60_000, pollMs: 200 });
    await scaleDeployment(testKube(), namespace, 'pno-physics-bench', 0);
    await waitForRollout(testKube(), namespace, 'pno-physics-bench', { timeoutMs: 60_000, pollMs: 200 });

    const report = await withWorker(activities(), ({ client, taskQueue }) =>
      client.workflow.execute(healthCheckWorkflow, {
        taskQueue,
        workflowId: `health-empty-${Date.now()}`,
        args: [{ namespace }],
      }),
    );
    expect(report.status).toBe('UNHEALTHY');
    expect(report.checks.pods).toMatchObject({ status: 'ERROR', message: 'no pods match the selector' });
    expect(report.checks.hpa.status).toBe('ERROR');
    expect(report.checks.hpa.message).toContain(`read HPA ${namespace}/pno-hpa`);
  });
});
