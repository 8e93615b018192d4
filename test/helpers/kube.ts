// Kubernetes access for tests: clients bound to the local cluster started by global setup (as
// cluster-admin, or as the worker's own ServiceAccount), and a namespace per test so tests never see
// each other's objects.
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { KubeConfig } from '@kubernetes/client-node';
import { inject } from 'vitest';
import { kubeClientsFrom, loadKubeConfig, type KubeClients } from '../../activities/kubernetes/clients.ts';
import { ensureNamespace } from '../../activities/kubernetes/namespaces.ts';
import { applyObjects, fromYaml } from '../../activities/kubernetes/resources.ts';
import { REAL_NODE_PLACEMENT } from '../../stack/kube/node.ts';

let admin: KubeClients | undefined;
let worker: KubeClients | undefined;

export function testKube(): KubeClients {
  admin ??= kubeClientsFrom(loadKubeConfig(inject('kubeconfig')));
  return admin;
}

/** The worker's ServiceAccount with exactly the permissions of deploy/rbac.yaml. */
export function workerKube(): KubeClients {
  worker ??= kubeClientsFrom(loadKubeConfig(inject('workerKubeconfig')));
  return worker;
}

/** A ServiceAccount of this name in `namespace` (made if missing) with no rights but what it is given. */
export async function accountKube(namespace: string, name: string): Promise<KubeClients> {
  const admin = testKube();
  await admin.core
    .createNamespacedServiceAccount({ namespace, body: { metadata: { name } } })
    .catch((err: { code?: number }) => {
      if (err.code !== 409) throw err;
    });
  const token = await admin.core.createNamespacedServiceAccountToken({
    namespace,
    name,
    body: { spec: { audiences: [], expirationSeconds: 3600 } },
  });
  const cluster = admin.config.getCurrentCluster()!;
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [cluster],
    users: [{ name, token: token.status?.token }],
    contexts: [{ name, cluster: cluster.name, user: name }],
    currentContext: name,
  });
  return kubeClientsFrom(config);
}

/**
 * Gives the worker in `namespace` (as cluster-admin) the rights deploy/rbac.yaml gives it in `like`:
 * that namespace's own Roles and RoleBindings, moved there. What an operator does to let the worker
 * look after a namespace (`production`), or run drills in one (`pno-dr-drill`).
 */
export async function bindWorkerRoles(namespace: string, like = 'production'): Promise<void> {
  const rbac = fromYaml(await readFile(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8'));
  const grants = rbac.filter((o) => (o.kind === 'Role' || o.kind === 'RoleBinding') && o.metadata?.namespace === like);
  if (!grants.some((o) => o.kind === 'RoleBinding'))
    throw new Error(`deploy/rbac.yaml binds the worker nowhere in ${like}`);
  await applyObjects(testKube(), grants, { fieldManager: 'pno-test-rbac', targetNamespace: namespace });
}

export async function freshNamespace(prefix = 't', labels: Record<string, string> = {}): Promise<string> {
  const name = `${prefix}-${randomUUID().slice(0, 8)}`;
  await ensureNamespace(testKube(), name, labels);
  return name;
}

/**
 * A small Deployment like the inference service's, in the given namespace, on the real node. Its
 * images are tags of the local fixture-service images (scripts/tools/versions.env); an image the node
 * does not have never starts (ErrImageNeverPull): nothing is pulled. `node: 'simulated'` puts it on
 * kwok's node instead, for an image that cannot exist here (one a build Job would have pushed).
 */
export function inferenceDeployment(
  namespace: string,
  image = 'registry.example.com/pno/pno-inference:1.4.0',
  replicas = 2,
  node: 'real' | 'simulated' = 'real',
) {
  const labels = { app: 'pno-physics-bench' };
  const container = {
    name: 'pno-inference',
    image,
    imagePullPolicy: 'Never',
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { cpu: '1', memory: '128Mi' } },
    readinessProbe: { httpGet: { path: '/ready', port: 8000 }, periodSeconds: 1, failureThreshold: 1 },
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'pno-physics-bench', namespace, labels },
    spec: {
      replicas,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          ...(node === 'real' ? REAL_NODE_PLACEMENT : {}),
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 1,
          containers: [container],
        },
      },
    },
  };
}
