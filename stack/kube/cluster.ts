// A real Kubernetes control plane on loopback without containers: etcd, kube-apiserver,
// kube-controller-manager and kube-scheduler as built by setup, with kwok playing the kubelets so
// Deployments roll out and pods become Running and Ready. kwok's ClusterExec runs `exec` commands on
// this host inside `podRoot`, which stands in for every pod's filesystem.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { freePort, startProcess, waitUntil, type ServerProcess } from '../process.ts';
import { toolPath, toolsDir } from '../tools.ts';
import { FRONT_PROXY_CLIENT, generateClusterPki, kubeconfigYaml } from './certs.ts';

export interface LocalCluster {
  server: string;
  dir: string;
  caPath: string;
  /** Cluster-admin kubeconfig (system:masters). */
  adminKubeconfig: string;
  /** Where exec'd commands run: every simulated pod shares this directory. */
  podRoot: string;
  stop(): Promise<void>;
}

export const FAKE_NODE = 'kwok-node-0';

export async function startLocalCluster(): Promise<LocalCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'pno-kube-'));
  const podRoot = join(dir, 'pod-root');
  await Promise.all([mkdir(podRoot), mkdir(join(dir, 'logs')), generateClusterPki(dir)]);
  const [etcdPort, peerPort, apiPort, kcmPort, schedulerPort, kwokPort] = await Promise.all(
    Array.from({ length: 6 }, () => freePort()),
  );
  const server = `https://127.0.0.1:${apiPort}`;
  const file = (name: string) => join(dir, name);
  const adminKubeconfig = file('admin.kubeconfig');
  await writeFile(
    adminKubeconfig,
    kubeconfigYaml(server, file('ca.crt'), { clientCertificate: file('admin.crt'), clientKey: file('admin.key') }),
  );
  await writeFile(
    file('kwok-exec.yaml'),
    `apiVersion: kwok.x-k8s.io/v1alpha1\nkind: ClusterExec\nmetadata:\n  name: local-exec\nspec:\n  execs:\n  - local:\n      workDir: ${JSON.stringify(podRoot)}\n`,
  );

  // A test hook for failed rollouts: pods whose image contains "never-ready" crash-loop instead of
  // becoming Ready (kwok's own pod-ready stage would make every pod Ready). The higher weight makes
  // kwok pick this stage over pod-ready for those pods; they leave Pending, so neither matches again.
  await writeFile(file('kwok-never-ready.yaml'), NEVER_READY_STAGE);

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

    const apiserver = start('kube-apiserver', [
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${apiPort}`,
      `--etcd-servers=http://127.0.0.1:${etcdPort}`,
      `--tls-cert-file=${file('apiserver.crt')}`,
      `--tls-private-key-file=${file('apiserver.key')}`,
      `--client-ca-file=${file('ca.crt')}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${file('sa.pub')}`,
      `--service-account-signing-key-file=${file('sa.key')}`,
      '--service-cluster-ip-range=10.96.0.0/16',
      '--authorization-mode=Node,RBAC',
      '--allow-privileged=true',
      '--endpoint-reconciler-type=none',
      '--kubelet-preferred-address-types=InternalIP',
      `--kubelet-certificate-authority=${file('ca.crt')}`,
      `--kubelet-client-certificate=${file('admin.crt')}`,
      `--kubelet-client-key=${file('admin.key')}`,
      '--profiling=false',
      // The aggregation layer, for metrics-server on the real node: the API server proxies
      // metrics.k8s.io to it with this client cert and straight to its endpoint (no kube-proxy needed).
      `--requestheader-client-ca-file=${file('front-proxy-ca.crt')}`,
      `--requestheader-allowed-names=${FRONT_PROXY_CLIENT}`,
      '--requestheader-username-headers=X-Remote-User',
      '--requestheader-group-headers=X-Remote-Group',
      '--requestheader-extra-headers-prefix=X-Remote-Extra-',
      `--proxy-client-cert-file=${file('front-proxy-client.crt')}`,
      `--proxy-client-key-file=${file('front-proxy-client.key')}`,
      '--enable-aggregator-routing=true',
    ]);
    const config = new k8s.KubeConfig();
    config.loadFromFile(adminKubeconfig);
    const health = new k8s.Health(config);
    await waitUntil('kube-apiserver', () => health.readyz({}), { timeoutMs: 60_000, process: apiserver });

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
    ]);
    start('kube-scheduler', [...componentAuth, `--secure-port=${schedulerPort}`]);
    start('kwok', [
      `--kubeconfig=${adminKubeconfig}`,
      `--config=${toolsDir}/share/kwok/stages.yaml`,
      `--config=${file('kwok-exec.yaml')}`,
      `--config=${file('kwok-never-ready.yaml')}`,
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

  return { server, dir, caPath: file('ca.crt'), adminKubeconfig, podRoot, stop };
}

/** Image marker for pods that must never become Ready (see NEVER_READY_STAGE). */
export const NEVER_READY_MARKER = 'never-ready';

const NEVER_READY_STAGE = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-never-ready
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values: ['Pending']
    - key: '[.spec.containers[].image | contains("${NEVER_READY_MARKER}")] | any'
      operator: 'In'
      values: ['true']
  weight: 10000
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - lastTransitionTime: {{ $now | Quote }}
        status: "True"
        type: Initialized
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        reason: ContainersNotReady
        type: Ready
      - lastTransitionTime: {{ $now | Quote }}
        status: "False"
        reason: ContainersNotReady
        type: ContainersReady
      containerStatuses:
      {{ range .spec.containers }}
      - image: {{ .image | Quote }}
        name: {{ .name | Quote }}
        ready: false
        restartCount: 3
        started: false
        state:
          waiting:
            reason: CrashLoopBackOff
            message: back-off restarting failed container
      {{ end }}
      phase: Running
      startTime: {{ $now | Quote }}
`;
