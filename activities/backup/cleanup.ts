import { ApiException, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeClients } from '../kubernetes/clients.ts';
import { classifyKubeError } from '../kubernetes/errors.ts';
import type { RestoredObject } from '../../types/index.ts';

const apiVersions: Record<string, string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
};

/** Deletes what a drill restored, workloads first; objects already gone count as deleted. */
export async function deleteRestored(kube: KubeClients, objects: RestoredObject[]) {
  const order = [
    'HorizontalPodAutoscaler',
    'Deployment',
    'StatefulSet',
    'Service',
    'PersistentVolumeClaim',
    'Secret',
    'ConfigMap',
    'ServiceAccount',
  ];
  const sorted = [...objects].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
  const deleted: string[] = [];
  for (const o of sorted) {
    const spec: KubernetesObject = {
      apiVersion: apiVersions[o.kind] ?? 'v1',
      kind: o.kind,
      metadata: { name: o.name, namespace: o.namespace },
    };
    try {
      await kube.objects.delete(spec, undefined, undefined, undefined, undefined, 'Foreground');
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 404))
        throw classifyKubeError(err, `delete ${o.kind} ${o.namespace}/${o.name}`);
    }
    deleted.push(`${o.kind}/${o.name}`);
  }
  return { deleted };
}
