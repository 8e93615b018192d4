// A real Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager and
// kube-scheduler as built by setup. The services run on the real node (./node.ts); beside it kwok
// simulates one node for pods that cannot run here (a builder image that would push to a registry).
// kwok runs no commands: exec into a simulated pod fails, so nothing a workflow names runs on the host.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { freePort, startProcess, waitUntil, type ServerProcess } from '../process.ts';
import { toolPath, toolsDir } from '../tools.ts';
import { apiServerArgs } from './api-server.ts';
import { generateClusterPki, kubeconfigYaml } from './certs.ts';

export interface LocalCluster {
  server: string;
  dir: string;
  /** etcd's client URL: a second API server (./api-server.ts) serves the same cluster from it. */
  etcdUrl: string;
  caPath: string;
  /** Cluster-admin kubeconfig (system:masters). */
  adminKubeconfig: string;
  stop(): Promise<void>;
}

export const FAKE_NODE = 'kwok-node-0';

export async function startLocalCluster(): Promise<LocalCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'pno-kube-'));
  await Promise.all([mkdir(join(dir, 'logs')), generateClusterPki(dir)]);
  const [etcdPort, peerPort, apiPort, kcmPort, schedulerPort, kwokPort] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  const server = `https://127.0.0.1:${apiPort}`;
  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const file = (name: string) => join(dir, name);
  const adminKubeconfig = file('admin.kubeconfig');
  await writeFile(
    adminKubeconfig,
    kubeconfigYaml(server, file('ca.crt'), { clientCertificate: file('admin.crt'), clientKey: file('admin.key') }),
  );

  const processes: ServerProcess[] = [];
  const start = (name: string, args: string[]) => {
    const proc = startProcess(name, toolPath(name), args, { logFile: file(`logs/${name}.log`) });
    processes.push(proc);
    return proc;
  };
  const stop = async () => {
    // Reverse order: clients of the API server first, etcd last.
    for (const proc of processes.reverse()) await proc.stop();
    await rm(dir, { recursive: true, force: true });
  };

  try {
    const etcd = start('etcd', [
      '--name=pno',
      `--data-dir=${file('etcd')}`,
      `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
      `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=pno=http://127.0.0.1:${peerPort}`,
      // Test data is disposable; skipping fsync keeps etcd fast on a busy disk.
      '--unsafe-no-fsync',
      '--log-level=warn',
    ]);
    await waitUntil('etcd', async () => (await fetch(`http://127.0.0.1:${etcdPort}/readyz`)).ok, {
      timeoutMs: 20_000,
      process: etcd,
    });

    const apiserver = start('kube-apiserver', apiServerArgs({ dir, etcdUrl, port: apiPort! }));
    const config = new k8s.KubeConfig();
    config.loadFromFile(adminKubeconfig);
    await waitUntil('kube-apiserver', () => new k8s.Health(config).readyz({}), {
      timeoutMs: 60_000,
      process: apiserver,
    });

    const componentAuth = [
      `--kubeconfig=${adminKubeconfig}`,
      `--authentication-kubeconfig=${adminKubeconfig}`,
      `--authorization-kubeconfig=${adminKubeconfig}`,
      '--bind-address=127.0.0.1',
      '--leader-elect=false',
    ];
    start('kube-controller-manager', [
      // Shared credentials: per-controller service accounts work too but slow rollouts down to 9-15 s.
      ...componentAuth,
      `--secure-port=${kcmPort}`,
      '--controllers=*',
      '--use-service-account-credentials=false',
      `--service-account-private-key-file=${file('sa.key')}`,
      `--root-ca-file=${file('ca.crt')}`,
      `--cluster-signing-cert-file=${file('ca.crt')}`,
      `--cluster-signing-key-file=${file('ca.key')}`,
      // The HPA reads metrics-server (10 s resolution) every 5 s instead of every 15 s, so a test that
      // loads the real node's pods sees the scale-up within one or two metric windows.
      '--horizontal-pod-autoscaler-sync-period=5s',
    ]);
    start('kube-scheduler', [...componentAuth, `--secure-port=${schedulerPort}`]);
    start('kwok', [
      `--kubeconfig=${adminKubeconfig}`,
      `--config=${toolsDir}/share/kwok/stages.yaml`,
      '--manage-all-nodes=false',
      '--manage-nodes-with-annotation-selector=kwok.x-k8s.io/node=fake',
      '--manage-nodes-with-label-selector=',
      '--cidr=10.0.0.1/24',
      '--node-ip=127.0.0.1',
      `--node-port=${kwokPort}`,
      `--server-address=127.0.0.1:${kwokPort}`,
      // kwok's own default of 0 keeps no node lease: the node would go NotReady after ~50 s.
      '--node-lease-duration-seconds=40',
      `--tls-cert-file=${file('kwok.crt')}`,
      `--tls-private-key-file=${file('kwok.key')}`,
    ]);

    const core = config.makeApiClient(k8s.CoreV1Api);
    await core.createNode({
      body: {
        metadata: {
          name: FAKE_NODE,
          annotations: { 'kwok.x-k8s.io/node': 'fake', 'node.alpha.kubernetes.io/ttl': '0' },
          labels: {
            'kubernetes.io/hostname': FAKE_NODE,
            'kubernetes.io/os': 'linux',
            'kubernetes.io/arch': 'amd64',
            type: 'kwok',
          },
        },
        status: {
          // Room for the fixture's requests and an HPA scaled to its maximum.
          capacity: { cpu: '64', memory: '256Gi', pods: '110' },
          allocatable: { cpu: '64', memory: '256Gi', pods: '110' },
          // Without addresses the API server cannot reach kwok's kubelet endpoint, and exec fails.
          addresses: [
            { type: 'InternalIP', address: '127.0.0.1' },
            { type: 'Hostname', address: FAKE_NODE },
          ],
        },
      },
    });
    await waitUntil(
      'fake node Ready',
      async () => {
        const node = await core.readNode({ name: FAKE_NODE });
        return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
      },
      { timeoutMs: 60_000 },
    );
    // Pods need the default ServiceAccount, which the controller manager creates per namespace.
    await waitUntil(
      'default service account',
      async () => {
        await core.readNamespacedServiceAccount({ namespace: 'default', name: 'default' });
        return true;
      },
      { timeoutMs: 60_000 },
    );
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }

  return { server, dir, etcdUrl, caPath: file('ca.crt'), adminKubeconfig, stop };
}
