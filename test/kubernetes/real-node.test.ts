// The real node (stack/kube/node.ts): a kubelet with containerd running the fixture service image in
// real containers, here in a copy of the production fixture. The product acts as the worker's
// ServiceAccount, as it does in production; only what a person or the cluster would do (deleting a
// pod) uses the admin credentials.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import { beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import { kubeClientsFrom, loadKubeConfig } from '../../activities/kubernetes/clients.ts';
import { copyFromPod, copyToPod } from '../../activities/kubernetes/copy.ts';
import { createKubernetesActivities } from '../../activities/kubernetes/index.ts';
import { podMetrics } from '../../activities/kubernetes/observe.ts';
import { listPods } from '../../activities/kubernetes/status.ts';
import { testKube } from '../helpers/kube.ts';
import { burn, podIp, serviceCopy, sha256, stopBurns } from '../helpers/service.ts';
import { scanImage } from '../../activities/security/trivy.ts';
import { takeNodeLock } from '../../stack/kube/node-lock.ts';
import { toolPath, toolsDir } from '../../stack/tools.ts';
import { REAL_NODE_PLACEMENT } from '../../stack/kube/node.ts';

let namespace: string;
beforeAll(async () => {
  namespace = await serviceCopy('node');
  // This file tests the node, not the autoscaler: without the copy's HPA, the metrics test's burn
  // cannot add pods that a later test would take for a replacement.
  await testKube().autoscaling.deleteNamespacedHorizontalPodAutoscaler({ namespace, name: 'pno-hpa' });
});
const selector = 'app=pno-physics-bench';
const container = 'pno-inference';
const worker = kubeClientsFrom(loadKubeConfig(inject('workerKubeconfig')));
/** The worker's configured commands: each test command is configured under a name of its own, then named. */
const commands: Record<string, string[]> = {};
const activities = createKubernetesActivities(worker, commands);
const env = new MockActivityEnvironment(
  { workflowExecution: { workflowId: 'real-node-test', runId: 'run-1' } },
  { logger: new DefaultLogger('ERROR', () => undefined) },
);

/** The product's execInPod activity, run as the worker, in the named pod. */
const exec = (pod: string, argv: string[]): ReturnType<typeof activities.execInPod> => {
  const name = `test-${Object.keys(commands).length}`;
  commands[name] = argv;
  return env.run(activities.execInPod, { namespace, selector, pod, container, command: name });
};

async function readyPods(): Promise<string[]> {
  return (await listPods(worker, namespace, selector))
    .filter((p) => p.ready)
    .map((p) => p.name)
    .sort();
}

