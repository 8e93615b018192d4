// Reads, scaling, namespaces, metrics and nodes against the real API server and the real node, as the
// worker's ServiceAccount where the product acts (namespaces and nodes are cluster-admin's).
import { describe, expect, inject, it } from 'vitest';
import { ensureNamespace } from '../../activities/kubernetes/namespaces.ts';
import { nodesSnapshot, podMetrics } from '../../activities/kubernetes/observe.ts';
import { waitForPodsReady } from '../../activities/kubernetes/pods.ts';
import { applyObjects } from '../../activities/kubernetes/resources.ts';
import { patchHpa, scaleDeployment } from '../../activities/kubernetes/scaling.ts';
import { getHpa, listPods } from '../../activities/kubernetes/status.ts';
import { bindWorkerRoles, freshNamespace, inferenceDeployment, testKube, workerKube } from '../helpers/kube.ts';

describe('Kubernetes operations', () => {
  it('lists the fixture pods with readiness and reads its HPA', async () => {
    const pods = await listPods(workerKube(), 'production', 'app=pno-physics-bench');
    expect(pods.length).toBeGreaterThanOrEqual(2);
    expect(pods.every((p) => p.ready && p.phase === 'Running' && p.nodeName === inject('realNodeName'))).toBe(true);
    await expect(getHpa(workerKube(), 'production', 'pno-hpa')).resolves.toMatchObject({
      minReplicas: 2,
      maxReplicas: 10,
    });
  });

  it('scales a deployment and waits for the pods', async () => {
    const kube = workerKube();
    const namespace = await freshNamespace('scale');
    await bindWorkerRoles(namespace);
    await applyObjects(testKube(), [inferenceDeployment(namespace)], { fieldManager: 'test' });
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
    const kube = workerKube();
    const namespace = await freshNamespace('hpa');
    await bindWorkerRoles(namespace);
    await applyObjects(
      testKube(),
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

  it("reads the production pods' real CPU and memory from metrics.k8s.io", async () => {
    const pods = (await listPods(workerKube(), 'production', 'app=pno-physics-bench')).map((p) => p.name).sort();
    // metrics-server has a figure for a pod after its second scrape (10 s apart).
    const measured = async () => {
      const metrics = await podMetrics(workerKube(), 'production', 'app=pno-physics-bench');
      return metrics.available ? metrics.pods.map((p) => p.pod).sort() : [];
    };
    await expect.poll(measured, { timeout: 60_000, interval: 1_000 }).toEqual(pods);
    const metrics = await podMetrics(workerKube(), 'production', 'app=pno-physics-bench');
    if (!metrics.available) throw new Error('metrics.k8s.io went away');
    for (const pod of metrics.pods) {
      expect(pod.cpuMillicores, pod.pod).toBeGreaterThanOrEqual(0);
      expect(pod.memoryMiB, pod.pod).toBeGreaterThan(0);
    }
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
