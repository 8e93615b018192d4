// Audit facts from the cluster: each workload's pod template reduced to what the security checks look
// at (no env values, no Secret contents), and the role bindings to the roles asked about. The
// verdicts are workflows/security/audit-policy.ts's.
import { ApiException, type V1Container, type V1ObjectMeta, type V1PodSpec } from '@kubernetes/client-node';
import type { KubeClients } from '../kubernetes/clients.ts';
import { kubeCall } from '../kubernetes/errors.ts';
import type { ContainerFacts, RoleBindingFacts, WorkloadFacts } from '../../types/index.ts';

type Kind = WorkloadFacts['kind'];

export interface WorkloadAudit {
  workloads: WorkloadFacts[];
  /** Kinds the worker may not list here (RBAC): reported, not silently passed. */
  notAudited: { kind: Kind; reason: string }[];
}

interface Listed {
  metadata?: V1ObjectMeta;
  spec?: unknown;
}

/** Each kind with where its pod spec sits. */
const kinds: { kind: Kind; apiVersion: string; podSpec: (obj: Listed) => V1PodSpec | undefined }[] = [
  {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    podSpec: (o) => (o.spec as { template?: { spec?: V1PodSpec } })?.template?.spec,
  },
  {
    kind: 'StatefulSet',
    apiVersion: 'apps/v1',
    podSpec: (o) => (o.spec as { template?: { spec?: V1PodSpec } })?.template?.spec,
  },
  {
    kind: 'DaemonSet',
    apiVersion: 'apps/v1',
    podSpec: (o) => (o.spec as { template?: { spec?: V1PodSpec } })?.template?.spec,
  },
  {
    kind: 'Job',
    apiVersion: 'batch/v1',
    podSpec: (o) => (o.spec as { template?: { spec?: V1PodSpec } })?.template?.spec,
  },
  {
    kind: 'CronJob',
    apiVersion: 'batch/v1',
    podSpec: (o) =>
      (o.spec as { jobTemplate?: { spec?: { template?: { spec?: V1PodSpec } } } })?.jobTemplate?.spec?.template?.spec,
  },
  { kind: 'Pod', apiVersion: 'v1', podSpec: (o) => o.spec as V1PodSpec | undefined },
];

export async function collectWorkloads(kube: KubeClients, namespace: string): Promise<WorkloadAudit> {
  const automount = await serviceAccountAutomount(kube, namespace);
  const workloads: WorkloadFacts[] = [];
  const notAudited: WorkloadAudit['notAudited'] = [];
  for (const { kind, apiVersion, podSpec } of kinds) {
    let items: Listed[];
    try {
      items = (await kube.objects.list(apiVersion, kind, namespace)).items as Listed[];
    } catch (err) {
      if (err instanceof ApiException && err.code === 403) {
        notAudited.push({ kind, reason: `the worker may not list ${kind}s in ${namespace}` });
        continue;
      }
      return kubeCall(`list ${kind}s in ${namespace}`, () => Promise.reject(err));
    }
    for (const item of items) {
      // Pods with an owner are audited through it (its template); only bare pods count on their own.
      if (kind === 'Pod' && (item.metadata?.ownerReferences?.length ?? 0) > 0) continue;
      // Jobs a CronJob made are audited through the CronJob.
      if (kind === 'Job' && item.metadata?.ownerReferences?.some((o) => o.kind === 'CronJob')) continue;
      const spec = podSpec(item);
      if (spec) workloads.push(workloadFacts(kind, namespace, item.metadata?.name ?? '', spec, automount));
    }
  }
  return { workloads, notAudited };
}

/** automountServiceAccountToken per service account name, as set on the ServiceAccount. */
async function serviceAccountAutomount(
  kube: KubeClients,
  namespace: string,
): Promise<Map<string, boolean | undefined>> {
  const list = await kubeCall(`list service accounts in ${namespace}`, () =>
    kube.core.listNamespacedServiceAccount({ namespace }),
  );
  return new Map(list.items.map((sa) => [sa.metadata?.name ?? '', sa.automountServiceAccountToken]));
}

