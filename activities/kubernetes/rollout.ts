// Deployment rollouts: image changes, restarts, the `kubectl rollout status` verdict, and undo.
import { ApplicationFailure } from '@temporalio/common';
import type { V1Deployment, V1ReplicaSet } from '@kubernetes/client-node';
import { FailureType } from '../../types/index.ts';
import type { KubeClients } from './clients.ts';
import { kubeCall } from './errors.ts';
import { strategicMergePatch } from './patch.ts';
import { pollUntil, type WaitOptions } from './progress.ts';
import { podSelectorOf } from './status.ts';

const REVISION = 'deployment.kubernetes.io/revision';

export interface RolloutState {
  done: boolean;
  failed: boolean;
  message: string;
  revision: string;
  images: Record<string, string>;
}

async function readDeployment(kube: KubeClients, namespace: string, name: string): Promise<V1Deployment> {
  return kubeCall(`read deployment ${namespace}/${name}`, () =>
    kube.apps.readNamespacedDeployment({ namespace, name }),
  );
}

function containerImages(deployment: V1Deployment): Record<string, string> {
  const containers = deployment.spec?.template.spec?.containers ?? [];
  return Object.fromEntries(containers.map((c) => [c.name, c.image ?? '']));
}

/** The same verdict as `kubectl rollout status`, from the deployment's status and conditions. */
export function rolloutState(deployment: V1Deployment): RolloutState {
  const base = { revision: deployment.metadata?.annotations?.[REVISION] ?? '', images: containerImages(deployment) };
  const status = deployment.status ?? {};
  const wanted = deployment.spec?.replicas ?? 1;
  const waiting = (message: string) => ({ ...base, done: false, failed: false, message });
  if ((deployment.metadata?.generation ?? 0) > (status.observedGeneration ?? 0)) {
    return waiting('waiting for the deployment spec update to be observed');
  }
  const progressing = status.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return {
      ...base,
      done: false,
      failed: true,
      message: `rollout exceeded its progress deadline: ${progressing.message ?? ''}`,
    };
  }
  const updated = status.updatedReplicas ?? 0;
  if (updated < wanted) return waiting(`${updated} of ${wanted} new replicas have been updated`);
  if ((status.replicas ?? 0) > updated)
    return waiting(`${(status.replicas ?? 0) - updated} old replicas are pending termination`);
  if ((status.availableReplicas ?? 0) < updated)
    return waiting(`${status.availableReplicas ?? 0} of ${updated} updated replicas are available`);
  return { ...base, done: true, failed: false, message: 'successfully rolled out' };
}

export async function getRolloutState(kube: KubeClients, namespace: string, name: string): Promise<RolloutState> {
  return rolloutState(await readDeployment(kube, namespace, name));
}

/** Sets one container's image; running it again with the same image changes nothing. */
export async function setImage(kube: KubeClients, namespace: string, name: string, container: string, image: string) {
  const before = await readDeployment(kube, namespace, name);
  const previousImage = containerImages(before)[container];
  if (previousImage === undefined) {
    throw ApplicationFailure.nonRetryable(
      `deployment ${namespace}/${name} has no container ${container}`,
      FailureType.notFound,
    );
  }
  if (previousImage !== image) {
    const body = { spec: { template: { spec: { containers: [{ name: container, image }] } } } };
    await kubeCall(`set image on ${namespace}/${name}`, () =>
      kube.apps.patchNamespacedDeployment({ namespace, name, body }, strategicMergePatch),
    );
  }
  return { previousImage, image, changed: previousImage !== image };
}

/**
 * Restarts the pods as `kubectl rollout restart` does, by stamping the pod template. The stamp comes
 * from the caller (the workflow's time), so a retried attempt does not restart a second time.
 */
export async function rolloutRestart(kube: KubeClients, namespace: string, name: string, restartedAt: string) {
  const body = {
    spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': restartedAt } } } },
  };
  await kubeCall(`restart ${namespace}/${name}`, () =>
    kube.apps.patchNamespacedDeployment({ namespace, name, body }, strategicMergePatch),
  );
}

/** Waits for the rollout to complete, fail (progress deadline) or time out; never throws for those. */
export async function waitForRollout(kube: KubeClients, namespace: string, name: string, options: WaitOptions) {
  return pollUntil(async () => {
    const state = await getRolloutState(kube, namespace, name);
    return { ...state, done: state.done || state.failed };
  }, options);
}

async function ownedReplicaSets(kube: KubeClients, deployment: V1Deployment): Promise<V1ReplicaSet[]> {
  const namespace = deployment.metadata?.namespace ?? '';
  const selector = podSelectorOf(deployment);
  const list = await kubeCall(`list replicasets of ${namespace}/${deployment.metadata?.name}`, () =>
    kube.apps.listNamespacedReplicaSet({ namespace, labelSelector: selector }),
  );
  return list.items.filter((rs) => rs.metadata?.ownerReferences?.some((o) => o.uid === deployment.metadata?.uid));
}

/**
 * Rolls back to the previous revision (or `toRevision`), as `kubectl rollout undo`: the old
 * ReplicaSet's pod template becomes the deployment's. With `onlyIfImage`, nothing happens unless the
 * deployment still runs that image, so a retried undo never flips back to the bad revision.
 */
export async function rolloutUndo(
  kube: KubeClients,
  namespace: string,
  name: string,
  options: { toRevision?: string; onlyIfImage?: string } = {},
) {
  const deployment = await readDeployment(kube, namespace, name);
  const current = deployment.metadata?.annotations?.[REVISION] ?? '';
  if (options.onlyIfImage && !Object.values(containerImages(deployment)).includes(options.onlyIfImage)) {
    return { undone: false, fromRevision: current, toRevision: current, images: containerImages(deployment) };
  }
  const revisions = (await ownedReplicaSets(kube, deployment))
    .map((rs) => ({ rs, revision: Number(rs.metadata?.annotations?.[REVISION] ?? 0) }))
    .sort((a, b) => b.revision - a.revision);
  const target = options.toRevision
    ? revisions.find((r) => String(r.revision) === options.toRevision)
    : revisions.find((r) => String(r.revision) !== current);
  if (!target?.rs.spec?.template) {
    throw ApplicationFailure.nonRetryable(
      `deployment ${namespace}/${name} has no ${options.toRevision ? `revision ${options.toRevision}` : 'previous revision'} to roll back to`,
      FailureType.notFound,
    );
  }
  const template = structuredClone(target.rs.spec.template);
  // The hash label belongs to the ReplicaSet; the deployment controller adds it again.
  delete template.metadata?.labels?.['pod-template-hash'];
  const body = [{ op: 'replace', path: '/spec/template', value: template }];
  const patched = await kubeCall(`undo rollout of ${namespace}/${name}`, () =>
    kube.apps.patchNamespacedDeployment({ namespace, name, body }),
  );
  return { undone: true, fromRevision: current, toRevision: String(target.revision), images: containerImages(patched) };
}
