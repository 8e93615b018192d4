// Capacity facts as the worker's ServiceAccount (deploy/rbac.yaml). The worker may list pods only in
// the namespaces its workload role is bound in, so the facts count the target namespace's pods and
// say so; listing pods in every namespace, which capacityFacts used to do, stays refused.
import { describe, expect, it } from 'vitest';
import { capacityFacts } from '../../activities/kubernetes/capacity.ts';
import { kubeCall } from '../../activities/kubernetes/errors.ts';
import { parseQuantity } from '../../activities/kubernetes/observe.ts';
import { waitForPodsReady } from '../../activities/kubernetes/pods.ts';
import { freshNamespace, testKube, workerKube } from '../helpers/kube.ts';

describe('capacity facts as the worker ServiceAccount', () => {
  it("count the requests of the target namespace's running pods, and only those", async () => {
    // A pod elsewhere with large requests: it takes room on the node, but the worker may not see it.
    const other = await freshNamespace('capacity-other');
    await testKube().core.createNamespacedPod({
      namespace: other,
      body: {
        metadata: { name: 'big', labels: { app: 'big' } },
        spec: {
          containers: [
            {
              name: 'big',
              image: 'registry.example.com/big:1.0',
              resources: { requests: { cpu: '3', memory: '5Gi' } },
            },
          ],
        },
      },
    });
    await expect(
      waitForPodsReady(testKube(), other, 'app=big', 1, { timeoutMs: 60_000, pollMs: 200 }),
    ).resolves.toMatchObject({ done: true });

    const facts = await capacityFacts(workerKube(), 'production', 'app=pno-physics-bench');

    // What cluster-admin sees, to compare with.
    const nodes = (await testKube().core.listNode()).items;
    const running = (
      await testKube().core.listNamespacedPod({ namespace: 'production', fieldSelector: 'status.phase=Running' })
    ).items;
    const service = (
      await testKube().core.listNamespacedPod({ namespace: 'production', labelSelector: 'app=pno-physics-bench' })
    ).items;
    expect(running.length).toBeGreaterThanOrEqual(2);
    expect(facts).toEqual({
      nodes: nodes.length,
      // Whole millicores and MiB per node, as the facts count them.
      allocatableCpuMillicores: nodes.reduce(
        (sum, n) => sum + Math.round(parseQuantity(n.status!.allocatable!.cpu!) * 1000),
        0,
      ),
      allocatableMemoryMiB: nodes.reduce(
        (sum, n) => sum + Math.round(parseQuantity(n.status!.allocatable!.memory!) / 2 ** 20),
        0,
      ),
      // The fixture's pods each request 20m and 16Mi (stack/kube/fixture-service/production.yaml).
      requestedCpuMillicores: running.length * 20,
      requestedMemoryMiB: running.length * 16,
      requestsCounted: ['production'],
      servicePods: service.length,
      podCpuMillicores: 20,
      podMemoryMiB: 16,
    });
    // The narrower view's blind spot, stated: the other namespace's 3 CPUs and 5 GiB are not counted.
    const everywhere = (await testKube().core.listPodForAllNamespaces({ fieldSelector: 'status.phase=Running' })).items;
    const cpuEverywhere = everywhere
      .flatMap((p) => p.spec?.containers ?? [])
      .reduce((sum, c) => sum + parseQuantity(c.resources?.requests?.cpu ?? '0') * 1000, 0);
    expect(cpuEverywhere - facts.requestedCpuMillicores).toBeGreaterThanOrEqual(3000);
  });

  it('may not list pods in every namespace, nor in a namespace it is not bound in', async () => {
    await expect(
      kubeCall('list pods in all namespaces', () => workerKube().core.listPodForAllNamespaces()),
    ).rejects.toMatchObject({
      type: 'Forbidden',
      nonRetryable: true,
    });
    await expect(capacityFacts(workerKube(), 'kube-system', 'k8s-app=kube-dns')).rejects.toMatchObject({
      type: 'Forbidden',
      nonRetryable: true,
      message: expect.stringContaining('list running pods in kube-system'),
    });
  });
});
