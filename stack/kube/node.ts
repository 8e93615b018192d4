// A real Kubernetes node joined to the local control plane, beside kwok's simulated one: containerd
// (CRI) with runc and the CNI bridge, the kubelet, kube-proxy, and metrics-server serving
// metrics.k8s.io. Pods from the local images run in real containers; exec, logs, probes and
// metrics go through the kubelet. Machine-wide (cgroups, a bridge, iptables): one per machine, as
// root. stop() puts the machine back as it was; a second start after a stop works.
import { access, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { kubeClientsFrom, loadKubeConfig, type KubeClients } from '../../activities/kubernetes/clients.ts';
import { waitUntil, type ServerProcess } from '../process.ts';
import type { LocalCluster } from './cluster.ts';
import { removeAllContainers, startContainerd, type Containerd } from './containerd.ts';
import {
  killKubepodsTasks,
  killProcessesMentioning,
  killProcessesUnder,
  removeContainerLogLinks,
  removeEmptyRunDirs,
  removeKubepodsCgroups,
  unmountUnder,
} from './host-cleanup.ts';
import { iptablesChains, readSysctls, removeKubeChains, removeNewChains, restoreSysctls } from './host-state.ts';
import { localImages } from './images.ts';
import { cleanupKubeProxyRules, startKubeProxy } from './kube-proxy.ts';
import { startKubelet } from './kubelet.ts';
import { startMetricsServer, unregisterMetricsServer } from './metrics-server.ts';
import { bridgeExists, createBridge, deleteBridge, NODE_IP, POD_SUBNET, writeCniConfig } from './node-network.ts';
import { takeNodeLock } from './node-lock.ts';
import { issueNodePki } from './node-pki.ts';
import { routeFromPods, type PodRoute } from './pod-relay.ts';
import { applyPullGuard } from './pull-guard.ts';
import { startVolumeProvisioner, type VolumeProvisioner } from './volume-provisioner.ts';

export const REAL_NODE = 'pno-node-0';
/** The label that selects the real node, and the taint that keeps everything else off it. */
export const REAL_NODE_LABEL = { key: 'pno.dev/node', value: 'real' };
export const REAL_NODE_TAINT = { key: 'pno.dev/real-node', value: 'true', effect: 'NoSchedule' as const };
/** What a pod spec carries to run on the real node (production.yaml spells out the same). */
export const REAL_NODE_PLACEMENT = {
  nodeSelector: { [REAL_NODE_LABEL.key]: REAL_NODE_LABEL.value },
  tolerations: [{ ...REAL_NODE_TAINT, operator: 'Equal' }],
};

export interface RealNode {
  name: string;
  ip: string;
  dir: string;
  /** The node's containerd socket; its images are in namespace k8s.io (what trivy can scan offline). */
  containerdSocket: string;
  /** Milliseconds from start() to the Node being Ready, and to metrics.k8s.io being served. */
  timings: { readyMs: number; metricsMs: number };
  stop(): Promise<void>;
}

function isReady(node: k8s.V1Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

async function apiServiceAvailable(admin: KubeClients): Promise<boolean> {
  const service = (await admin.custom.getClusterCustomObject({
    group: 'apiregistration.k8s.io',
    version: 'v1',
    plural: 'apiservices',
    name: 'v1beta1.metrics.k8s.io',
  })) as {
    status?: { conditions?: { type: string; status: string }[] };
  };
  return service.status?.conditions?.some((c) => c.type === 'Available' && c.status === 'True') ?? false;
}

export async function startRealNode(cluster: LocalCluster): Promise<RealNode> {
  if (process.getuid?.() !== 0) throw new Error('a real node needs root (containerd, cgroups, a bridge, iptables)');
  const started = performance.now();
  const dir = await mkdtemp(join(cluster.dir, 'node-'));
  const releaseLock = await takeNodeLock({ dir, onStale: cleanUpAbandonedNode });
  const file = (name: string) => join(dir, name);
  const log = (name: string) => join(cluster.dir, 'logs', `${name}.log`);
  const admin = kubeClientsFrom(loadKubeConfig(cluster.adminKubeconfig));
  // Machine state to put back at stop.
  const sysctls = await readSysctls();
  const chains = await iptablesChains();
  const missing = (path: string) =>
    access(path).then(
      () => false,
      () => true,
    );
  const madeLogDir = await missing('/var/log/containers');
  const madeRunDir = await missing('/run/containerd');
  const processes: ServerProcess[] = [];
  let containerd: Containerd | undefined;
  let provisioner: VolumeProvisioner | undefined;
  let apiForPods: PodRoute | undefined;

  const stop = async () => {
    const problems: string[] = [];
    const attempt = async (what: string, step: () => Promise<unknown>) => {
      try {
        await step();
      } catch (err) {
        problems.push(`${what}: ${(err as Error).message}`);
      }
    };
    // Let the kubelet tear pods down itself (CNI teardown included): no new pods, delete the bound ones.
    await attempt('drain', () => drain(admin));
    await attempt('the API server route for pods', async () => apiForPods?.close());
    await attempt('stop the volume provisioner', async () => provisioner?.stop());
    await attempt('unregister metrics-server', () => unregisterMetricsServer(admin));
    for (const proc of processes.reverse()) await attempt(`stop ${proc.name}`, () => proc.stop());
    if (containerd) {
      const cri = containerd;
      await attempt('remove containers', () => removeAllContainers(cri));
      await attempt('stop containerd', () => cri.process.stop());
      await attempt('stop shims', () => killProcessesMentioning(cri.socket));
    }
    await attempt('unmount', () => unmountUnder(dir));
    await attempt('kube-proxy cleanup', () => cleanupKubeProxyRules());
    await attempt('iptables', () => removeNewChains(chains));
    await attempt('bridge', () => deleteBridge());
    await attempt('cgroups', () => removeKubepodsCgroups());
    await attempt('sysctls', () => restoreSysctls(sysctls));
    await attempt('container log links', () => removeContainerLogLinks(dir, madeLogDir));
    await attempt('/run/containerd', () => removeEmptyRunDirs(madeRunDir));
    await attempt('node object', () =>
      admin.core.deleteNode({ name: REAL_NODE }).catch((err: unknown) => {
        if ((err as { code?: number }).code !== 404) throw err;
      }),
    );
    await attempt('node directory', () => rm(dir, { recursive: true, force: true }));
    await releaseLock();
    if (problems.length > 0) throw new Error(`real node stop left problems:\n  ${problems.join('\n  ')}`);
  };

  try {
    // A bridge left by a node that crashed (its lock was stale) would carry the old node IP.
    if (await bridgeExists()) await deleteBridge();
    await createBridge();
    const pki = await issueNodePki(cluster.dir, file('pki'), cluster.server, REAL_NODE, NODE_IP);
    const cniConf = file('cni/net.d');
    await mkdir(cniConf, { recursive: true });
    await writeCniConfig(cniConf, file('cni/ipam'));
    const images = await localImages();
    const runtime = await startContainerd(file('containerd'), cniConf, images.pause, images.tags, log('containerd'));
    containerd = runtime;
    const kubelet = await startKubelet({
      dir: file('kubelet'),
      nodeName: REAL_NODE,
      nodeIp: NODE_IP,
      caPath: cluster.caPath,
      pki,
      containerdSocket: containerd.socket,
      labels: { [REAL_NODE_LABEL.key]: REAL_NODE_LABEL.value },
      taint: REAL_NODE_TAINT,
      logFile: log('kubelet'),
    });
    processes.push(kubelet.process);
    await waitUntil('real node Ready', async () => isReady(await admin.core.readNode({ name: REAL_NODE })), {
      timeoutMs: 120_000,
      process: kubelet.process,
    });
    const readyMs = performance.now() - started;
    await applyPullGuard(admin, REAL_NODE_TAINT.key, REAL_NODE);
    // Volumes belong to the cluster, not to one node start: like disks, they outlive a node restart.
    provisioner = await startVolumeProvisioner(admin, { root: join(cluster.dir, 'volumes'), nodeName: REAL_NODE });
    processes.push(
      await startKubeProxy({
        dir,
        nodeName: REAL_NODE,
        kubeconfig: pki.kubeProxyKubeconfig,
        podSubnet: POD_SUBNET,
        logFile: log('kube-proxy'),
      }),
    );
    // In-cluster clients (the worker as a pod) dial the `kubernetes` Service, as on any cluster.
    const api = new URL(cluster.server);
    apiForPods = await routeFromPods(admin, {
      namespace: 'default',
      service: 'kubernetes',
      port: { name: 'https', port: 443 },
      target: { host: api.hostname, port: Number(api.port) },
    });
    const metrics = await startMetricsServer(admin, {
      nodeIp: NODE_IP,
      adminKubeconfig: cluster.adminKubeconfig,
      caPath: cluster.caPath,
      cert: pki.metricsCert,
      key: pki.metricsKey,
      nodeSelector: `${REAL_NODE_LABEL.key}=${REAL_NODE_LABEL.value}`,
      logFile: log('metrics-server'),
    });
    processes.push(metrics);
    await waitUntil('metrics.k8s.io available', () => apiServiceAvailable(admin), {
      timeoutMs: 90_000,
      process: metrics,
    });
    return {
      name: REAL_NODE,
      ip: NODE_IP,
      dir,
      containerdSocket: runtime.socket,
      timings: { readyMs, metricsMs: performance.now() - started },
      stop,
    };
  } catch (err) {
    await stop().catch((cleanup: unknown) => console.error(String(cleanup)));
    throw err;
  }
}

/**
 * What a node whose process died (killed, or its test run interrupted) left on the machine: the
 * processes of its whole local cluster, their mounts, the kubelet's cgroups, the KUBE-* chains and the
 * bridge. Its kernel settings cannot be known any more; the new node records the current ones.
 */
async function cleanUpAbandonedNode(previousDir: string | undefined): Promise<void> {
  // Only a directory this code makes (<tmp>/pno-kube-*/node-*): a lock file is not trusted further.
  if (previousDir && /\/pno-kube-[^/]+\/node-[^/]+$/.test(previousDir)) {
    const clusterDir = dirname(previousDir);
    const killed = await killProcessesUnder(clusterDir);
    await unmountUnder(clusterDir);
    await rm(clusterDir, { recursive: true, force: true });
    if (killed.length > 0)
      console.warn(`[stack] stopped ${killed.length} processes an abandoned node left in ${clusterDir}`);
  }
  await cleanupKubeProxyRules().catch(() => undefined);
  await removeKubeChains();
  await killKubepodsTasks();
  await removeKubepodsCgroups();
  if (await bridgeExists()) await deleteBridge();
}

/** Cordons the real node and deletes its pods, waiting until the kubelet has removed them. */
async function drain(admin: KubeClients): Promise<void> {
  const exists = await admin.core.readNode({ name: REAL_NODE }).then(
    () => true,
    () => false,
  );
  if (!exists) return;
  await admin.core.patchNode(
    { name: REAL_NODE, body: { spec: { unschedulable: true } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
  );
  const onNode = async () =>
    (await admin.core.listPodForAllNamespaces({ fieldSelector: `spec.nodeName=${REAL_NODE}` })).items;
  for (const pod of await onNode()) {
    await admin.core
      .deleteNamespacedPod({
        namespace: pod.metadata?.namespace ?? '',
        name: pod.metadata?.name ?? '',
        gracePeriodSeconds: 1,
      })
      .catch(() => undefined);
  }
  await waitUntil(`pods gone from ${REAL_NODE}`, async () => (await onNode()).length === 0, { timeoutMs: 60_000 });
}
