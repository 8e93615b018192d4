// Facts for capacity and upgrade planning: what the nodes offer, what the service asks for, and
// which versions run where.
import * as k8s from '@kubernetes/client-node';
import type { KubeClients } from './clients.ts';
import { kubeCall } from './errors.ts';
import { parseQuantity } from './observe.ts';
import { listPods } from './status.ts';
import type { CapacityFacts, VersionFacts } from '../../types/index.ts';

const cpuOf = (q?: string) => Math.round(parseQuantity(q ?? '0') * 1000);
const mibOf = (q?: string) => Math.round(parseQuantity(q ?? '0') / 2 ** 20);

export async function capacityFacts(kube: KubeClients, namespace: string, selector: string): Promise<CapacityFacts> {
  const nodes = await kubeCall('list nodes', () => kube.core.listNode());
  // Only where the worker may list pods: the target namespace (see `requestedCpuMillicores`).
  const pods = await kubeCall(`list running pods in ${namespace}`, () =>
    kube.core.listNamespacedPod({ namespace, fieldSelector: 'status.phase=Running' }),
  );
  const requests = (pod: k8s.V1Pod) =>
    (pod.spec?.containers ?? []).reduce(
      (sum, c) => ({
        cpu: sum.cpu + cpuOf(c.resources?.requests?.cpu),
        mem: sum.mem + mibOf(c.resources?.requests?.memory),
      }),
      { cpu: 0, mem: 0 },
    );
  const all = pods.items.map(requests);
  const service = await listPods(kube, namespace, selector);
  const servicePod = pods.items.find((p) => service.some((s) => s.name === p.metadata?.name));
  const one = servicePod ? requests(servicePod) : { cpu: 0, mem: 0 };
  return {
    nodes: nodes.items.length,
    allocatableCpuMillicores: nodes.items.reduce((sum, n) => sum + cpuOf(n.status?.allocatable?.cpu), 0),
    allocatableMemoryMiB: nodes.items.reduce((sum, n) => sum + mibOf(n.status?.allocatable?.memory), 0),
    requestedCpuMillicores: all.reduce((sum, r) => sum + r.cpu, 0),
    requestedMemoryMiB: all.reduce((sum, r) => sum + r.mem, 0),
    requestsCounted: [namespace],
    servicePods: service.length,
    podCpuMillicores: one.cpu,
    podMemoryMiB: one.mem,
  };
}

/** The API server's version, each node's kubelet version, and the images the deployment runs. */
export async function versionFacts(kube: KubeClients, namespace: string, deployment: string): Promise<VersionFacts> {
  const version = await kubeCall('read server version', () => kube.config.makeApiClient(k8s.VersionApi).getCode());
  const nodes = await kubeCall('list nodes', () => kube.core.listNode());
  const workload = await kubeCall(`read deployment ${namespace}/${deployment}`, () =>
    kube.apps.readNamespacedDeployment({ namespace, name: deployment }),
  );
  return {
    controlPlane: version.gitVersion,
    kubelets: Object.fromEntries(
      nodes.items.map((n) => [n.metadata?.name ?? '', n.status?.nodeInfo?.kubeletVersion ?? 'unknown']),
    ),
    images: Object.fromEntries((workload.spec?.template.spec?.containers ?? []).map((c) => [c.name, c.image ?? ''])),
  };
}
