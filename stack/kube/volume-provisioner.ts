// The local cluster's dynamic provisioner: every claim of StorageClass `pno-local` gets a local
// PersistentVolume of its own on the real node, a directory under `root`, as a cloud disk would be
// made for it. Released volumes are deleted with their directory. This is what lets each copy of the
// fixture service, and a namespace that disaster recovery re-creates, have models volumes of their
// own instead of all claims pinning one hand-made volume.
import { chmod, mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type * as k8s from '@kubernetes/client-node';
import type { KubeClients } from '../../activities/kubernetes/clients.ts';
import { applyObjects } from '../../activities/kubernetes/resources.ts';

export const LOCAL_STORAGE_CLASS = 'pno-local';
const PROVISIONER = 'pno.dev/local-volume';
const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';

export interface VolumeProvisioner {
  stop(): Promise<void>;
}

export async function startVolumeProvisioner(
  admin: KubeClients,
  options: { root: string; nodeName: string; pollMs?: number },
): Promise<VolumeProvisioner> {
  await mkdir(options.root, { recursive: true });
  await applyStorageClass(admin);
  let stopped = false;
  let failures = 0;
  const loop = (async () => {
    while (!stopped) {
      try {
        await provisionPending(admin, options);
        await deleteReleased(admin, options.root);
        failures = 0;
      } catch (err) {
        // The API server may be restarting or stopping; a provisioner that keeps failing says so once.
        if (++failures === 20) console.warn(`[stack] volume provisioner: ${String(err)}`);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 250));
    }
  })();
  return {
    stop: async () => {
      stopped = true;
      await loop;
    },
  };
}

async function applyStorageClass(admin: KubeClients): Promise<void> {
  const storageClass = {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: LOCAL_STORAGE_CLASS },
    provisioner: PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  };
  await applyObjects(admin, [storageClass as never], { fieldManager: 'pno-local-provisioner' });
}

async function provisionPending(admin: KubeClients, options: { root: string; nodeName: string }): Promise<void> {
  const claims = await admin.core.listPersistentVolumeClaimForAllNamespaces();
  for (const claim of claims.items) {
    const { metadata, spec, status } = claim;
    if (spec?.storageClassName !== LOCAL_STORAGE_CLASS || spec.volumeName || status?.phase !== 'Pending') continue;
    if (!metadata?.uid || !metadata.name || !metadata.namespace || metadata.deletionTimestamp) continue;
    const path = join(options.root, metadata.uid);
    // World-writable like a fresh filesystem's root: the containers may run as any user. (chmod,
    // since mkdir's mode is narrowed by the umask.)
    await mkdir(path, { recursive: true });
    await chmod(path, 0o777);
    const volume: k8s.V1PersistentVolume = {
      metadata: { name: `pvc-${metadata.uid}`, annotations: { [PROVISIONED_BY]: PROVISIONER } },
      spec: {
        capacity: { storage: spec.resources?.requests?.storage ?? '1Gi' },
        accessModes: spec.accessModes ?? ['ReadWriteOnce'],
        storageClassName: LOCAL_STORAGE_CLASS,
        persistentVolumeReclaimPolicy: 'Delete',
        claimRef: { namespace: metadata.namespace, name: metadata.name, uid: metadata.uid },
        local: { path },
        nodeAffinity: {
          required: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [options.nodeName] }] },
            ],
          },
        },
      },
    };
    await admin.core.createPersistentVolume({ body: volume }).catch((err: unknown) => {
      // Made by the previous round, before the binder caught up.
      if ((err as { code?: number }).code !== 409) throw err;
    });
  }
}

async function deleteReleased(admin: KubeClients, root: string): Promise<void> {
  const volumes = await admin.core.listPersistentVolume();
  for (const volume of volumes.items) {
    const ours = volume.metadata?.annotations?.[PROVISIONED_BY] === PROVISIONER;
    const released = volume.status?.phase === 'Released' || volume.status?.phase === 'Failed';
    if (!ours || !released || volume.spec?.persistentVolumeReclaimPolicy !== 'Delete') continue;
    const path = volume.spec.local?.path;
    // Only directories this provisioner made; a volume edited to point elsewhere is left alone.
    if (path?.startsWith(`${root}/`)) await rm(path, { recursive: true, force: true });
    await admin.core.deletePersistentVolume({ name: volume.metadata?.name ?? '' }).catch((err: unknown) => {
      if ((err as { code?: number }).code !== 404) throw err;
    });
  }
}

/** The host directory of the volume bound to a claim, once it is bound (fixture setup only). */
export async function volumeDirectory(
  admin: KubeClients,
  namespace: string,
  claim: string,
  timeoutMs = 30_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pvc = await admin.core.readNamespacedPersistentVolumeClaim({ namespace, name: claim });
    const volumeName = pvc.spec?.volumeName;
    if (pvc.status?.phase === 'Bound' && volumeName) {
      const path = (await admin.core.readPersistentVolume({ name: volumeName })).spec?.local?.path;
      if (!path) throw new Error(`volume ${volumeName} of ${namespace}/${claim} is not a local volume`);
      return path;
    }
    if (Date.now() > deadline) throw new Error(`${namespace}/${claim} is not bound after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
