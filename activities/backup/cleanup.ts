import { ApiException, type KubernetesObject } from '@kubernetes/client-node';
import type { KubeClients } from '../kubernetes/clients.ts';
import { classifyKubeError } from '../kubernetes/errors.ts';
import { pollUntil, type WaitOptions } from '../kubernetes/progress.ts';
import type { RestoredObject } from '../../types/index.ts';

const apiVersions: Record<string, string> = {
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  HorizontalPodAutoscaler: 'autoscaling/v2',
};

const specOf = (o: RestoredObject): KubernetesObject & { metadata: { name: string } } => ({
  apiVersion: apiVersions[o.kind] ?? 'v1',
  kind: o.kind,
  metadata: { name: o.name, namespace: o.namespace },
});

/**
 * Deletes what a drill restored, workloads first, and waits until it is gone (a claim stays while a
 * pod still uses it): the next drill into the namespace must not apply onto objects being deleted.
 * Objects already gone count as deleted; `lingering` names any still there when the wait ends.
 */
export async function deleteRestored(kube: KubeClients, objects: RestoredObject[], wait?: WaitOptions) {
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
    const spec = specOf(o);
    try {
      await kube.objects.delete(spec, undefined, undefined, undefined, undefined, 'Foreground');
    } catch (err) {
      if (!(err instanceof ApiException && err.code === 404))
        throw classifyKubeError(err, `delete ${o.kind} ${o.namespace}/${o.name}`);
    }
    deleted.push(`${o.kind}/${o.name}`);
  }
  if (!wait) return { deleted };
  const specs = sorted.map((o) => ({ o, spec: specOf(o) }));
  const gone = await pollUntil(async () => {
    const present = await Promise.all(
      specs.map(({ spec }) =>
        kube.objects.read(spec).then(
          () => true,
          (err: unknown) => {
            if (err instanceof ApiException && err.code === 404) return false;
            throw classifyKubeError(err, `read ${spec.kind} ${spec.metadata?.namespace}/${spec.metadata?.name}`);
          },
        ),
      ),
    );
    const lingering = specs.filter((_, i) => present[i]).map(({ o }) => `${o.kind}/${o.name}`);
    return { done: lingering.length === 0, lingering };
  }, wait);
  return { deleted, ...(gone.lingering.length > 0 ? { lingering: gone.lingering } : {}) };
}
