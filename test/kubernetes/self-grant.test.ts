// The one grant the worker may make (deploy/rbac.yaml): its own roles, to itself, in a namespace
// labelled as maintained, which is what disaster recovery needs after a namespace was deleted. Every
// other binding, and an unlabelled namespace, is refused by RBAC or by the admission policy.
import type * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { bindOwnRole, reviewAccess, selfSubject } from '../../activities/kubernetes/access.ts';
import { kubeCall } from '../../activities/kubernetes/errors.ts';
import { ensureNamespace } from '../../activities/kubernetes/namespaces.ts';
import { CREATED_NAMESPACE_LABELS, MAINTAINED_BY, MAINTAINED_BY_LABEL } from '../../types/index.ts';
import { freshNamespace, testKube, workerKube } from '../helpers/kube.ts';

const worker = { kind: 'ServiceAccount', name: 'pno-maintenance-worker', namespace: 'pno-maintenance' };
const podsList = (namespace: string) => ({ verb: 'list', group: '', resource: 'pods', namespace });

function binding(namespace: string, role: string, subjects: object[] = [worker]): k8s.KubernetesObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `try-${role}`, namespace },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects,
  } as k8s.KubernetesObject;
}

const create = (obj: k8s.KubernetesObject) => kubeCall(`create ${obj.kind}`, () => workerKube().objects.create(obj));

describe('the worker granting itself its role', () => {
  it('knows who it is, and gains its rights in a maintained namespace once it binds its role there', async () => {
    await expect(selfSubject(workerKube())).resolves.toEqual(worker);
    const namespace = await freshNamespace('grant', { [MAINTAINED_BY_LABEL]: MAINTAINED_BY });
    const [before] = await reviewAccess(workerKube(), [podsList(namespace)]);
    expect(before).toMatchObject({ allowed: false, what: `list pods in ${namespace}` });

    await expect(bindOwnRole(workerKube(), namespace, 'workloads', true)).resolves.toMatchObject({ created: false });
    await expect(bindOwnRole(workerKube(), namespace, 'workloads')).resolves.toMatchObject({ created: true });
    await expect(bindOwnRole(workerKube(), namespace, 'workloads')).resolves.toMatchObject({ created: false });
    const [after] = await reviewAccess(workerKube(), [podsList(namespace)]);
    expect(after?.allowed).toBe(true);
    // RBAC's `bind` names its two roles and nothing else.
    const bind = (name: string) => ({
      verb: 'bind',
      group: 'rbac.authorization.k8s.io',
      resource: 'clusterroles',
      name,
    });
    const verdicts = await reviewAccess(workerKube(), [bind('pno-maintenance-monitoring'), bind('cluster-admin')]);
    expect(verdicts.map((v) => v.allowed)).toEqual([true, false]);
  });

  it('creates a namespace only labelled as maintained, with Pod Security enforced', async () => {
    const name = `grant-new-${Date.now().toString(36)}`;
    await expect(ensureNamespace(workerKube(), `${name}-bare`)).rejects.toMatchObject({
      type: 'Forbidden',
      message: expect.stringContaining('must be labelled pno.dev/maintained-by=pno-maintenance'),
    });
    await expect(
      ensureNamespace(workerKube(), `${name}-open`, { [MAINTAINED_BY_LABEL]: MAINTAINED_BY }),
    ).rejects.toMatchObject({ type: 'Forbidden', message: expect.stringContaining('must enforce Pod Security') });
    await expect(ensureNamespace(workerKube(), name, { ...CREATED_NAMESPACE_LABELS })).resolves.toEqual({
      name,
      created: true,
    });
    // An existing namespace is read, not created again: no labels are asked of it.
    await expect(ensureNamespace(workerKube(), 'kube-system')).resolves.toEqual({
      name: 'kube-system',
      created: false,
    });
  });

  it.each([
    ['bind cluster-admin, even in a maintained namespace', 'maintained', 'cluster-admin', [worker], /forbidden/i],
    [
      'bind its role to another account',
      'maintained',
      'pno-maintenance-workloads',
      [{ kind: 'ServiceAccount', name: 'default', namespace: 'kube-system' }],
      /only to itself/,
    ],
    [
      'bind its role to itself and another account',
      'maintained',
      'pno-maintenance-workloads',
      [worker, { kind: 'Group', apiGroup: 'rbac.authorization.k8s.io', name: 'system:authenticated' }],
      /only to itself/,
    ],
    ['bind its role in kube-system', 'kube-system', 'pno-maintenance-workloads', [worker], /not labelled/],
    ['bind its role in an unlabelled namespace', 'unlabelled', 'pno-maintenance-workloads', [worker], /not labelled/],
  ] as const)('may not %s', async (_what, where, role, subjects, reason) => {
    const namespace =
      where === 'kube-system'
        ? where
        : await freshNamespace('grant', where === 'maintained' ? { [MAINTAINED_BY_LABEL]: MAINTAINED_BY } : {});
    await expect(create(binding(namespace, role, [...subjects]))).rejects.toMatchObject({
      type: 'Forbidden',
      message: expect.stringMatching(reason),
    });
    const left = await testKube().rbac.listNamespacedRoleBinding({ namespace });
    expect(left.items.map((b) => b.metadata?.name)).not.toContain(`try-${role}`);
  });
});
