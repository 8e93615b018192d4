// The real node's credentials from the cluster's own CA (no TLS bootstrap): the kubelet's client
// certificate as system:node:<name> in system:nodes (what the Node authorizer expects), its serving
// certificate for the node IP (the API server checks it against the CA for exec and logs), kube-proxy
// as system:kube-proxy (bound to system:node-proxier by default), and metrics-server's serving cert.
import { copyFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { clientExtensions, kubeconfigYaml, signedCert } from './certs.ts';
import { writeFile } from 'node:fs/promises';

export interface NodePki {
  kubeletKubeconfig: string;
  kubeProxyKubeconfig: string;
  kubeletCert: string;
  kubeletKey: string;
  metricsCert: string;
  metricsKey: string;
}

const serving = (ip: string, name: string) => [
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=serverAuth',
  `subjectAltName=IP:${ip},DNS:${name}`,
];

/** Signs the node's certificates with the cluster CA in `clusterDir`, into `dir`. */
export async function issueNodePki(
  clusterDir: string,
  dir: string,
  server: string,
  nodeName: string,
  nodeIp: string,
): Promise<NodePki> {
  await mkdir(dir, { recursive: true });
  // signedCert signs with ca.crt/ca.key in the directory it writes to: work on copies.
  await Promise.all(['ca.crt', 'ca.key'].map((f) => copyFile(join(clusterDir, f), join(dir, f))));
  await Promise.all([
    signedCert(dir, 'kubelet-client', `/O=system:nodes/CN=system:node:${nodeName}`, clientExtensions),
    signedCert(dir, 'kubelet-serving', `/CN=${nodeName}`, serving(nodeIp, nodeName)),
    signedCert(dir, 'kube-proxy', '/CN=system:kube-proxy', clientExtensions),
    signedCert(dir, 'metrics-server', '/CN=metrics-server', serving(nodeIp, 'metrics-server.kube-system.svc')),
  ]);
  const file = (name: string) => join(dir, name);
  const kubeconfig = async (user: string) => {
    const path = file(`${user}.kubeconfig`);
    await writeFile(
      path,
      kubeconfigYaml(server, file('ca.crt'), {
        clientCertificate: file(`${user}.crt`),
        clientKey: file(`${user}.key`),
      }),
    );
    return path;
  };
  return {
    kubeletKubeconfig: await kubeconfig('kubelet-client'),
    kubeProxyKubeconfig: await kubeconfig('kube-proxy'),
    kubeletCert: file('kubelet-serving.crt'),
    kubeletKey: file('kubelet-serving.key'),
    metricsCert: file('metrics-server.crt'),
    metricsKey: file('metrics-server.key'),
  };
}
