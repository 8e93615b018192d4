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
  /** Requests of every pod on the cluster's nodes (what the scheduler counts). */
  requestedCpuMillicores: number;
  requestedMemoryMiB: number;
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
