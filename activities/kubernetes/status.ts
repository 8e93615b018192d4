import type { KubeClients } from './clients.ts';
import { kubeCall } from './errors.ts';
import type { HpaSnapshot, PodSnapshot } from '../../types/index.ts';
import type { V1Pod } from '@kubernetes/client-node';

export async function listPods(kube: KubeClients, namespace: string, selector: string): Promise<PodSnapshot[]> {
  const list = await kubeCall(`list pods in ${namespace} (${selector})`, () =>
    kube.core.listNamespacedPod({ namespace, labelSelector: selector }),
  );
  return list.items.map(podSnapshot);
}

/** A pod counts as ready when it is Running and every container is ready, as the guide's monitor counts. */
export function podSnapshot(pod: V1Pod): PodSnapshot {
  const containers = pod.status?.containerStatuses ?? [];
  const phase = pod.status?.phase ?? 'Unknown';
  return {
    name: pod.metadata?.name ?? '',
    phase,
    ready: phase === 'Running' && containers.length > 0 && containers.every((c) => c.ready),
    restarts: containers.reduce((sum, c) => sum + c.restartCount, 0),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
  };
}

export async function getHpa(kube: KubeClients, namespace: string, name: string): Promise<HpaSnapshot> {
  const hpa = await kubeCall(`read HPA ${namespace}/${name}`, () =>
    kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name }),
  );
  return {
    name,
    minReplicas: hpa.spec?.minReplicas ?? 1,
    maxReplicas: hpa.spec?.maxReplicas ?? 0,
    currentReplicas: hpa.status?.currentReplicas ?? 0,
    desiredReplicas: hpa.status?.desiredReplicas ?? 0,
  };
}
