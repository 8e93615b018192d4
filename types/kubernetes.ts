/** The workload the product looks after. */
export interface TargetWorkload {
  namespace: string;
  deployment: string;
  /** Label selector for its pods, e.g. `app=pno-physics-bench`. */
  selector: string;
}

export interface PodSnapshot {
  name: string;
  phase: string;
  /** Running with every container ready, as the guide counts a healthy pod. */
  ready: boolean;
  restarts: number;
  nodeName?: string;
}

export interface HpaSnapshot {
  name: string;
  minReplicas: number;
  maxReplicas: number;
  /** Undefined until the HPA controller has reported on it. */
  currentReplicas?: number;
  desiredReplicas?: number;
  /** False when the controller cannot compute a replica count (e.g. no metrics API). */
  scalingActive: boolean;
  /** Why scaling is not active, as the controller says it. */
  scalingMessage?: string;
}

// Facts the monitors, optimizers and routines read.

export interface PodUsage {
  pod: string;
  cpuMillicores: number;
  memoryMiB: number;
}

export type PodMetricsResult = { available: true; pods: PodUsage[] } | { available: false; reason: string };

export interface CapacityFacts {
  nodes: number;
  allocatableCpuMillicores: number;
  allocatableMemoryMiB: number;
  /**
   * Requests of the Running pods in `requestsCounted`: the namespaces the worker may list pods in.
   * deploy/rbac.yaml grants pods per namespace, never cluster-wide (a pod list carries every pod's
   * spec, env values included), so pods of other namespaces on the same nodes are not seen. On a
   * cluster the service shares, this is a lower bound of what the scheduler counts, and the free
   * capacity derived from it an upper bound; on nodes the service has to itself it is exact.
   */
  requestedCpuMillicores: number;
  requestedMemoryMiB: number;
  /** The namespaces whose pods' requests are counted above (the target namespace). */
  requestsCounted: string[];
  /** The service's own pods and what one of them requests. */
  servicePods: number;
  podCpuMillicores: number;
  podMemoryMiB: number;
}

/** Control-plane and kubelet versions, and the images the deployment runs. */
export interface VersionFacts {
  controlPlane: string;
  kubelets: Record<string, string>;
  images: Record<string, string>;
}

/** A kind the product backs up and restores, with its resource name in RBAC rules. */
export interface RestorableKind {
  apiVersion: string;
  kind: string;
  resource: string;
}

/** What a namespace backup holds, in the order a restore applies it; nothing else is restored. */
export const RESTORABLE_KINDS: readonly RestorableKind[] = Object.freeze([
  { apiVersion: 'v1', kind: 'ServiceAccount', resource: 'serviceaccounts' },
  { apiVersion: 'v1', kind: 'ConfigMap', resource: 'configmaps' },
  { apiVersion: 'v1', kind: 'Secret', resource: 'secrets' },
  { apiVersion: 'v1', kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims' },
  { apiVersion: 'v1', kind: 'Service', resource: 'services' },
  { apiVersion: 'apps/v1', kind: 'Deployment', resource: 'deployments' },
  { apiVersion: 'apps/v1', kind: 'StatefulSet', resource: 'statefulsets' },
  { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers' },
]);

/** What a command's output leaves in history (execInPod): never the output itself. */
export interface OutputSummary {
  bytes: number;
  /** Of the whole output, to compare runs or check it against a copy taken by hand. */
  sha256: string;
  /** The last whole lines, a few hundred characters at most, credentials redacted. */
  tail: string;
}
