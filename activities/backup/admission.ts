// What a restore lets into the cluster from an authentic backup: authentic is not the same as meant.
// Only the kinds the product backs up (RESTORABLE_KINDS, by apiVersion too), only objects of the
// namespace the backup was taken from, cleaned again as on export (no status, owners, managed fields,
// claims pinned to an old volume), and never the tokens the cluster mints itself.
import type { KubernetesObject } from '@kubernetes/client-node';
import { badArchive } from '../archive/index.ts';
import { cleanForExport, isClusterManaged } from '../kubernetes/resources.ts';
import { RESTORABLE_KINDS } from '../../types/index.ts';

type Obj = KubernetesObject & Record<string, unknown>;

const restorable = new Set(RESTORABLE_KINDS.map((k) => `${k.apiVersion}/${k.kind}`));

/**
 * The objects to apply, cleaned; refuses the whole set, naming the first offender, if any object is
 * of a kind not restored or belongs to another namespace than `sourceNamespace`.
 */
export function admitForRestore(objects: Obj[], sourceNamespace: string, key: string): Obj[] {
  for (const obj of objects) {
    const id = `${obj.apiVersion}/${obj.kind} ${JSON.stringify(obj.metadata?.name ?? '')}`;
    if (!restorable.has(`${obj.apiVersion}/${obj.kind}`))
      throw badArchive(`backup ${key}: ${id} is not a kind a restore applies`);
    const namespace = obj.metadata?.namespace;
    if (namespace !== undefined && namespace !== sourceNamespace)
      throw badArchive(`backup ${key}: ${id} belongs to namespace ${namespace}, not ${sourceNamespace}`);
  }
  return objects.filter((o) => !isClusterManaged(o)).map(cleanForExport);
}
