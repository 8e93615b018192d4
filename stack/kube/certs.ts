// Certificates and keys for a throwaway local control plane: one CA signs the API server's serving
// cert, kwok's kubelet-API cert and an admin client cert; an EC key pair signs service-account tokens;
// a second CA signs the aggregation layer's front-proxy client.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { KUBERNETES_SERVICE_IP } from './service-network.ts';

const run = promisify(execFile);
const openssl = (dir: string, args: string[]) => run('openssl', args, { cwd: dir });

// The `kubernetes` Service's address too: pods (the in-cluster worker) reach the API server there.
const serverExtensions = [
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=serverAuth',
  `subjectAltName=IP:127.0.0.1,IP:${KUBERNETES_SERVICE_IP},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc`,
];
export const clientExtensions = ['keyUsage=critical,digitalSignature', 'extendedKeyUsage=clientAuth'];
const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Writes `<name>.key` and `<name>.crt` into `dir`, signed by `<ca>.crt` there (the cluster CA by default). */
export async function signedCert(dir: string, name: string, subject: string, extensions: string[], ca = 'ca') {
  await openssl(dir, ['req', '-new', ...ecKey, '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  await writeFile(join(dir, `${name}.ext`), `${extensions.join('\n')}\n`);
  // A random serial per certificate: a shared serial file (-CAcreateserial) races when certs are signed in parallel.
  const serial = `0x${randomBytes(16).toString('hex')}`;
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.crt`,
    '-CAkey',
    `${ca}.key`,
    '-set_serial',
    serial,
    '-days',
    '2',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
}

async function selfSignedCa(dir: string, name: string, subject: string) {
  await openssl(dir, [
    'req',
    '-x509',
    ...ecKey,
    '-days',
    '2',
    '-subj',
    subject,
    '-keyout',
    `${name}.key`,
    '-out',
    `${name}.crt`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
}

/**
 * Writes ca, apiserver, kwok, admin (system:masters) certificates and the sa key pair into `dir`,
 * and the aggregation layer's front-proxy CA with the API server's proxy client cert (a separate CA,
 * so no ordinary client certificate can pass as the front proxy to an extension API server).
 */
export async function generateClusterPki(dir: string): Promise<void> {
  await Promise.all([
    selfSignedCa(dir, 'ca', '/CN=pno-test-ca'),
    selfSignedCa(dir, 'front-proxy-ca', '/CN=pno-front-proxy-ca'),
  ]);
  await Promise.all([
    signedCert(dir, 'front-proxy-client', `/CN=${FRONT_PROXY_CLIENT}`, clientExtensions, 'front-proxy-ca'),
    signedCert(dir, 'apiserver', '/CN=kube-apiserver', serverExtensions),
    signedCert(dir, 'kwok', '/CN=kwok', serverExtensions),
    signedCert(dir, 'admin', '/O=system:masters/CN=pno-admin', clientExtensions),
    openssl(dir, ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'sa.key']).then(() =>
      openssl(dir, ['ec', '-in', 'sa.key', '-pubout', '-out', 'sa.pub']),
    ),
  ]);
}

/** The name extension API servers (metrics-server) accept as the front proxy. */
export const FRONT_PROXY_CLIENT = 'front-proxy-client';

export interface KubeconfigUser {
  clientCertificate?: string;
  clientKey?: string;
  token?: string;
}

/** A kubeconfig for one user of the local cluster. */
export function kubeconfigYaml(server: string, caPath: string, user: KubeconfigUser, namespace = 'default'): string {
  const auth = user.token
    ? `token: ${JSON.stringify(user.token)}`
    : `client-certificate: ${JSON.stringify(user.clientCertificate)}\n    client-key: ${JSON.stringify(user.clientKey)}`;
  return [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    `- name: local\n  cluster:\n    server: ${JSON.stringify(server)}\n    certificate-authority: ${JSON.stringify(caPath)}`,
    'users:',
    `- name: user\n  user:\n    ${auth}`,
    'contexts:',
    `- name: local\n  context:\n    cluster: local\n    user: user\n    namespace: ${namespace}`,
    'current-context: local',
    '',
  ].join('\n');
}
