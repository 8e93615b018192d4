// Applies the fixture service (the manifests in ./fixture-service/) with the product's own server-side
// apply, then waits until the inference Deployment has rolled out.
import { readFile } from 'node:fs/promises';
import { kubeClientsFrom, loadKubeConfig } from '../../activities/kubernetes/clients.ts';
import { applyObjects, fromYaml } from '../../activities/kubernetes/resources.ts';
import { waitForRollout } from '../../activities/kubernetes/rollout.ts';

const fixtureFiles = ['production.yaml', 'monitoring.yaml'];

export async function applyFixtureService(kubeconfigPath: string) {
  const kube = kubeClientsFrom(loadKubeConfig(kubeconfigPath));
  for (const name of fixtureFiles) {
    const text = await readFile(new URL(`./fixture-service/${name}`, import.meta.url), 'utf8');
    await applyObjects(kube, fromYaml(text), { fieldManager: 'pno-test-fixtures' });
  }
  const rollout = await waitForRollout(kube, 'production', 'pno-physics-bench', { timeoutMs: 90_000, pollMs: 250 });
  if (!rollout.done || rollout.failed) throw new Error(`fixture deployment did not roll out: ${rollout.message}`);
}
