// Read-only views for reports: pod metrics (when a metrics server serves them) and a nodes snapshot.
import { ApiException } from '@kubernetes/client-node';
import type { KubeClients } from './clients.ts';
import { kubeCall } from './errors.ts';
import { cleanForExport, toYaml } from './resources.ts';
import type { PodMetricsResult } from '../../types/index.ts';

/** Parses a Kubernetes quantity (e.g. 250m, 1, 512Mi, 1Gi, 1500k) into a number of base units. */
export function parseQuantity(quantity: string): number {
  const match = /^([0-9.]+)([a-zA-Z]*)$/.exec(quantity.trim());
  if (!match) throw new Error(`not a Kubernetes quantity: ${quantity}`);
  const factors: Record<string, number> = {
    n: 1e-9,
    u: 1e-6,
    m: 1e-3,
    '': 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
  };
  const factor = factors[match[2] ?? ''];
  if (factor === undefined) throw new Error(`unknown quantity suffix in ${quantity}`);
  return Number(match[1]) * factor;
}

interface PodMetricsList {
  items: { metadata: { name: string }; containers: { usage: { cpu: string; memory: string } }[] }[];
}

export async function podMetrics(kube: KubeClients, namespace: string, selector: string): Promise<PodMetricsResult> {
  let list: PodMetricsList;
  try {
    list = (await kube.custom.listNamespacedCustomObject({
      group: 'metrics.k8s.io',
      version: 'v1beta1',
      namespace,
      plural: 'pods',
      labelSelector: selector,
    })) as PodMetricsList;
  } catch (err) {
    // No metrics-server (404) or one that is down (503): a fact for the report, not a failure.
    if (err instanceof ApiException && (err.code === 404 || err.code === 503)) {
      return { available: false, reason: `metrics API unavailable (HTTP ${err.code})` };
    }
    throw err;
  }
  const pods = list.items.map((item) => ({
    pod: item.metadata.name,
    cpuMillicores: Math.round(item.containers.reduce((sum, c) => sum + parseQuantity(c.usage.cpu), 0) * 1000),
    memoryMiB: Math.round(item.containers.reduce((sum, c) => sum + parseQuantity(c.usage.memory), 0) / 2 ** 20),
  }));
  return { available: true, pods };
}

/** The cluster's nodes as YAML (the guide's `kubectl get nodes -o yaml`), without server-owned fields but with status. */
export async function nodesSnapshot(kube: KubeClients) {
  const nodes = await kubeCall('list nodes', () => kube.core.listNode());
  const objects = nodes.items.map((node) => ({
    ...cleanForExport({ ...node, apiVersion: 'v1', kind: 'Node' } as never),
    status: {
      nodeInfo: node.status?.nodeInfo,
      conditions: node.status?.conditions,
      capacity: node.status?.capacity,
      allocatable: node.status?.allocatable,
    },
  }));
  return { count: objects.length, yaml: toYaml(objects) };
}
