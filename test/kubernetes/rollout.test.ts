// Rollouts against the real API server, as the worker's ServiceAccount, with the real node's pods
// becoming Ready through their readiness probes.
import { describe, expect, it } from 'vitest';
import { applyObjects } from '../../activities/kubernetes/resources.ts';
import {
  getRolloutState,
  rolloutRestart,
  rolloutUndo,
  setImage,
  waitForRollout,
} from '../../activities/kubernetes/rollout.ts';
import { listPods } from '../../activities/kubernetes/status.ts';
import { bindWorkerRoles, freshNamespace, inferenceDeployment, testKube, workerKube } from '../helpers/kube.ts';

const name = 'pno-physics-bench';
const oldImage = 'registry.example.com/pno/pno-inference:1.4.0';
const newImage = 'registry.example.com/pno/pno-inference:1.5.0';

async function deployed() {
  const kube = workerKube();
  const namespace = await freshNamespace('rollout');
  await bindWorkerRoles(namespace);
  await applyObjects(testKube(), [inferenceDeployment(namespace, oldImage)], { fieldManager: 'test' });
  const first = await waitForRollout(kube, namespace, name, { timeoutMs: 60_000, pollMs: 200 });
  expect(first).toMatchObject({ done: true, failed: false, revision: '1' });
  return { kube, namespace };
}

describe('rollout', () => {
  it('set image → new ReplicaSet → pods Ready → complete; undo returns the old image', async () => {
    const { kube, namespace } = await deployed();

    const changed = await setImage(kube, namespace, name, 'pno-inference', newImage);
    expect(changed).toEqual({ previousImage: oldImage, image: newImage, changed: true });
    const progress: string[] = [];
    const done = await waitForRollout(kube, namespace, name, {
      timeoutMs: 60_000,
      pollMs: 200,
      onProgress: (s) => progress.push((s as { message: string }).message),
    });
    expect(done).toMatchObject({
      done: true,
      failed: false,
      timedOut: false,
      revision: '2',
      images: { 'pno-inference': newImage },
    });
    expect(progress.at(-1)).toBe('successfully rolled out');
    const replicaSets = await kube.apps.listNamespacedReplicaSet({ namespace });
    expect(replicaSets.items.map((rs) => rs.spec?.template?.spec?.containers[0]?.image).sort()).toEqual([
      oldImage,
      newImage,
    ]);
    const pods = await listPods(kube, namespace, 'app=pno-physics-bench');
    expect(pods.filter((p) => p.ready)).toHaveLength(2);

    const undo = await rolloutUndo(kube, namespace, name, { onlyIfImage: newImage });
    expect(undo).toMatchObject({
      undone: true,
      fromRevision: '2',
      toRevision: '1',
      images: { 'pno-inference': oldImage },
    });
    await expect(waitForRollout(kube, namespace, name, { timeoutMs: 60_000, pollMs: 200 })).resolves.toMatchObject({
      done: true,
      images: { 'pno-inference': oldImage },
    });
    // A retried undo guarded by the bad image does nothing, instead of flipping back to it.
    const again = await rolloutUndo(kube, namespace, name, { onlyIfImage: newImage });
    expect(again.undone).toBe(false);
    expect((await getRolloutState(kube, namespace, name)).images['pno-inference']).toBe(oldImage);
  });

  it('set image to the current image and a repeated restart stamp change nothing', async () => {
    const { kube, namespace } = await deployed();
    await expect(setImage(kube, namespace, name, 'pno-inference', oldImage)).resolves.toMatchObject({ changed: false });
    await rolloutRestart(kube, namespace, name, '2026-01-01T00:00:00Z');
    await waitForRollout(kube, namespace, name, { timeoutMs: 60_000, pollMs: 200 });
    await rolloutRestart(kube, namespace, name, '2026-01-01T00:00:00Z');
    const state = await waitForRollout(kube, namespace, name, { timeoutMs: 60_000, pollMs: 200 });
    expect(state.revision).toBe('2');
  });

  it('refuses a container the deployment does not have, and an undo with no history, for good', async () => {
    const { kube, namespace } = await deployed();
    await expect(setImage(kube, namespace, name, 'sidecar', newImage)).rejects.toMatchObject({
      type: 'NotFound',
      nonRetryable: true,
    });
    await expect(rolloutUndo(kube, namespace, name)).rejects.toMatchObject({ type: 'NotFound', nonRetryable: true });
  });

  it('reports a rollout that times out without throwing', async () => {
    const { kube, namespace } = await deployed();
    // Paused deployments never progress: the wait must come back at its deadline.
    await testKube().apps.patchNamespacedDeployment({
      namespace,
      name,
      body: [{ op: 'add', path: '/spec/paused', value: true }],
    });
    await setImage(kube, namespace, name, 'pno-inference', newImage);
    const state = await waitForRollout(kube, namespace, name, { timeoutMs: 1500, pollMs: 200 });
    expect(state).toMatchObject({ done: false, timedOut: true });
  });
});
