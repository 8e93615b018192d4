// Copies of the production fixture for tests that change what they look after: each in a namespace
// of its own on the real node, with a models volume of its own (the local provisioner makes one per
// claim) and the worker's rights there as in production (maintained-by label included). Fixture setup acts as cluster-admin and
// writes straight onto the volume, as a person with the disk would; what the product does is checked
// inside the pods.
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { execCommand } from '../../activities/kubernetes/exec.ts';
import { applyObjects, exportNamespace } from '../../activities/kubernetes/resources.ts';
import { waitForRollout } from '../../activities/kubernetes/rollout.ts';
import { listPods } from '../../activities/kubernetes/status.ts';
import { volumeDirectory } from '../../stack/kube/volume-provisioner.ts';
import { goodModel } from '../model/fixtures.ts';
import { MAINTAINED_BY, MAINTAINED_BY_LABEL } from '../../types/index.ts';
import { bindWorkerRoles, freshNamespace, testKube } from './kube.ts';

export const SERVICE_SELECTOR = 'app=pno-physics-bench';
export const SERVICE_CONTAINER = 'pno-inference';
/** Where the service's pods mount their models volume. */
export const MODELS_MOUNT = '/app/models';

/** A namespace running a copy of the production fixture (Deployment, Service, HPA, config, Secret, PVC). */
export async function serviceCopy(prefix: string): Promise<string> {
  const kube = testKube();
  const namespace = await freshNamespace(prefix, { [MAINTAINED_BY_LABEL]: MAINTAINED_BY });
  await bindWorkerRoles(namespace);
  await applyObjects(kube, await exportNamespace(kube, 'production'), {
    fieldManager: 'pno-test-copy',
    targetNamespace: namespace,
  });
  const rollout = await waitForRollout(kube, namespace, 'pno-physics-bench', { timeoutMs: 90_000, pollMs: 200 });
  if (!rollout.done || rollout.failed) throw new Error(`${namespace} did not roll out: ${rollout.message}`);
  return namespace;
}

/** The host directory behind the namespace's models claim (fixture setup only). */
export function modelsVolume(namespace: string): Promise<string> {
  return volumeDirectory(testKube(), namespace, 'pno-models');
}

/** Puts a model and a checkpoint onto the namespace's models volume; returns what was written. */
export async function modelsOnVolume(namespace: string): Promise<Record<string, Buffer>> {
  const dir = await modelsVolume(namespace);
  await mkdir(join(dir, 'checkpoints'), { recursive: true });
  await copyFile(goodModel, join(dir, 'pno_model.onnx'));
  const files = { 'pno_model.onnx': await readFile(goodModel), 'checkpoints/epoch-12.bin': randomBytes(200_000) };
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
  return files;
}

/** The namespace's pods, ready or not, by name. */
export async function servicePods(namespace: string): Promise<string[]> {
  return (await listPods(testKube(), namespace, SERVICE_SELECTOR)).map((p) => p.name).sort();
}

/** sha256 of `path` as each ready pod of the namespace (none terminating) sees it, read inside its container. */
export async function sha256InPods(namespace: string, path: string): Promise<Record<string, string>> {
  const pods = (await listPods(testKube(), namespace, SERVICE_SELECTOR)).filter((p) => p.ready);
  const sums: Record<string, string> = {};
  for (const { name } of pods) {
    const target = { namespace, pod: name, container: SERVICE_CONTAINER };
    const { exitCode, stdout, stderr } = await execCommand(testKube(), target, ['sha256sum', path]);
    sums[name] = exitCode === 0 ? (stdout.split(' ')[0] ?? '') : `exit ${exitCode}: ${stderr.trim()}`;
  }
  return sums;
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** A pod's address on the node bridge (reachable from this machine, nowhere else). */
export async function podIp(namespace: string, name: string): Promise<string> {
  const pod = await testKube().core.readNamespacedPod({ namespace, name });
  if (!pod.status?.podIP) throw new Error(`${name} has no IP`);
  return pod.status.podIP;
}

/** Sends predictions to the pod one after another, as its clients would, until the returned stop is awaited. */
export function predictionTraffic(ip: string): () => Promise<void> {
  let running = true;
  const loop = (async () => {
    while (running) await fetch(`http://${ip}:8000/predict`, { method: 'POST' }).then((r) => r.text());
  })();
  return async () => {
    running = false;
    await loop;
  };
}

/** Makes every prediction of the pod at `ip` this much slower (the fixture service's test hook; 0 ends it). */
export async function slowPredictions(ip: string, seconds: number): Promise<void> {
  const answer = await fetch(`http://${ip}:8000/slow?seconds=${seconds}`, { method: 'POST' });
  if (answer.status !== 200) throw new Error(`slow ${ip}: HTTP ${answer.status}`);
}

/** Keeps one core busy in the pod for up to `seconds` (the fixture service's test hook). */
export async function burn(namespace: string, pod: string, seconds: number): Promise<void> {
  const answer = await fetch(`http://${await podIp(namespace, pod)}:8000/burn?seconds=${seconds}`, { method: 'POST' });
  if (answer.status !== 202) throw new Error(`burn in ${pod}: HTTP ${answer.status}`);
}

/** Ends every burn in the namespace's running pods: a test's load must not outlive it on a 2-core machine. */
export async function stopBurns(namespace: string): Promise<void> {
  const pods = (await listPods(testKube(), namespace, SERVICE_SELECTOR)).filter((p) => p.phase === 'Running');
  await Promise.all(
    pods.map(async (p) => fetch(`http://${await podIp(namespace, p.name)}:8000/burn/stop`, { method: 'POST' })),
  );
}
