// Reads, scaling, namespaces, metrics and nodes against the real API server.
import { describe, expect, it } from 'vitest';
import { ensureNamespace } from '../../activities/kubernetes/namespaces.ts';
import { nodesSnapshot, podMetrics } from '../../activities/kubernetes/observe.ts';
import { waitForPodsReady } from '../../activities/kubernetes/pods.ts';
import { applyObjects } from '../../activities/kubernetes/resources.ts';
import { patchHpa, scaleDeployment } from '../../activities/kubernetes/scaling.ts';
import { getHpa, listPods } from '../../activities/kubernetes/status.ts';
import { freshNamespace, inferenceDeployment, testKube } from '../helpers/kube.ts';

describe('Kubernetes operations', () => {
  it('lists the fixture pods with readiness and reads its HPA', async () => {
    const pods = await listPods(testKube(), 'production', 'app=pno-physics-bench');
    expect(pods.length).toBeGreaterThanOrEqual(2);
    expect(pods.every((p) => p.ready && p.phase === 'Running' && p.nodeName === 'kwok-node-0')).toBe(true);
    await expect(getHpa(testKube(), 'production', 'pno-hpa')).resolves.toMatchObject({
      minReplicas: 2,
      maxReplicas: 10,
    });
  });

  it('scales a deployment and waits for the pods', async () => {
    const kube = testKube();
    const namespace = await freshNamespace('scale');
    await applyObjects(kube, [inferenceDeployment(namespace)], { fieldManager: 'test' });
    await expect(scaleDeployment(kube, namespace, 'pno-physics-bench', 4)).resolves.toEqual({
      previous: 2,
      replicas: 4,
    });
    const ready = await waitForPodsReady(kube, namespace, 'app=pno-physics-bench', 4, {
      timeoutMs: 60_000,
      pollMs: 200,
    });
    expect(ready).toMatchObject({ done: true, ready: 4 });
    await expect(scaleDeployment(kube, namespace, 'pno-physics-bench', 4)).resolves.toEqual({
      previous: 4,
      replicas: 4,
    });
  });

  it('patches HPA bounds, leaving the rest', async () => {
    const kube = testKube();
    const namespace = await freshNamespace('hpa');
    await applyObjects(
      kube,
      [
        {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: { name: 'pno-hpa', namespace },
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'x' },
            minReplicas: 2,
            maxReplicas: 10,
          },
        },
      ],
      { fieldManager: 'test' },
    );
    const { before, after } = await patchHpa(kube, namespace, 'pno-hpa', { maxReplicas: 20 });
    expect(before).toMatchObject({ minReplicas: 2, maxReplicas: 10 });
    expect(after).toMatchObject({ minReplicas: 2, maxReplicas: 20 });
  });

  it('creates a namespace once and reports it exists the second time', async () => {
    const name = `ns-${Date.now()}`;
    await expect(ensureNamespace(testKube(), name)).resolves.toEqual({ name, created: true });
    await expect(ensureNamespace(testKube(), name)).resolves.toEqual({ name, created: false });
  });

  it("serves metrics.k8s.io, with no pods from kwok's simulated node (it has no kubelet to scrape)", async () => {
    // Real pods' metrics are checked in real-node.test.ts.
    await expect(podMetrics(testKube(), 'production', 'app=pno-physics-bench')).resolves.toEqual({
      available: true,
      pods: [],
    });
  });

  it('snapshots nodes as YAML without server-owned fields', async () => {
    const snapshot = await nodesSnapshot(testKube());
    expect(snapshot.count).toBe(2);
    expect(snapshot.yaml).toContain('name: kwok-node-0');
    expect(snapshot.yaml).toContain('name: pno-node-0');
    expect(snapshot.yaml).not.toContain('resourceVersion');
    expect(snapshot.yaml).not.toContain('managedFields');
  });
});
