// Certificate facts: the leaf certificate of every kubernetes.io/tls Secret (parsed with node:crypto,
// the private key never read) and cert-manager's Certificate status when its CRD is installed.
import { X509Certificate } from 'node:crypto';
import { ApiException, type V1Secret } from '@kubernetes/client-node';
import type { KubeClients } from '../kubernetes/clients.ts';
import { kubeCall } from '../kubernetes/errors.ts';
import type { CertManagerCertificateFacts, CertManagerFacts, TlsCertificateFacts } from '../../types/index.ts';

export async function listTlsCertificates(kube: KubeClients, namespace: string): Promise<TlsCertificateFacts[]> {
  const secrets = await kubeCall(`list TLS secrets in ${namespace}`, () =>
    kube.core.listNamespacedSecret({ namespace, fieldSelector: 'type=kubernetes.io/tls' }),
  );
  return secrets.items
    .map((secret) => certificateFacts(namespace, secret))
    .sort((a, b) => (a.secret < b.secret ? -1 : 1));
}

export function certificateFacts(namespace: string, secret: V1Secret): TlsCertificateFacts {
  const base = { namespace, secret: secret.metadata?.name ?? '' };
  const encoded = secret.data?.['tls.crt'];
  if (!encoded) return { ...base, parseError: 'no tls.crt in the Secret' };
  let cert: X509Certificate;
  try {
    // The first certificate of the chain is the leaf, the one that expires for clients.
    cert = new X509Certificate(Buffer.from(encoded, 'base64'));
  } catch (err) {
    return { ...base, parseError: `tls.crt is not a PEM certificate: ${(err as Error).message}` };
  }
  return {
    ...base,
    subject: cert.subject.replaceAll('\n', ', '),
    issuer: cert.issuer.replaceAll('\n', ', '),
    dnsNames: (cert.subjectAltName ?? '')
      .split(', ')
      .filter((n) => n.startsWith('DNS:'))
      .map((n) => n.slice(4)),
    notBefore: cert.validFromDate.toISOString(),
    notAfter: cert.validToDate.toISOString(),
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
  };
}

interface CertManagerCertificate {
  metadata?: { name?: string };
  spec?: { secretName?: string };
  status?: {
    notAfter?: string;
    renewalTime?: string;
    conditions?: { type?: string; status?: string; message?: string }[];
  };
}

/** cert-manager's Certificates in the namespace; a cluster without its CRD says so instead of failing. */
export async function listCertManagerCertificates(kube: KubeClients, namespace: string): Promise<CertManagerFacts> {
  let list: { items?: CertManagerCertificate[] };
  try {
    list = (await kube.custom.listNamespacedCustomObject({
      group: 'cert-manager.io',
      version: 'v1',
      namespace,
      plural: 'certificates',
    })) as typeof list;
  } catch (err) {
    // 404 on the resource path means the API group is not served: cert-manager is not installed.
    if (err instanceof ApiException && err.code === 404) return { installed: false };
    return kubeCall(`list cert-manager certificates in ${namespace}`, () => Promise.reject(err));
  }
  const certificates: CertManagerCertificateFacts[] = (list.items ?? []).map((c) => {
    const ready = c.status?.conditions?.find((cond) => cond.type === 'Ready');
    return {
      namespace,
      name: c.metadata?.name ?? '',
      secretName: c.spec?.secretName ?? '',
      ready: ready?.status === 'True',
      ...(ready?.message ? { readyMessage: ready.message } : {}),
      ...(c.status?.notAfter ? { notAfter: c.status.notAfter } : {}),
      ...(c.status?.renewalTime ? { renewalTime: c.status.renewalTime } : {}),
    };
  });
  return { installed: true, certificates };
}
