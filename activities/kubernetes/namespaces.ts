import { ApiException } from '@kubernetes/client-node';
import type { KubeClients } from './clients.ts';
import { classifyKubeError } from './errors.ts';

const status = (err: unknown) => (err instanceof ApiException ? err.code : undefined);

/**
 * Creates the namespace unless it exists; either way the namespace is there afterwards. An existing
 * one is left as it is, labels included: only a namespace this call creates gets `labels`.
 */
export async function ensureNamespace(kube: KubeClients, name: string, labels: Record<string, string> = {}) {
  try {
    await kube.core.readNamespace({ name });
    return { name, created: false };
  } catch (err) {
    if (status(err) !== 404) throw classifyKubeError(err, `read namespace ${name}`);
  }
  try {
    await kube.core.createNamespace({ body: { metadata: { name, labels } } });
    return { name, created: true };
  } catch (err) {
    if (status(err) === 409) return { name, created: false };
    throw classifyKubeError(err, `create namespace ${name}`);
  }
}
