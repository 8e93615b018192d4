// Certificate expiry on the local cluster: kubernetes.io/tls Secrets holding real certificates made
// by openssl at test time (5, 20 and 100 days), cert-manager absent and then present.
import { describe, expect, it } from 'vitest';
import { listCertManagerCertificates, listTlsCertificates } from '../../activities/security/certificates.ts';
import { createReportActivities } from '../../activities/reports/index.ts';
import { createSecurityActivities } from '../../activities/security/index.ts';
import { certificateExpiryWorkflow } from '../../workflows/index.ts';
import { assessCertManager, expiryStatus } from '../../workflows/security/certificate-policy.ts';
import { freshNamespace, testKube } from '../helpers/kube.ts';
import { freshBucket, testS3 } from '../helpers/s3.ts';
import { selfSigned } from '../helpers/certs.ts';
import { withWorker } from '../helpers/temporal.ts';
import { alertRecorder } from './helpers.ts';

async function tlsSecret(namespace: string, name: string, cert: string, key: string) {
  await testKube().core.createNamespacedSecret({
    namespace,
    body: { metadata: { name }, type: 'kubernetes.io/tls', stringData: { 'tls.crt': cert, 'tls.key': key } },
  });
}

/** Three certificates (5, 20, 100 days), a TLS Secret that holds no certificate, and an Opaque Secret. */
async function certificateFixtures() {
  const namespace = await freshNamespace('certs');
  const [soon, month, later] = await Promise.all([
    selfSigned('soon.pno.example', 5),
    selfSigned('month.pno.example', 20),
    selfSigned('later.pno.example', 100),
  ]);
  await Promise.all([
    tlsSecret(namespace, 'expires-in-5-days', soon.cert, soon.key),
    tlsSecret(namespace, 'expires-in-20-days', month.cert, month.key),
    tlsSecret(namespace, 'expires-in-100-days', later.cert, later.key),
    tlsSecret(namespace, 'not-a-certificate', 'garbage', 'garbage'),
    testKube().core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: 'opaque' }, stringData: { password: 'x' } },
    }),
  ]);
  return namespace;
}

