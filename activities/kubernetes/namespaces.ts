import { ApiException } from '@kubernetes/client-node';
import type { KubeClients } from './clients.ts';
import { classifyKubeError } from './errors.ts';

/** Creates the namespace unless it exists; either way the namespace is there afterwards. */
export async function ensureNamespace(kube: KubeClients, name: string, labels: Record<string, string> = {}) {
  try {
    await kube.core.createNamespace({ body: { metadata: { name, labels } } });
    return { name, created: true };
  } catch (err) {
    if (err instanceof ApiException && err.code === 409) return { name, created: false };
    throw classifyKubeError(err, `create namespace ${name}`);
  }
}
