import type { KubeClients } from './clients.ts';
import { getHpa, listPods } from './status.ts';

export { kubeClientsFrom, loadKubeConfig, type KubeClients } from './clients.ts';

export function createKubernetesActivities(kube: KubeClients) {
  return {
    async listPods(input: { namespace: string; selector: string }) {
      return listPods(kube, input.namespace, input.selector);
    },
    async getHpa(input: { namespace: string; name: string }) {
      return getHpa(kube, input.namespace, input.name);
    },
  };
}
