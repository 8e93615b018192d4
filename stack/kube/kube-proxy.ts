// kube-proxy for the real node (iptables mode): Service addresses work from the host and from pods.
// It must leave the kernel's conntrack settings as they are (0 = do not touch) and only answer
// NodePorts on the node IP.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort, startProcess, type ServerProcess } from '../process.ts';
import { toolPath } from '../tools.ts';
import { host } from './host-command.ts';

export async function startKubeProxy(options: {
  dir: string;
  nodeName: string;
  kubeconfig: string;
  podSubnet: string;
  logFile: string;
}): Promise<ServerProcess> {
  const [healthz, metrics] = await Promise.all([freePort(), freePort()]);
  const config = {
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig: options.kubeconfig },
    hostnameOverride: options.nodeName,
    clusterCIDR: options.podSubnet,
    healthzBindAddress: `127.0.0.1:${healthz}`,
    metricsBindAddress: `127.0.0.1:${metrics}`,
    nodePortAddresses: ['primary'],
    iptables: { localhostNodePorts: false, syncPeriod: '30s', minSyncPeriod: '1s' },
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
  };
  const configPath = join(options.dir, 'kube-proxy-config.json');
  await writeFile(configPath, JSON.stringify(config, null, 2));
  return startProcess('kube-proxy', toolPath('kube-proxy'), [`--config=${configPath}`, '--v=1'], {
    logFile: options.logFile,
  });
}

/** kube-proxy's own removal of the rules it programs (iptables, and nftables where present). */
export async function cleanupKubeProxyRules(): Promise<void> {
  await host(toolPath('kube-proxy'), ['--cleanup']).catch(() => undefined);
}
