// What a recovery must be allowed to do, asked before it touches anything. In each namespace it acts
// on, the worker needs either the rights themselves or the power to grant them to itself: a deleted
// namespace takes the worker's RoleBinding with it, and the recovery re-creates both.
import { ActivityFailure, ApplicationFailure } from '@temporalio/workflow';
import { FailureType, RESTORABLE_KINDS, WORKER_ROLES, type AccessCheck, type WorkerRole } from '../../types/index.ts';
import { recoverySteps, waits } from '../shared/activities.ts';

/** A namespace a recovery acts on, what it does there, and the worker role that allows it. */
export interface AccessTarget {
  namespace: string;
  role: WorkerRole;
  checks: AccessCheck[];
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');

/** Server-side apply of a kind: patch, and create when the object is missing. */
const applies = (namespace: string, group: string, resource: string): AccessCheck[] =>
  ['create', 'patch'].map((verb) => ({ verb, group, resource, namespace }));

/** Everything a recovery does in the namespace it restores: read pods, apply, copy models in, restart, follow the rollout, verify. */
export function restoreAccess(namespace: string, verifiesThroughProxy = false): AccessTarget {
  const proxy: AccessCheck[] = verifiesThroughProxy
    ? [{ verb: 'get', group: '', resource: 'services', subresource: 'proxy', namespace }]
    : [];
  return {
    namespace,
    role: 'workloads',
    checks: [
      ...proxy,
      { verb: 'list', group: '', resource: 'pods', namespace },
      ...RESTORABLE_KINDS.flatMap((k) => applies(namespace, groupOf(k.apiVersion), k.resource)),
      { verb: 'create', group: '', resource: 'pods', subresource: 'exec', namespace },
      { verb: 'get', group: 'apps', resource: 'deployments', namespace },
      { verb: 'list', group: 'apps', resource: 'replicasets', namespace },
    ],
  };
}

/** Restoring the monitoring config, which is ConfigMaps only. */
export function monitoringAccess(namespace: string): AccessTarget {
  return { namespace, role: 'monitoring', checks: applies(namespace, '', 'configmaps') };
}

/** What it takes to give itself `role` where it has no rights: the namespace, a RoleBinding, `bind` on the role. */
function grantChecks({ namespace, role }: AccessTarget): AccessCheck[] {
  const rbac = 'rbac.authorization.k8s.io';
  return [
    { verb: 'create', group: '', resource: 'namespaces' },
    { verb: 'create', group: rbac, resource: 'rolebindings', namespace },
    { verb: 'bind', group: rbac, resource: 'clusterroles', name: WORKER_ROLES[role], namespace },
  ];
}

/**
 * Reviews every permission of every target in one go. Returns the targets where the worker must
 * first grant itself its role; fails at once, naming what is missing, where it can do neither.
 * Nothing is changed: the grant itself is made later, after the backup has been verified.
 */
export async function checkRecoveryAccess(targets: AccessTarget[]): Promise<AccessTarget[]> {
  const asked = targets.map((t) => ({ target: t, has: t.checks, grant: grantChecks(t) }));
  const verdicts = await recoverySteps.reviewAccess({ checks: asked.flatMap((a) => [...a.has, ...a.grant]) });
  const toGrant: AccessTarget[] = [];
  let next = 0;
  for (const { target, has, grant } of asked) {
    const missing = verdicts.slice(next, (next += has.length)).filter((v) => !v.allowed);
    const cannotGrant = verdicts.slice(next, (next += grant.length)).filter((v) => !v.allowed);
    if (missing.length === 0) continue;
    if (cannotGrant.length > 0) {
      const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : '';
      throw ApplicationFailure.nonRetryable(
        `the worker may not ${missing[0]!.what}${more}, and cannot grant itself ${WORKER_ROLES[target.role]} ` +
          `there: it may not ${cannotGrant.map((v) => v.what).join('; ')}`,
        FailureType.forbidden,
        { missing: missing.map((v) => v.what), cannotGrant: cannotGrant.map((v) => v.what) },
      );
    }
    // RBAC would allow the binding; admission (deploy/rbac.yaml's policy) may still refuse it, e.g. in
    // a namespace not labelled as maintained. Asked without binding, so a refusal comes now.
    await recoverySteps.bindOwnRole({ namespace: target.namespace, role: target.role, dryRun: true });
    toGrant.push(target);
  }
  return toGrant;
}

/** How long a recovery waits for a right it held to be honoured again by the API server. */
const REGAIN_WAIT_MS = 2 * 60_000;

const isForbidden = (err: unknown) =>
  err instanceof ActivityFailure && err.cause instanceof ApplicationFailure && err.cause.type === FailureType.forbidden;

/**
 * Runs a recovery step. Refused (Forbidden) although the review found the right held, the API server
 * is in transition: one that has just started serves before its RBAC cache has synced. So wait until
 * the review allows the target's rights again, then run the step again; a right really gone fails it.
 */
export async function whileAllowed<T>(target: AccessTarget | undefined, step: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await step();
    } catch (err) {
      if (!target || attempt >= 3 || !isForbidden(err)) throw err;
      const access = await waits(REGAIN_WAIT_MS).awaitAccess({ checks: target.checks, timeoutMs: REGAIN_WAIT_MS });
      if (!access.allowed) throw err;
    }
  }
}
