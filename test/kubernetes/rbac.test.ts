// deploy/rbac.yaml is what the worker runs with: every operation the product needs is allowed, and
// operations outside its scope are refused. Runs the activity layer as the worker's ServiceAccount.
import type * as k8s from '@kubernetes/client-node';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { kubeClientsFrom, loadKubeConfig, type KubeClients } from '../../activities/kubernetes/clients.ts';
import { kubeCall } from '../../activities/kubernetes/errors.ts';
import { execCommand } from '../../activities/kubernetes/exec.ts';
import { ensureNamespace } from '../../activities/kubernetes/namespaces.ts';
import { nodesSnapshot } from '../../activities/kubernetes/observe.ts';
import { applyObjects, exportNamespace } from '../../activities/kubernetes/resources.ts';
import { rolloutRestart, rolloutUndo, setImage, waitForRollout } from '../../activities/kubernetes/rollout.ts';
import { patchHpa, scaleDeployment } from '../../activities/kubernetes/scaling.ts';
import { getHpa, listPods, pickReadyPod } from '../../activities/kubernetes/status.ts';
import { testKube } from '../helpers/kube.ts';

const drill = 'pno-dr-drill';
let worker: KubeClients;

beforeAll(async () => {
  worker = kubeClientsFrom(loadKubeConfig(inject('workerKubeconfig')));
});

describe('the worker ServiceAccount (deploy/rbac.yaml)', () => {
  it('may read production, back it up (Secrets included) and read the monitoring config', async () => {
    expect((await listPods(worker, 'production', 'app=pno-physics-bench')).length).toBeGreaterThan(0);
    await expect(getHpa(worker, 'production', 'pno-hpa')).resolves.toMatchObject({ minReplicas: 2 });
    const exported = await exportNamespace(worker, 'production');
    expect(exported.map((o) => o.kind)).toContain('Secret');
    const monitoring = await exportNamespace(worker, 'monitoring', [{ apiVersion: 'v1', kind: 'ConfigMap' }]);
    expect(monitoring.map((o) => o.metadata?.name)).toEqual(['monitoring-config']);
    // kwok's simulated node and the real one.
    await expect(nodesSnapshot(worker)).resolves.toMatchObject({ count: 2 });
    await expect(ensureNamespace(worker, 'production')).resolves.toEqual({ name: 'production', created: false });
  });

  it('may restore into the drill namespace and operate the rollout there', async () => {
    const exported = await exportNamespace(testKube(), 'production');
    await applyObjects(worker, exported, { fieldManager: 'pno-test-rbac-restore', targetNamespace: drill });
    await expect(
      waitForRollout(worker, drill, 'pno-physics-bench', { timeoutMs: 60_000, pollMs: 200 }),
    ).resolves.toMatchObject({ done: true });
    await setImage(worker, drill, 'pno-physics-bench', 'pno-inference', 'registry.example.com/pno/pno-inference:1.5.0');
    await waitForRollout(worker, drill, 'pno-physics-bench', { timeoutMs: 60_000, pollMs: 200 });
    await expect(rolloutUndo(worker, drill, 'pno-physics-bench')).resolves.toMatchObject({ undone: true });
    await rolloutRestart(worker, drill, 'pno-physics-bench', '2026-01-01T00:00:00Z');
    await expect(scaleDeployment(worker, drill, 'pno-physics-bench', 3)).resolves.toMatchObject({ replicas: 3 });
    await expect(patchHpa(worker, drill, 'pno-hpa', { maxReplicas: 12 })).resolves.toMatchObject({
      after: { maxReplicas: 12 },
    });
    await waitForRollout(worker, drill, 'pno-physics-bench', { timeoutMs: 60_000, pollMs: 200 });
    const pod = await pickReadyPod(worker, drill, 'app=pno-physics-bench');
    await expect(
      execCommand(worker, { namespace: drill, pod, container: 'pno-inference' }, ['true']),
    ).resolves.toMatchObject({ exitCode: 0 });
    // A drill clears what it restored; only here may the worker delete.
    await kubeCall('delete drill deployment', () =>
      worker.apps.deleteNamespacedDeployment({ namespace: drill, name: 'pno-physics-bench' }),
    );
  });

  it.each([
    [
      'delete a namespace',
      () => kubeCall('delete namespace production', () => worker.core.deleteNamespace({ name: 'production' })),
    ],
    [
      'read Secrets in kube-system',
      () =>
        kubeCall('list secrets in kube-system', () => worker.core.listNamespacedSecret({ namespace: 'kube-system' })),
    ],
    [
      'delete a production deployment',
      () =>
        kubeCall('delete deployment', () =>
          worker.apps.deleteNamespacedDeployment({ namespace: 'production', name: 'pno-physics-bench' }),
        ),
    ],
    [
      'delete the monitoring config',
      () =>
        kubeCall('delete configmap', () =>
          worker.core.deleteNamespacedConfigMap({ namespace: 'monitoring', name: 'monitoring-config' }),
        ),
    ],
    [
      'grant itself cluster-admin',
      () =>
        kubeCall('create binding', () =>
          worker.objects.create({
            apiVersion: 'rbac.authorization.k8s.io/v1',
            kind: 'ClusterRoleBinding',
            metadata: { name: 'escalate' },
            roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
            subjects: [{ kind: 'ServiceAccount', name: 'pno-maintenance-worker', namespace: 'pno-maintenance' }],
          } as k8s.KubernetesObject),
        ),
    ],
  ])('may not %s', async (_what, attempt) => {
    await expect(attempt()).rejects.toMatchObject({ type: 'Forbidden', nonRetryable: true });
  });
});
