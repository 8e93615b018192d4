// kube-apiserver as the local cluster runs it, and a second one on the same etcd: a test points a
// worker at the second and stops it for a while, a real API-server outage that the rest of the cluster
// (kubelet, controllers, other tests) does not share.
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { freePort, startProcess, waitUntil, type ServerProcess } from '../process.ts';
import { toolPath } from '../tools.ts';
import { FRONT_PROXY_CLIENT } from './certs.ts';
import { SERVICE_CLUSTER_IP_RANGE } from './service-network.ts';

export interface ApiServerSettings {
  /** The cluster's state directory (its PKI). */
  dir: string;
  etcdUrl: string;
  port: number;
}

export function apiServerArgs({ dir, etcdUrl, port }: ApiServerSettings): string[] {
  const file = (name: string) => join(dir, name);
  return [
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--secure-port=${port}`,
    `--etcd-servers=${etcdUrl}`,
    `--tls-cert-file=${file('apiserver.crt')}`,
    `--tls-private-key-file=${file('apiserver.key')}`,
    `--client-ca-file=${file('ca.crt')}`,
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${file('sa.pub')}`,
    `--service-account-signing-key-file=${file('sa.key')}`,
    `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
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
  ];
}

/** A second API server of the cluster that can be stopped and started again on the same address. */
export interface ExtraApiServer {
  server: string;
  /** Starts it (again) and waits until it is ready. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * An API server on a port of its own; `admin` is a kubeconfig whose credentials it accepts (any of
 * the cluster's: same CA and service-account keys), used only to wait for readiness.
 */
export async function extraApiServer(settings: Omit<ApiServerSettings, 'port'>, admin: k8s.KubeConfig) {
  const port = await freePort();
  const server = `https://127.0.0.1:${port}`;
  const health = new k8s.Health(pointedAt(admin, server));
  let proc: ServerProcess | undefined;
  const extra: ExtraApiServer = {
    server,
    async start() {
      proc = startProcess('kube-apiserver', toolPath('kube-apiserver'), apiServerArgs({ ...settings, port }), {
        logFile: join(settings.dir, 'logs', `kube-apiserver-${port}.log`),
      });
      await waitUntil(`kube-apiserver on ${port}`, () => health.readyz({}), { timeoutMs: 60_000, process: proc });
    },
    async stop() {
      await proc?.stop();
      proc = undefined;
    },
  };
  await extra.start();
  return extra;
}

/** The same kubeconfig (user, CA) for another API server address. */
export function pointedAt(config: k8s.KubeConfig, server: string): k8s.KubeConfig {
  const cluster = config.getCurrentCluster();
  const user = config.getCurrentUser();
  if (!cluster || !user) throw new Error('kubeconfig has no current cluster or user');
  const moved = new k8s.KubeConfig();
  moved.loadFromOptions({
    clusters: [{ ...cluster, server }],
    users: [user],
    contexts: [{ name: 'moved', cluster: cluster.name, user: user.name, namespace: 'default' }],
    currentContext: 'moved',
  });
  return moved;
}
