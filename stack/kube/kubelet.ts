// The kubelet of the real node, configured for this machine: cgroup v1 without systemd (cgroupfs),
// no swap check, a node IP on the node bridge, its API on a free port of that IP, no DNS handed to
// pods (nothing may resolve an outside name), and every directory under the node's own.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, startProcess, type ServerProcess } from '../process.ts';
import { toolPath } from '../tools.ts';
import type { NodePki } from './node-pki.ts';

export interface KubeletOptions {
  dir: string;
  nodeName: string;
  nodeIp: string;
  caPath: string;
  pki: NodePki;
  containerdSocket: string;
  labels: Record<string, string>;
  taint: { key: string; value: string; effect: 'NoSchedule' };
  logFile: string;
}

export async function startKubelet(options: KubeletOptions): Promise<{ process: ServerProcess; port: number }> {
  const { dir } = options;
  const port = await freePort();
  await Promise.all(['root', 'pod-logs', 'resolv'].map((d) => mkdir(join(dir, d), { recursive: true })));
  // An empty resolv.conf: pods get no name servers (no cluster DNS here, and no outside one).
  const resolvConf = join(dir, 'resolv/resolv.conf');
  await writeFile(resolvConf, '');
  const config = {
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    cgroupDriver: 'cgroupfs',
    failCgroupV1: false,
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${options.containerdSocket}`,
    address: options.nodeIp,
    port,
    readOnlyPort: 0,
    healthzPort: 0,
    tlsCertFile: options.pki.kubeletCert,
    tlsPrivateKeyFile: options.pki.kubeletKey,
    // The API server authenticates with a client cert from the cluster CA; the kubelet asks it who may do what.
    authentication: {
      anonymous: { enabled: false },
      webhook: { enabled: true },
      x509: { clientCAFile: options.caPath },
    },
    authorization: { mode: 'Webhook' },
    registerWithTaints: [options.taint],
    podLogsDir: join(dir, 'pod-logs'),
    resolvConf,
    clusterDomain: 'cluster.local',
    // Quick status for tests; a busy shared machine must not trigger evictions or image GC (images
    // cannot be pulled back).
    nodeStatusUpdateFrequency: '2s',
    syncFrequency: '5s',
    fileCheckFrequency: '5s',
    evictionHard: { 'memory.available': '50Mi', 'nodefs.available': '1%', 'imagefs.available': '1%' },
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    // Every test namespace keeps its pods until the run ends; the pod subnet (a /24) holds 253.
    maxPods: 200,
    serializeImagePulls: false,
  };
  const configPath = join(dir, 'kubelet-config.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const proc = startProcess(
    'kubelet',
    toolPath('kubelet'),
    [
      `--config=${configPath}`,
      `--kubeconfig=${options.pki.kubeletKubeconfig}`,
      `--root-dir=${join(dir, 'root')}`,
      `--hostname-override=${options.nodeName}`,
      `--node-ip=${options.nodeIp}`,
      `--node-labels=${Object.entries(options.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')}`,
      '--v=1',
    ],
    { logFile: options.logFile },
  );
  return { process: proc, port };
}
