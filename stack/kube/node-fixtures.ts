// Applies the real node's fixture (stack/kube/fixture-service/real-node.yaml) with the product's own
// server-side apply, plus the local PersistentVolume its models claim binds to, then waits for the
// rollout. The volume's directory belongs to the cluster, not to one node start: like a disk, it
// outlives a node restart.
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubeClientsFrom, loadKubeConfig } from '../../activities/kubernetes/clients.ts';
import { applyObjects, fromYaml } from '../../activities/kubernetes/resources.ts';
import { waitForRollout } from '../../activities/kubernetes/rollout.ts';
import type { LocalCluster } from './cluster.ts';
import { localImages } from './images.ts';
import { REAL_NODE } from './node.ts';

export const REAL_NODE_NAMESPACE = 'pno-node';

export async function applyRealNodeFixtures(cluster: LocalCluster): Promise<{ modelsDir: string }> {
  const kube = kubeClientsFrom(loadKubeConfig(cluster.adminKubeconfig));
  const modelsDir = join(cluster.dir, 'node-volumes/models');
  await mkdir(modelsDir, { recursive: true });
  const volume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pno-models-pno-node' },
    spec: {
      capacity: { storage: '1Gi' },
      accessModes: ['ReadWriteOnce'],
      storageClassName: 'pno-node-local',
      persistentVolumeReclaimPolicy: 'Retain',
      local: { path: modelsDir },
      nodeAffinity: {
        required: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [REAL_NODE] }] },
          ],
        },
      },
    },
  };
  const { fixtureService } = await localImages();
  const text = (await readFile(new URL('./fixture-service/real-node.yaml', import.meta.url), 'utf8')).replaceAll(
    '${FIXTURE_SERVICE_IMAGE}',
    fixtureService,
  );
  // The volume before its claim: a claim that finds no volume waits for the binder's next resync (~15 s).
  await applyObjects(kube, [volume as never], { fieldManager: 'pno-test-fixtures' });
  await applyObjects(kube, fromYaml(text), { fieldManager: 'pno-test-fixtures' });
  const rollout = await waitForRollout(kube, REAL_NODE_NAMESPACE, 'pno-physics-bench', {
    timeoutMs: 120_000,
    pollMs: 250,
  });
  if (!rollout.done || rollout.failed) throw new Error(`real-node fixture did not roll out: ${rollout.message}`);
  return { modelsDir };
}
