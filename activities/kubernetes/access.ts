// What the worker may do, asked of the API server itself (SelfSubjectAccessReview), and the one grant
// it may make: bind one of its own ClusterRoles to itself in a namespace it looks after. RBAC allows
// that only for those roles (`bind` by resourceNames); deploy/rbac.yaml's admission policy allows it
// only in namespaces labelled as maintained, and only for the worker itself as the subject.
import { ApiException, type RbacV1Subject } from '@kubernetes/client-node';
import { ApplicationFailure } from '@temporalio/common';
import { FailureType, WORKER_ROLES, type AccessCheck, type AccessVerdict, type WorkerRole } from '../../types/index.ts';
import type { KubeClients } from './clients.ts';
import { classifyKubeError, kubeCall } from './errors.ts';
import { pollUntil, type WaitOptions } from './progress.ts';

/** The check in words: `create pods/exec in production`, `bind clusterroles pno-maintenance-workloads`. */
export function describeAccess(check: AccessCheck): string {
  const resource = check.subresource ? `${check.resource}/${check.subresource}` : check.resource;
  const grouped = check.group ? `${resource}.${check.group}` : resource;
  const named = check.name ? `${grouped} ${check.name}` : grouped;
  return `${check.verb} ${named} ${check.namespace ? `in ${check.namespace}` : 'cluster-wide'}`;
}

/** Asks the API server, check by check, whether the worker's own identity may do it. */
export async function reviewAccess(kube: KubeClients, checks: AccessCheck[]): Promise<AccessVerdict[]> {
  return Promise.all(
    checks.map(async (check) => {
      const what = describeAccess(check);
      const review = await kubeCall(`review ${what}`, () =>
        kube.authorization.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { ...check } } } }),
      );
      return { check, what, allowed: review.status?.allowed === true };
    }),
  );
}

/** Reviews until every check is allowed (RBAC sees a new binding within moments) or the wait ends. */
export async function awaitAccess(kube: KubeClients, checks: AccessCheck[], wait: WaitOptions) {
  const state = await pollUntil(async () => {
    const verdicts = await reviewAccess(kube, checks);
    return { done: verdicts.every((v) => v.allowed), denied: verdicts.filter((v) => !v.allowed).map((v) => v.what) };
  }, wait);
  return { allowed: state.done, denied: state.denied };
}

/** The worker as a RoleBinding subject, from what the API server says it is. */
export async function selfSubject(kube: KubeClients): Promise<RbacV1Subject> {
  const review = await kubeCall('review own identity', () => kube.authentication.createSelfSubjectReview({ body: {} }));
  const username = review.status?.userInfo?.username ?? '';
  const account = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
  if (account) return { kind: 'ServiceAccount', namespace: account[1], name: account[2]! };
  if (!username)
    throw ApplicationFailure.nonRetryable('the API server did not say who the worker is', FailureType.forbidden);
  return { kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: username };
}

/**
 * Binds the worker's ClusterRole for `role` to itself in `namespace` (a RoleBinding of the role's
 * name); an existing binding of that name is kept as it is. `dryRun` asks RBAC and admission without
 * binding: a refusal names its reason; a namespace that does not exist yet answers `namespaceMissing`.
 */
export async function bindOwnRole(kube: KubeClients, namespace: string, role: WorkerRole, dryRun = false) {
  const name = WORKER_ROLES[role];
  const body = {
    metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'pno-maintenance' } },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
    subjects: [await selfSubject(kube)],
  };
  const result = { namespace, binding: name, dryRun, namespaceMissing: false };
  try {
    await kube.rbac.createNamespacedRoleBinding({ namespace, body, ...(dryRun ? { dryRun: 'All' } : {}) });
    return { ...result, created: !dryRun };
  } catch (err) {
    if (err instanceof ApiException && err.code === 409) return { ...result, created: false };
    if (dryRun && err instanceof ApiException && err.code === 404)
      return { ...result, created: false, namespaceMissing: true };
    throw classifyKubeError(err, `bind ${name} to the worker in ${namespace}`);
  }
}
