// Kubernetes access for tests: clients bound to the local cluster started by global setup (as
// cluster-admin), and a namespace per test so tests never see each other's objects.
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import { kubeClientsFrom, loadKubeConfig, type KubeClients } from '../../activities/kubernetes/clients.ts';
import { ensureNamespace } from '../../activities/kubernetes/namespaces.ts';

let admin: KubeClients | undefined;

export function testKube(): KubeClients {
  admin ??= kubeClientsFrom(loadKubeConfig(inject('kubeconfig')));
  return admin;
}

export async function freshNamespace(prefix = 't'): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureNamespace(testKube(), name);
  return name;
}

/** A small Deployment like the inference service's, in the given namespace. */
export function inferenceDeployment(namespace: string, image = 'registry.example.com/pno/pno-inference:1.4.0', replicas = 2) {
  const labels = { app: 'pno-physics-bench' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'pno-physics-bench', namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { containers: [{ name: 'pno-inference', image }] } },
    },
  };
}
