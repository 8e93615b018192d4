// What the worker may do, asked of the API server before a recovery acts (SelfSubjectAccessReview),
// and the roles it may give itself in a namespace it looks after (deploy/rbac.yaml).

/** One permission, as a SelfSubjectAccessReview asks it; no namespace means cluster-wide. */
export interface AccessCheck {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

export interface AccessVerdict {
  check: AccessCheck;
  /** The check in words, e.g. `create persistentvolumeclaims in production`. */
  what: string;
  allowed: boolean;
}

/** The ClusterRoles the worker may bind to itself (RBAC `bind` by resourceNames), by purpose. */
export const WORKER_ROLES = {
  /** Operate, back up and restore the service's namespace. */
  workloads: 'pno-maintenance-workloads',
  /** Read and restore the monitoring config. */
  monitoring: 'pno-maintenance-monitoring',
} as const;
export type WorkerRole = keyof typeof WORKER_ROLES;

/** Marks a namespace the worker looks after: only there may it bind its roles to itself. */
export const MAINTAINED_BY_LABEL = 'pno.dev/maintained-by';
export const MAINTAINED_BY = 'pno-maintenance';

/** Labels of a namespace the worker creates (a recovery's): maintained, and Pod Security enforced. */
export const CREATED_NAMESPACE_LABELS: Readonly<Record<string, string>> = Object.freeze({
  [MAINTAINED_BY_LABEL]: MAINTAINED_BY,
  'pod-security.kubernetes.io/enforce': 'baseline',
  'pod-security.kubernetes.io/warn': 'restricted',
});
