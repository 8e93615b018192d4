import { ApplicationFailure } from '@temporalio/common';
import type { KubeClients } from './clients.ts';
import { classifyKubeError, kubeCall } from './errors.ts';
import { FailureType, RESTORED_BY_ANNOTATION, type HpaSnapshot, type PodSnapshot } from '../../types/index.ts';
import { ApiException, type V1Deployment, type V1Pod } from '@kubernetes/client-node';

export async function listPods(kube: KubeClients, namespace: string, selector: string): Promise<PodSnapshot[]> {
  const list = await kubeCall(`list pods in ${namespace} (${selector})`, () =>
    kube.core.listNamespacedPod({ namespace, labelSelector: selector }),
  );
  return list.items.map(podSnapshot);
}

/**
 * A pod counts as ready when it is Running and every container is ready, as the guide's monitor
 * counts, and it is not being deleted: a terminating pod's containers still report ready for its grace
 * period, but its Service has already dropped it, and nothing should exec into it.
 */
export function podSnapshot(pod: V1Pod): PodSnapshot {
  const containers = pod.status?.containerStatuses ?? [];
  const phase = pod.status?.phase ?? 'Unknown';
  const serving = phase === 'Running' && containers.length > 0 && containers.every((c) => c.ready);
  return {
    name: pod.metadata?.name ?? '',
    phase,
    ready: serving && !pod.metadata?.deletionTimestamp,
    restarts: containers.reduce((sum, c) => sum + c.restartCount, 0),
    ...(pod.spec?.nodeName ? { nodeName: pod.spec.nodeName } : {}),
  };
}

export async function getHpa(kube: KubeClients, namespace: string, name: string): Promise<HpaSnapshot> {
  const hpa = await kubeCall(`read HPA ${namespace}/${name}`, () =>
    kube.autoscaling.readNamespacedHorizontalPodAutoscaler({ namespace, name }),
  );
  const scaling = hpa.status?.conditions?.find((c) => c.type === 'ScalingActive');
  return {
    name,
    minReplicas: hpa.spec?.minReplicas ?? 1,
    maxReplicas: hpa.spec?.maxReplicas ?? 0,
    ...(hpa.status?.currentReplicas !== undefined ? { currentReplicas: hpa.status.currentReplicas } : {}),
    ...(hpa.status?.desiredReplicas !== undefined ? { desiredReplicas: hpa.status.desiredReplicas } : {}),
    scalingActive: scaling?.status !== 'False',
    ...(scaling?.status === 'False' && scaling.message ? { scalingMessage: scaling.message } : {}),
  };
}

/** A ready pod matching the selector, for exec and copy; the first by name, so retries pick the same one. */
export async function pickReadyPod(kube: KubeClients, namespace: string, selector: string): Promise<string> {
  const ready = (await listPods(kube, namespace, selector))
    .filter((p) => p.ready)
    .sort((a, b) => a.name.localeCompare(b.name));
  if (!ready[0]) {
    // Retryable: pods may be starting; the activity's retry policy decides how long to wait.
    throw ApplicationFailure.retryable(`no ready pod matches ${selector} in ${namespace}`, FailureType.noReadyPod);
  }
  return ready[0].name;
}

/** The Deployment's pod selector as a label selector string (`app=pno-db,tier=data`). */
export function podSelectorOf(deployment: V1Deployment): string {
  return Object.entries(deployment.spec?.selector.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

/** A ready pod of the Deployment (see pickReadyPod). */
export async function pickReadyPodOf(kube: KubeClients, namespace: string, name: string): Promise<string> {
  const deployment = await kubeCall(`read deployment ${namespace}/${name}`, () =>
    kube.apps.readNamespacedDeployment({ namespace, name }),
  );
  return pickReadyPod(kube, namespace, podSelectorOf(deployment));
}

/** Which recovery restored the Deployment (its RESTORED_BY_ANNOTATION), if any. */
export async function restoredBy(kube: KubeClients, namespace: string, name: string): Promise<{ recovery?: string }> {
  try {
    const deployment = await kube.apps.readNamespacedDeployment({ namespace, name });
    const recovery = deployment.metadata?.annotations?.[RESTORED_BY_ANNOTATION];
    return recovery ? { recovery } : {};
  } catch (err) {
    if (err instanceof ApiException && err.code === 404) return {};
    throw classifyKubeError(err, `read deployment ${namespace}/${name}`);
  }
}
