// Replica counts and HPA bounds.
import type { KubeClients } from './clients.ts';
import { kubeCall } from './errors.ts';
import { mergePatch } from './patch.ts';
import { getHpa } from './status.ts';

export async function scaleDeployment(kube: KubeClients, namespace: string, name: string, replicas: number) {
  const scale = await kubeCall(`read scale of ${namespace}/${name}`, () =>
    kube.apps.readNamespacedDeploymentScale({ namespace, name }),
  );
  const previous = scale.spec?.replicas ?? 0;
  if (previous !== replicas) {
    await kubeCall(`scale ${namespace}/${name}`, () =>
      kube.apps.patchNamespacedDeploymentScale({ namespace, name, body: { spec: { replicas } } }, mergePatch),
    );
  }
  return { previous, replicas };
}

export interface HpaChanges {
  minReplicas?: number;
  maxReplicas?: number;
}

/** Changes an HPA's replica bounds (a merge patch, so other fields are left as they are). */
export async function patchHpa(kube: KubeClients, namespace: string, name: string, changes: HpaChanges) {
  const before = await getHpa(kube, namespace, name);
  await kubeCall(`patch HPA ${namespace}/${name}`, () =>
    kube.autoscaling.patchNamespacedHorizontalPodAutoscaler({ namespace, name, body: { spec: changes } }, mergePatch),
  );
  return { before, after: await getHpa(kube, namespace, name) };
}
