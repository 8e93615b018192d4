// The worker's own identity on the local cluster: deploy/rbac.yaml applied, and a kubeconfig holding
// a token of its ServiceAccount, so tests and the embedded default run with exactly its permissions.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubeClientsFrom, loadKubeConfig } from '../../activities/kubernetes/clients.ts';
import { applyObjects, fromYaml } from '../../activities/kubernetes/resources.ts';
import { kubeconfigYaml } from './certs.ts';
import type { LocalCluster } from './cluster.ts';

export async function workerKubeconfig(cluster: LocalCluster, expirationSeconds = 24 * 3600): Promise<string> {
  const admin = kubeClientsFrom(loadKubeConfig(cluster.adminKubeconfig));
  const rbac = await readFile(new URL('../../deploy/rbac.yaml', import.meta.url), 'utf8');
  await applyObjects(admin, fromYaml(rbac), { fieldManager: 'pno-local-rbac' });
  const token = await admin.core.createNamespacedServiceAccountToken({
    namespace: 'pno-maintenance',
    name: 'pno-maintenance-worker',
    body: { spec: { audiences: [], expirationSeconds } },
  });
  const path = join(cluster.dir, 'worker.kubeconfig');
  await writeFile(
    path,
    kubeconfigYaml(cluster.server, cluster.caPath, { token: token.status?.token ?? '' }, 'production'),
  );
  return path;
}