describe('a real node', () => {
  it('is Ready with a containerd runtime and the pinned kubelet', async () => {
    const node = await worker.core.readNode({ name: inject('realNodeName') });
    expect(node.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
    expect(node.status?.nodeInfo?.containerRuntimeVersion).toMatch(/^containerd:\/\/1\.6\./);
    expect(node.status?.nodeInfo?.kubeletVersion).toBe('v1.36.3');
  });

  it('refuses, at admission, a pod for the real node that would make the kubelet pull its image', async () => {
    const pod = (imagePullPolicy: string) => ({
      metadata: { name: `pull-${imagePullPolicy.toLowerCase()}` },
      spec: {
        ...REAL_NODE_PLACEMENT,
        containers: [{ name: 'c', image: 'registry.example.com/pno/pno-inference:1.4.0', imagePullPolicy }],
      },
    });
    for (const policy of ['IfNotPresent', 'Always']) {
      await expect(testKube().core.createNamespacedPod({ namespace, body: pod(policy) })).rejects.toMatchObject({
        code: 422,
        body: expect.stringContaining('must set imagePullPolicy: Never'),
      });
    }
    // Without the real node's toleration the pod goes to kwok's simulated node, which pulls nothing.
    const { nodeSelector: _selector, tolerations: _tolerations, ...elsewhere } = pod('IfNotPresent').spec;
    await expect(
      testKube().core.createNamespacedPod({ namespace, body: { metadata: { name: 'kwok-pod' }, spec: elsewhere } }),
    ).resolves.toMatchObject({ metadata: { name: 'kwok-pod' } });
  });

  it("scans the node's own image with trivy, offline, from its containerd, and never pulls one it lacks", async () => {
    const cache = join(await mkdtemp(join(tmpdir(), 'pno-trivy-node-')), 'cache');
    await cp(join(toolsDir, 'share', 'trivy-fixture-db'), cache, { recursive: true });
    const trivy = {
      path: toolPath('trivy'),
      cacheDir: cache,
      offline: true,
      imageSources: ['containerd' as const],
      containerd: { address: inject('realNodeContainerd'), namespace: 'k8s.io' },
    };
    const image = 'registry.example.com/pno/pno-inference:1.4.0';
    const scan = await scanImage(trivy, image, { timeoutMs: 60_000 });
    expect(scan).toMatchObject({ image, artifactName: image });
    // busybox-static and a Go binary: no OS package database, so nothing for the fixture DB to match.
    expect(scan.findings).toEqual([]);
    await expect(
      scanImage(trivy, 'registry.example.com/pno/pno-inference:0.0.0-not-on-the-node', { timeoutMs: 60_000 }),
    ).rejects.toThrow(/containerd/);
  });

  it('refuses a second real node on the same machine, and takes over a lock its owner left behind', async () => {
    // Global setup's node holds the machine's lock.
    await expect(takeNodeLock()).rejects.toThrow(
      /a real Kubernetes node already runs on this machine \(process \d+ holds/,
    );
    const stale = join(await mkdtemp(join(tmpdir(), 'pno-lock-')), 'node.lock');
    const child = execFile('true');
    const pid = child.pid;
    await new Promise((resolve) => child.once('exit', resolve));
    await writeFile(stale, `${pid}\n/tmp/old-node\n`);
    const abandoned: (string | undefined)[] = [];
    const release = await takeNodeLock({
      path: stale,
      dir: '/tmp/new-node',
      onStale: async (dir) => void abandoned.push(dir),
    });
    expect(abandoned).toEqual(['/tmp/old-node']);
    expect(await readFile(stale, 'utf8')).toBe(`${process.pid}\n/tmp/new-node\n`);
    await release();
  });

  it('runs the fixture pods on it, Ready through the real readiness probe, and unready when /ready fails', async () => {
    const pods = await listPods(worker, namespace, selector);
    expect(pods.map((p) => [p.nodeName, p.ready])).toEqual([
      [inject('realNodeName'), true],
      [inject('realNodeName'), true],
    ]);
    const [pod] = await readyPods();
    if (!pod) throw new Error('no ready pod');
    // The service answers /ready with 503 while this file exists; the kubelet's probe sees it.
    await expect(exec(pod, ['touch', '/tmp/not-ready'])).resolves.toMatchObject({ exitCode: 0 });
    await expect.poll(readyPods, { timeout: 20_000, interval: 250 }).not.toContain(pod);
    await expect(exec(pod, ['rm', '/tmp/not-ready'])).resolves.toMatchObject({ exitCode: 0 });
    await expect.poll(readyPods, { timeout: 20_000, interval: 250 }).toContain(pod);
  });

  it('execs inside the container: its cgroup, its hostname, and real exit codes', async () => {
    const [pod] = await readyPods();
    if (!pod) throw new Error('no ready pod');
    const cgroup = await exec(pod, ['cat', '/proc/1/cgroup']);
    expect(cgroup).toMatchObject({ pod, exitCode: 0, stderr: { bytes: 0, tail: '' } });
    expect(cgroup.stdout.tail).toContain('/kubepods/');
    await expect(exec(pod, ['hostname'])).resolves.toMatchObject({
      exitCode: 0,
      stdout: { bytes: pod.length + 1, sha256: sha256(Buffer.from(`${pod}\n`)), tail: pod },
    });
    await expect(exec(pod, ['sh', '-c', 'echo oops >&2; exit 3'])).resolves.toMatchObject({
      exitCode: 3,
      stderr: { bytes: 5, tail: 'oops' },
    });
    await expect(exec(pod, ['cat', '/no/such/file'])).resolves.toMatchObject({ exitCode: 1 });
  });

  it('leaves only a length, a hash and a redacted tail of the output in the result', async () => {
    const [pod] = await readyPods();
    if (!pod) throw new Error('no ready pod');
    const password = `pw-${randomBytes(6).toString('hex')}`;
    const token = `eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2EifQ.${randomBytes(24).toString('base64url')}`;
    const key = randomBytes(32).toString('base64');
    const output = `PGPASSWORD=${password}\nAuthorization: Bearer ${token}\nkey ${key}\ndone\n`;
    const result = await exec(pod, ['printf', '%s', output]);
    expect(result).toEqual({
      pod,
      command: ['printf', '%s', expect.stringContaining('PGPASSWORD=[redacted]')],
      exitCode: 0,
      stdout: {
        bytes: Buffer.byteLength(output),
        sha256: sha256(Buffer.from(output)),
        tail: 'PGPASSWORD=[redacted]\nAuthorization: [redacted]\nkey [redacted]\ndone',
      },
      stderr: { bytes: 0, sha256: sha256(Buffer.alloc(0)), tail: '' },
    });
    for (const secret of [password, token, key]) expect(JSON.stringify(result)).not.toContain(secret);
  });

  it('copies files into a container and back out through tar over exec', async () => {
    const [pod] = await readyPods();
    if (!pod) throw new Error('no ready pod');
    const target = { namespace, pod, container };
    const local = await mkdtemp(join(tmpdir(), 'pno-real-copy-'));
    await mkdir(join(local, 'in/sub'), { recursive: true });
    const weights = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 7919) % 256));
    await writeFile(join(local, 'in/pno_model.onnx'), weights);
    await writeFile(join(local, 'in/sub/config.json'), '{"modes": 16}');

    await expect(copyToPod(worker, target, join(local, 'in'), '/scratch/copy')).resolves.toEqual({
      files: 2,
      bytes: weights.length + 13,
    });
    await expect(exec(pod, ['sha256sum', '/scratch/copy/pno_model.onnx'])).resolves.toMatchObject({ exitCode: 0 });
    await expect(copyFromPod(worker, target, '/scratch/copy', join(local, 'out'))).resolves.toEqual({
      files: 2,
      bytes: weights.length + 13,
    });
    expect(Buffer.compare(await readFile(join(local, 'out/pno_model.onnx')), weights)).toBe(0);
    expect(await readFile(join(local, 'out/sub/config.json'), 'utf8')).toBe('{"modes": 16}');
  });

  it('reads real CPU and memory of the pods from metrics.k8s.io', async () => {
    const [pod] = await readyPods();
    if (!pod) throw new Error('no ready pod');
    // Keep one core busy in the container for a while, so its CPU usage shows over the idle pods'.
    await burn(namespace, pod, 40);
    onTestFinished(() => stopBurns(namespace));
    const busy = async () => {
      const metrics = await podMetrics(worker, namespace, selector);
      return metrics.available ? (metrics.pods.find((p) => p.pod === pod)?.cpuMillicores ?? 0) : 0;
    };
    await expect.poll(busy, { timeout: 45_000, interval: 1_000 }).toBeGreaterThan(300);
    const metrics = await podMetrics(worker, namespace, selector);
    expect(metrics.available).toBe(true);
    if (!metrics.available) return;
    const ready = await readyPods();
    expect(metrics.pods.map((p) => p.pod)).toContain(pod);
    for (const p of metrics.pods) expect(ready).toContain(p.pod);
    for (const p of metrics.pods) expect(p.memoryMiB).toBeGreaterThan(0);
  });

  it("rotates the service's real log with the guide's logrotate command", async () => {
    const [pod] = await readyPods();
    if (!pod) throw new Error('no ready pod');
    const ip = await podIp(namespace, pod);
    // The kubelet's probes write to the log every second too: marked requests tell ours apart.
    const mark = (n: number) => `/health?mark=${process.pid}-${Date.now()}-${n}`;
    const first = mark(1);
    expect((await fetch(`http://${ip}:8000${first}`)).status).toBe(200);
    const logged = (path: string, file: string) => exec(pod, ['grep', '-qF', `GET ${path} 200`, file]);
    await expect(logged(first, '/var/log/pno/access.log')).resolves.toMatchObject({ exitCode: 0 });

    await expect(exec(pod, ['logrotate', '-f', '/etc/logrotate.conf'])).resolves.toMatchObject({
      exitCode: 0,
      stderr: { bytes: 0, tail: '' },
    });
    const second = mark(2);
    expect((await fetch(`http://${ip}:8000${second}`)).status).toBe(200);
    // The old lines moved to access.log.1; the service writes on into a fresh access.log (grep: 0 found, 1 not).
    const found = async (path: string, file: string) => (await logged(path, file)).exitCode;
    expect(await found(first, '/var/log/pno/access.log.1')).toBe(0);
    expect(await found(second, '/var/log/pno/access.log.1')).toBe(1);
    expect(await found(second, '/var/log/pno/access.log')).toBe(0);
    expect(await found(first, '/var/log/pno/access.log')).toBe(1);
  });

  // A replacement pod may take its own 60 s poll on a loaded node, on top of the exec steps around it.
  it(
    'keeps a file on the models volume across a pod replacement, but not one in an emptyDir',
    { timeout: 150_000 },
    async () => {
      const [pod] = await readyPods();
      if (!pod) throw new Error('no ready pod');
      const marker = `written by ${pod} at ${Date.now()}`;
      await expect(
        exec(pod, ['sh', '-c', `echo "${marker}" > /app/models/marker && echo "${marker}" > /scratch/marker`]),
      ).resolves.toMatchObject({ exitCode: 0 });
      const before = await readyPods();

      await testKube().core.deleteNamespacedPod({ namespace, name: pod, gracePeriodSeconds: 1 });
      const replacement = async () => (await readyPods()).filter((name) => !before.includes(name));
      await expect.poll(replacement, { timeout: 60_000, interval: 250 }).toHaveLength(1);
      const [next] = await replacement();
      if (!next) throw new Error('no replacement pod');
      await expect(exec(next, ['cat', '/app/models/marker'])).resolves.toMatchObject({
        exitCode: 0,
        stdout: { tail: marker },
      });
      await expect(exec(next, ['cat', '/scratch/marker'])).resolves.toMatchObject({ exitCode: 1 });
    },
  );
});
