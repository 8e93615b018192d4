// metrics-server for the real node, as a host process on the node IP, registered as metrics.k8s.io
// through the aggregation layer: a selector-less Service with a manual Endpoints (the API server
// routes to the endpoint directly), and an APIService trusting the cluster CA.
import { readFile } from 'node:fs/promises';
import type { KubeClients } from '../../activities/kubernetes/clients.ts';
import { applyObjects } from '../../activities/kubernetes/resources.ts';
import { freePort, startProcess, type ServerProcess } from '../process.ts';
import { toolPath } from '../tools.ts';

const FIELD_MANAGER = 'pno-real-node';
const APISERVICE = 'v1beta1.metrics.k8s.io';

export interface MetricsServerOptions {
  nodeIp: string;
  adminKubeconfig: string;
  caPath: string;
  cert: string;
  key: string;
  /** Only nodes with this label are scraped (kwok's fake node serves no metrics). */
  nodeSelector: string;
  logFile: string;
}

export async function startMetricsServer(admin: KubeClients, options: MetricsServerOptions): Promise<ServerProcess> {
  const port = await freePort();
  const proc = startProcess(
    'metrics-server',
    toolPath('metrics-server'),
    [
      `--bind-address=${options.nodeIp}`,
      `--secure-port=${port}`,
      `--tls-cert-file=${options.cert}`,
      `--tls-private-key-file=${options.key}`,
      `--kubeconfig=${options.adminKubeconfig}`,
      `--authentication-kubeconfig=${options.adminKubeconfig}`,
      `--authorization-kubeconfig=${options.adminKubeconfig}`,
      // The kubelet's API is on a free port, which the Node's status reports.
      '--kubelet-preferred-address-types=InternalIP',
      '--kubelet-use-node-status-port',
      `--kubelet-certificate-authority=${options.caPath}`,
      `--node-selector=${options.nodeSelector}`,
      // The shortest resolution metrics-server accepts (CPU rates need two scrapes); it must exceed
      // the kubelet request timeout.
      '--metric-resolution=10s',
      '--kubelet-request-timeout=5s',
      '--v=1',
    ],
    { logFile: options.logFile },
  );
  const caBundle = (await readFile(options.caPath)).toString('base64');
  await applyObjects(
    admin,
    [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'metrics-server', namespace: 'kube-system' },
        spec: { ports: [{ name: 'https', port: 443, targetPort: port }] },
      },
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 'metrics-server', namespace: 'kube-system' },
        subsets: [{ addresses: [{ ip: options.nodeIp }], ports: [{ name: 'https', port }] }],
      },
      {
        apiVersion: 'apiregistration.k8s.io/v1',
        kind: 'APIService',
        metadata: { name: APISERVICE },
        spec: {
          group: 'metrics.k8s.io',
          version: 'v1beta1',
          service: { namespace: 'kube-system', name: 'metrics-server', port: 443 },
          caBundle,
          groupPriorityMinimum: 100,
          versionPriority: 100,
        },
      },
    ] as never,
    { fieldManager: FIELD_MANAGER },
  );
  return proc;
}

/** Takes metrics.k8s.io off the API server, so no one is sent to a stopped metrics-server. */
export async function unregisterMetricsServer(admin: KubeClients): Promise<void> {
  const gone = (err: unknown) => {
    if ((err as { code?: number }).code !== 404) throw err;
  };
  await admin.custom
    .deleteClusterCustomObject({
      group: 'apiregistration.k8s.io',
      version: 'v1',
      plural: 'apiservices',
      name: APISERVICE,
    })
    .catch(gone);
  await admin.core.deleteNamespacedService({ namespace: 'kube-system', name: 'metrics-server' }).catch(gone);
  await admin.core.deleteNamespacedEndpoints({ namespace: 'kube-system', name: 'metrics-server' }).catch(gone);
}
