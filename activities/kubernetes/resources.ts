// Exporting a namespace's resources as clean, re-appliable objects, and applying them back with
// server-side apply, in dependency order. Controller-owned objects (pods, ReplicaSets) are skipped:
// their owners recreate them.
import { PatchStrategy, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments, stringify } from 'yaml';
import type { KubeClients } from './clients.ts';
import { kubeCall } from './errors.ts';
import { RESTORABLE_KINDS } from '../../types/index.ts';

export interface ResourceKind {
  apiVersion: string;
  kind: string;
}

const applyOrder = ['Namespace', ...RESTORABLE_KINDS.map((k) => k.kind)];

export type Obj = KubernetesObject & Record<string, unknown>;

/** Objects the cluster makes by itself in every namespace; restoring them would fight it. */
export function isClusterManaged(obj: Obj): boolean {
  const name = obj.metadata?.name;
  if (obj.kind === 'ConfigMap' && name === 'kube-root-ca.crt') return true;
  if (obj.kind === 'ServiceAccount' && name === 'default') return true;
  return obj.kind === 'Secret' && obj.type === 'kubernetes.io/service-account-token';
}

const droppedAnnotations = [
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/revision',
  'pv.kubernetes.io/bind-completed',
  'pv.kubernetes.io/bound-by-controller',
  'volume.kubernetes.io/selected-node',
  'volume.beta.kubernetes.io/storage-provisioner',
  'volume.kubernetes.io/storage-provisioner',
];

/** Strips what the server owns (status, uid, resourceVersion, managedFields, …) so the object re-applies cleanly. */
export function cleanForExport(obj: Obj): Obj {
  const { status: _status, ...rest } = structuredClone(obj);
  const metadata = rest.metadata ?? {};
  const annotations = Object.fromEntries(
    Object.entries(metadata.annotations ?? {}).filter(([k]) => !droppedAnnotations.includes(k)),
  );
  rest.metadata = {
    name: metadata.name,
    ...(metadata.namespace ? { namespace: metadata.namespace } : {}),
    ...(metadata.labels && Object.keys(metadata.labels).length > 0 ? { labels: metadata.labels } : {}),
    ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
  };
  const spec = rest.spec as Record<string, unknown> | undefined;
  if (rest.kind === 'Service' && spec) {
    // Cluster IPs are allocated per cluster; a restore gets new ones.
    delete spec.clusterIP;
    delete spec.clusterIPs;
  }
  if (rest.kind === 'PersistentVolumeClaim' && spec) {
    // Bound to a volume of the old cluster; a restore provisions a new one.
    delete spec.volumeName;
  }
  return rest;
}

/** Lists every exportable object of these kinds in the namespace, cleaned. */
export async function exportNamespace(
  kube: KubeClients,
  namespace: string,
  kinds: readonly ResourceKind[] = RESTORABLE_KINDS,
): Promise<Obj[]> {
  const objects: Obj[] = [];
  for (const { apiVersion, kind } of kinds) {
    const list = await kubeCall(`list ${kind} in ${namespace}`, () =>
      kube.objects.list<Obj>(apiVersion, kind, namespace),
    );
    for (const item of list.items) {
      const obj = { ...item, apiVersion, kind } as Obj;
      if (obj.metadata?.ownerReferences?.some((o) => o.controller)) continue;
      if (isClusterManaged(obj)) continue;
      objects.push(cleanForExport(obj));
    }
  }
  return objects;
}

export function toYaml(objects: object[]): string {
  return objects.map((o) => stringify(o, { sortMapEntries: true })).join('---\n');
}

export function fromYaml(text: string): Obj[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`invalid YAML: ${doc.errors[0]?.message}`);
      return doc.toJS() as Obj | null;
    })
    .filter((o): o is Obj => o !== null);
}

export interface ApplyOptions {
  /** Field manager for server-side apply; derive it from the workflow id so retries own the same fields. */
  fieldManager: string;
  /** Put every namespaced object into this namespace instead of its own. */
  targetNamespace?: string;
  /** Added to every object's annotations, e.g. which recovery restored it. */
  annotations?: Record<string, string>;
  /** Called after each object, e.g. to heartbeat through a long restore. */
  onApplied?: (object: { kind: string; namespace?: string; name: string }) => void;
}

/** Applies objects with server-side apply in dependency order; applying the same objects again changes nothing. */
export async function applyObjects(kube: KubeClients, objects: Obj[], options: ApplyOptions) {
  const rank = (o: Obj) => {
    const i = applyOrder.indexOf(o.kind ?? '');
    return i === -1 ? applyOrder.length : i;
  };
  const applied: { kind: string; namespace?: string; name: string }[] = [];
  for (const original of [...objects].sort((a, b) => rank(a) - rank(b))) {
    const obj = structuredClone(original);
    if (options.targetNamespace && obj.kind !== 'Namespace')
      obj.metadata = { ...obj.metadata, namespace: options.targetNamespace };
    if (options.annotations)
      obj.metadata = { ...obj.metadata, annotations: { ...obj.metadata?.annotations, ...options.annotations } };
    const id = `${obj.kind} ${obj.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata?.name}`;
    await kubeCall(`apply ${id}`, () =>
      kube.objects.patch(obj, undefined, undefined, options.fieldManager, true, PatchStrategy.ServerSideApply),
    );
    const done = {
      kind: obj.kind ?? '',
      name: obj.metadata?.name ?? '',
      ...(obj.metadata?.namespace ? { namespace: obj.metadata.namespace } : {}),
    };
    applied.push(done);
    options.onApplied?.(done);
  }
  return applied;
}