export function workloadFacts(
  kind: Kind,
  namespace: string,
  name: string,
  spec: V1PodSpec,
  automount: Map<string, boolean | undefined>,
): WorkloadFacts {
  const serviceAccount = spec.serviceAccountName || 'default';
  const secretVolumes = (spec.volumes ?? [])
    .filter((v) => v.secret?.secretName)
    .map((v) => ({ volume: v.name, secret: v.secret!.secretName! }));
  const secretVolumeNames = new Set(secretVolumes.map((v) => v.volume));
  const container = (c: V1Container, init: boolean): ContainerFacts => ({
    name: c.name,
    image: c.image ?? '',
    init,
    ...defined({
      privileged: c.securityContext?.privileged,
      runAsNonRoot: c.securityContext?.runAsNonRoot,
      runAsUser: c.securityContext?.runAsUser,
      allowPrivilegeEscalation: c.securityContext?.allowPrivilegeEscalation,
    }),
    secretVolumeMounts: (c.volumeMounts ?? []).filter((m) => secretVolumeNames.has(m.name)).map((m) => m.name),
    secretEnvRefs: [
      ...(c.env ?? []).flatMap((e) => (e.valueFrom?.secretKeyRef?.name ? [e.valueFrom.secretKeyRef.name] : [])),
      ...(c.envFrom ?? []).flatMap((e) => (e.secretRef?.name ? [e.secretRef.name] : [])),
    ],
  });
  return {
    kind,
    namespace,
    name,
    serviceAccount,
    hostNetwork: spec.hostNetwork ?? false,
    hostPID: spec.hostPID ?? false,
    ...defined({ runAsNonRoot: spec.securityContext?.runAsNonRoot, runAsUser: spec.securityContext?.runAsUser }),
    // The pod's setting wins; else the ServiceAccount's; Kubernetes' default is to mount.
    automountServiceAccountToken: spec.automountServiceAccountToken ?? automount.get(serviceAccount) ?? true,
    hostPathVolumes: (spec.volumes ?? [])
      .filter((v) => v.hostPath)
      .map((v) => ({ volume: v.name, path: v.hostPath!.path })),
    secretVolumes,
    containers: [
      ...(spec.initContainers ?? []).map((c) => container(c, true)),
      ...spec.containers.map((c) => container(c, false)),
    ],
  };
}

function defined<T extends object>(obj: T): Partial<T> {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Bindings (cluster-wide, and in the given namespaces) whose role is one of `roles`. */
export async function bindingsToRoles(
  kube: KubeClients,
  roles: string[],
  namespaces: string[],
): Promise<RoleBindingFacts[]> {
  const wanted = new Set(roles);
  type Binding = {
    metadata?: V1ObjectMeta;
    roleRef?: { name?: string };
    subjects?: { kind?: string; name?: string; namespace?: string }[];
  };
  const facts = (kind: RoleBindingFacts['kind'], b: Binding): RoleBindingFacts => ({
    kind,
    ...(b.metadata?.namespace ? { namespace: b.metadata.namespace } : {}),
    name: b.metadata?.name ?? '',
    role: b.roleRef?.name ?? '',
    subjects: (b.subjects ?? []).map((s) => ({
      kind: s.kind ?? '',
      name: s.name ?? '',
      ...(s.namespace ? { namespace: s.namespace } : {}),
    })),
    builtIn: b.metadata?.labels?.['kubernetes.io/bootstrapping'] === 'rbac-defaults',
  });
  const cluster = await kubeCall('list cluster role bindings', () =>
    kube.objects.list('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'),
  );
  const out = (cluster.items as Binding[])
    .filter((b) => wanted.has(b.roleRef?.name ?? ''))
    .map((b) => facts('ClusterRoleBinding', b));
  for (const namespace of namespaces) {
    const local = await kubeCall(`list role bindings in ${namespace}`, () =>
      kube.objects.list('rbac.authorization.k8s.io/v1', 'RoleBinding', namespace),
    );
    out.push(
      ...(local.items as Binding[])
        .filter((b) => wanted.has(b.roleRef?.name ?? ''))
        .map((b) => facts('RoleBinding', b)),
    );
  }
  return out;
}