describe('certificate expiry', () => {
  it('reads each TLS Secret certificate with X509Certificate, never the key', async () => {
    const namespace = await certificateFixtures();
    const facts = await listTlsCertificates(testKube(), namespace);
    expect(facts.map((f) => f.secret)).toEqual([
      'expires-in-100-days',
      'expires-in-20-days',
      'expires-in-5-days',
      'not-a-certificate',
    ]);
    const soon = facts.find((f) => f.secret === 'expires-in-5-days')!;
    expect(soon).toMatchObject({
      namespace,
      subject: 'CN=soon.pno.example',
      issuer: 'CN=soon.pno.example',
      dnsNames: ['soon.pno.example'],
    });
    const daysLeft = (Date.parse(soon.notAfter!) - Date.now()) / 86_400_000;
    expect(daysLeft).toBeGreaterThan(4.9);
    expect(daysLeft).toBeLessThanOrEqual(5);
    expect(facts.find((f) => f.secret === 'not-a-certificate')!.parseError).toMatch(
      /^tls.crt is not a PEM certificate/,
    );
    expect(JSON.stringify(facts)).not.toContain('PRIVATE KEY');
  });

  it('the weekly workflow: 5 days is critical, 20 a warning, 100 fine; cert-manager absent is "not installed"', async () => {
    const namespace = await certificateFixtures();
    const bucket = await freshBucket('certs');
    const recorder = alertRecorder();
    const activities = {
      ...createSecurityActivities(testKube()),
      ...createReportActivities({ s3: testS3(), bucket }),
      sendAlert: recorder.sendAlert,
    };
    const report = await withWorker(activities, ({ client, taskQueue }) =>
      client.workflow.execute(certificateExpiryWorkflow, {
        taskQueue,
        workflowId: `certs-${namespace}`,
        args: [{ namespaces: [namespace] }],
      }),
    );
    const byName = Object.fromEntries(report.certificates.map((c) => [c.name, c]));
    expect(byName['expires-in-5-days']).toMatchObject({ source: 'secret', status: 'CRITICAL', daysLeft: 4 });
    expect(byName['expires-in-20-days']).toMatchObject({ status: 'WARNING', daysLeft: 19 });
    expect(byName['expires-in-100-days']).toMatchObject({ status: 'OK', daysLeft: 99 });
    expect(byName['not-a-certificate']).toMatchObject({ status: 'CRITICAL' });
    expect(report).toMatchObject({ status: 'CRITICAL', certManager: 'not installed', warnDays: 30, criticalDays: 7 });
    expect(report.reportKey).toMatch(new RegExp(`^reports/security/\\d{4}-\\d{2}-\\d{2}/certs-${namespace}\\.json$`));
    expect(recorder.alerts).toMatchObject([
      {
        type: 'certificate_expiry',
        severity: 'critical',
        resolved: false,
        dedupKey: `certificate-expiry:${namespace}`,
      },
    ]);
  });

  it('reads cert-manager Certificates once its CRD is installed', async () => {
    const namespace = await freshNamespace('certmgr');
    await expect(listCertManagerCertificates(testKube(), namespace)).resolves.toEqual({ installed: false });
    // The typed client serializes the CRD: its field is x_kubernetes_preserve_unknown_fields, not the wire name.
    const open = { type: 'object', x_kubernetes_preserve_unknown_fields: true };
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'certificates.cert-manager.io' },
      spec: {
        group: 'cert-manager.io',
        names: { kind: 'Certificate', plural: 'certificates', singular: 'certificate', listKind: 'CertificateList' },
        scope: 'Namespaced',
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', properties: { spec: open, status: open } } },
          },
        ],
      },
    };
    await testKube().objects.create(crd);
    try {
      const notAfter = new Date(Date.now() + 3 * 86_400_000).toISOString();
      const certificate = {
        apiVersion: 'cert-manager.io/v1',
        kind: 'Certificate',
        metadata: { name: 'api', namespace },
        spec: { secretName: 'api-tls', dnsNames: ['api.pno.example'] },
        status: {
          notAfter,
          renewalTime: notAfter,
          conditions: [{ type: 'Ready', status: 'False', message: 'Issuing certificate as Secret does not exist' }],
        },
      };
      // The CRD takes a moment to be served after it is created.
      const create = () =>
        testKube().custom.createNamespacedCustomObject({
          group: 'cert-manager.io',
          version: 'v1',
          namespace,
          plural: 'certificates',
          body: certificate,
        });
      await expect
        .poll(
          () =>
            create().then(
              () => true,
              () => false,
            ),
          { timeout: 30_000, interval: 200 },
        )
        .toBe(true);
      const facts = await listCertManagerCertificates(testKube(), namespace);
      expect(facts).toEqual({
        installed: true,
        certificates: [
          {
            namespace,
            name: 'api',
            secretName: 'api-tls',
            ready: false,
            readyMessage: 'Issuing certificate as Secret does not exist',
            notAfter,
            renewalTime: notAfter,
          },
        ],
      });
      if (!facts.installed) return;
      expect(assessCertManager(facts.certificates[0]!, new Date(), { warnDays: 30, criticalDays: 7 })).toMatchObject({
        status: 'CRITICAL',
        daysLeft: 2,
      });
    } finally {
      await testKube().objects.delete(crd);
    }
  });

  it('counts whole days and flags expired certificates as critical', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const t = { warnDays: 30, criticalDays: 7 };
    expect(expiryStatus('2026-01-08T00:00:00Z', now, t)).toMatchObject({ status: 'CRITICAL', daysLeft: 7 });
    expect(expiryStatus('2026-01-09T00:00:00Z', now, t)).toMatchObject({ status: 'WARNING', daysLeft: 8 });
    expect(expiryStatus('2026-01-31T00:00:00Z', now, t)).toMatchObject({ status: 'WARNING', daysLeft: 30 });
    expect(expiryStatus('2026-02-01T00:00:00Z', now, t)).toMatchObject({ status: 'OK', daysLeft: 31 });
    expect(expiryStatus('2025-12-30T00:00:00Z', now, t)).toMatchObject({
      status: 'CRITICAL',
      daysLeft: -2,
      message: 'expired 2 days ago (2025-12-30T00:00:00Z)',
    });
    const ready = { namespace: 'n', name: 'c', secretName: 's', ready: true, notAfter: '2026-03-01T00:00:00Z' };
    expect(assessCertManager(ready, now, t).status).toBe('OK');
    expect(assessCertManager({ ...ready, ready: false }, now, t).status).toBe('WARNING');
  });
});
