// Export to clean YAML and server-side apply back, with namespace remap, against the real API server.
import { describe, expect, it } from 'vitest';
import { waitForRollout } from '../../activities/kubernetes/rollout.ts';
import { applyObjects, exportNamespace, fromYaml, toYaml } from '../../activities/kubernetes/resources.ts';
import { freshNamespace, testKube } from '../helpers/kube.ts';

describe('export and apply', () => {
  it('exports the fixture namespace cleanly, skipping controller-owned and cluster-made objects', async () => {
    const objects = await exportNamespace(testKube(), 'production');
    const ids = objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort();
    expect(ids).toEqual([
      'ConfigMap/pno-config',
      'Deployment/pno-physics-bench',
      'HorizontalPodAutoscaler/pno-hpa',
      'PersistentVolumeClaim/pno-models',
      'Secret/pno-secrets',
      'Service/pno-physics-bench',
    ]);
    const yaml = toYaml(objects);
    for (const owned of [
      'status:',
      'uid:',
      'resourceVersion',
      'managedFields',
      'creationTimestamp',
      'clusterIP:',
      'volumeName',
    ]) {
      expect(yaml, owned).not.toContain(owned);
    }
  });

  it('round-trips into another namespace: specs equal, and a second apply changes nothing', async () => {
    const kube = testKube();
    const target = await freshNamespace('restore');
    const exported = fromYaml(toYaml(await exportNamespace(kube, 'production')));
    const applied = await applyObjects(kube, exported, { fieldManager: 'pno-test-restore', targetNamespace: target });
    // Dependency order: config before workloads, the HPA last.
    expect(applied.map((a) => a.kind)).toEqual([
      'ConfigMap',
      'Secret',
      'PersistentVolumeClaim',
      'Service',
      'Deployment',
      'HorizontalPodAutoscaler',
    ]);
    expect(applied.every((a) => a.namespace === target)).toBe(true);
    await expect(
      waitForRollout(kube, target, 'pno-physics-bench', { timeoutMs: 60_000, pollMs: 200 }),
    ).resolves.toMatchObject({ done: true });

    const restored = await exportNamespace(kube, target);
    const specOf = (objects: typeof restored, kind: string) => {
      const found = objects.find((o) => o.kind === kind);
      return { spec: found?.spec, data: found?.data };
    };
    for (const kind of ['Deployment', 'Service', 'ConfigMap', 'Secret', 'HorizontalPodAutoscaler']) {
      expect(specOf(restored, kind), kind).toEqual(specOf(exported, kind));
    }
    const generation = (await kube.apps.readNamespacedDeployment({ namespace: target, name: 'pno-physics-bench' }))
      .metadata?.generation;
    await applyObjects(kube, exported, { fieldManager: 'pno-test-restore', targetNamespace: target });
    const after = await kube.apps.readNamespacedDeployment({ namespace: target, name: 'pno-physics-bench' });
    expect(after.metadata?.generation).toBe(generation);
  });
});
