import type { KubeClients } from './clients.ts';
import { pollUntil, type WaitOptions } from './progress.ts';
import { listPods } from './status.ts';

/** Waits until at least `minReady` pods matching the selector are Running and ready. */
export async function waitForPodsReady(
  kube: KubeClients,
  namespace: string,
  selector: string,
  minReady: number,
  options: WaitOptions,
) {
  return pollUntil(async () => {
    const pods = await listPods(kube, namespace, selector);
    const ready = pods.filter((p) => p.ready).length;
    return {
      done: ready >= minReady && ready > 0,
      ready,
      total: pods.length,
      pods: pods.map((p) => `${p.name}:${p.phase}`),
    };
  }, options);
}
