// healthCheckWorkflow with the real activities, as the worker's ServiceAccount, against the local
// cluster's real node and a local API server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpActivities } from '../../activities/http/index.ts';
import { createKubernetesActivities } from '../../activities/kubernetes/index.ts';
import { scaleDeployment } from '../../activities/kubernetes/scaling.ts';
import { healthCheckWorkflow } from '../../workflows/index.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { getHpa, listPods } from '../../activities/kubernetes/status.ts';
import { waitFor } from '../helpers/wait.ts';
import { bindWorkerRoles, freshNamespace, testKube, workerKube } from '../helpers/kube.ts';
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
  ...createKubernetesActivities(workerKube()),
});

describe('healthCheckWorkflow on the local cluster', () => {
  it('reads the real pods and the real HPA, which has the metrics it scales on: HEALTHY', async () => {
    // The HPA controller says so once metrics-server has scraped the pods (10 s) and it has synced (5 s).
    await waitFor(
      'the HPA controller to report production active',
      async () => {
        const hpa = await getHpa(workerKube(), 'production', 'pno-hpa');
        return hpa.currentReplicas !== undefined && hpa.scalingActive ? true : undefined;
      },
      60_000,
    );
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
    expect(report.checks.hpa).toMatchObject({ status: 'OK', facts: { scalingActive: true } });
    expect(report.status).toBe('HEALTHY');
  });

  it('reports UNHEALTHY when the deployment has no pods, and names a missing HPA', async () => {
    const namespace = await freshNamespace('health');
    await bindWorkerRoles(namespace);
    const deployment = (await exportNamespace(testKube(), 'production')).filter((o) =>
      ['Deployment', 'ConfigMap', 'Secret', 'PersistentVolumeClaim'].includes(o.kind ?? ''),
    );
    await applyObjects(testKube(), deployment, { fieldManager: 'test', targetNamespace: namespace });
    await waitForRollout(testKube(), namespace, 'pno-physics-bench', { timeoutMs: 60_000, pollMs: 200 });
    await scaleDeployment(testKube(), namespace, 'pno-physics-bench', 0);
    // Scaled to zero, and the terminated pods gone from the node (they linger for their grace period).
    await waitFor(
      'the pods to be gone',
      async () => ((await listPods(testKube(), namespace, 'app=pno-physics-bench')).length === 0 ? true : undefined),
      60_000,
    );

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
