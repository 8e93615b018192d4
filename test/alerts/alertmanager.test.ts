// The product's alerts through a real Alertmanager (Debian's 0.25), which notifies a loopback
// receiver: one notification group per alert, a repeated send is one alert, a firing alert is
// re-sent while it lasts and does not lapse after resolve_timeout, and resolving it reaches the
// receiver. Each carries endsAt, the run in the Web UI and a runbook.
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertActivities } from '../../activities/alerts/index.ts';
import { DEFAULT_FIRING_MS } from '../../activities/alerts/links.ts';
import { startAlertmanager, type LocalAlertmanager } from '../../stack/alertmanager.ts';
import type { SendAlertInput } from '../../types/index.ts';
import { waitFor } from '../helpers/wait.ts';
import { startReceiver, type Receiver } from './receiver.ts';

interface Notification {
  status: 'firing' | 'resolved';
  groupLabels: Record<string, string>;
  alerts: {
    status: string;
    labels: Record<string, string>;
    annotations: Record<string, string>;
    endsAt: string;
    generatorURL: string;
  }[];
}

let receiver: Receiver;
let alertmanager: LocalAlertmanager;
beforeAll(async () => {
  receiver = await startReceiver();
  alertmanager = await startAlertmanager({ webhookUrl: `${receiver.url}/alertmanager` });
});
afterAll(async () => {
  await alertmanager?.stop();
  await receiver?.close();
});

const run = { workflowId: 'pno-weekly-maintenance-2026-12-01T03:00:00Z', runId: 'a1b2c3' };
const env = new MockActivityEnvironment({ workflowExecution: run, workflowNamespace: 'default' });
const send = (alert: SendAlertInput) =>
  env.run(
    createAlertActivities({ alertmanagerUrl: alertmanager.url, uiBaseUrl: 'http://localhost:8233' }).sendAlert,
    alert,
  );

const certificate: SendAlertInput = {
  type: 'certificate_expiry',
  severity: 'critical',
  service: 'pno-physics-bench',
  summary: '1 certificates need renewal: production/pno-tls expires in 5 days',
  dedupKey: 'certificate-expiry:production',
};
const model: SendAlertInput = {
  type: 'model_validation_failure',
  severity: 'critical',
  service: 'pno-physics-bench',
  summary: 'model /app/models/pno_model.onnx failed its health check',
  dedupKey: 'model-health:/app/models/pno_model.onnx',
};

const notifications = () => receiver.requests.map((r) => r.body as Notification);
const about = (alert: SendAlertInput) => notifications().filter((n) => n.groupLabels.dedup === alert.dedupKey);
const active = async () =>
  (await (await fetch(`${alertmanager.url}/api/v2/alerts?active=true&silenced=false&inhibited=false`)).json()) as {
    labels: Record<string, string>;
    endsAt: string;
    generatorURL: string;
    annotations: Record<string, string>;
  }[];

describe('alerts through a real Alertmanager', () => {
  it('one alert per dedup key, re-sent while firing, lasting past resolve_timeout, resolved when the workflow says so', async () => {
    const sentAt = Date.now();
    await send(certificate);
    await send(certificate);
    await send(model);

    const firing = await waitFor('both alerts active in Alertmanager', async () => {
      const alerts = await active();
      return alerts.length === 2 ? alerts : undefined;
    });
    const cert = firing.find((a) => a.labels.dedup === certificate.dedupKey)!;
    expect(cert.labels).toMatchObject({
      alertname: 'certificate_expiry',
      severity: 'critical',
      service: 'pno-physics-bench',
    });
    expect(cert.generatorURL).toBe(
      `http://localhost:8233/namespaces/default/workflows/${encodeURIComponent(run.workflowId)}/${run.runId}/history`,
    );
    expect(cert.annotations).toMatchObject({
      summary: certificate.summary,
      runbook_url: 'README.md#security-workflows',
    });
    // Firing for days, not Alertmanager's 5-minute resolve_timeout: the workflow resolves it.
    expect(Date.parse(cert.endsAt) - sentAt).toBeGreaterThan(DEFAULT_FIRING_MS - 60_000);

    // Each alert its own group; Alertmanager repeats a group that still fires (repeat_interval 3 s).
    await waitFor('the certificate alert notified twice', async () =>
      about(certificate).length >= 2 ? true : undefined,
    );
    expect(about(certificate).every((n) => n.status === 'firing' && n.alerts.length === 1)).toBe(true);
    expect(about(model).length).toBeGreaterThan(0);
    expect(about(certificate)[0]!.alerts[0]!.annotations.runbook_url).toBe('README.md#security-workflows');

    await send({ ...certificate, resolved: true });
    const resolved = await waitFor('the certificate alert resolved at the receiver', async () =>
      about(certificate).find((n) => n.status === 'resolved'),
    );
    expect(resolved.alerts[0]).toMatchObject({ status: 'resolved', labels: { dedup: certificate.dedupKey } });
    expect((await active()).map((a) => a.labels.dedup)).toEqual([model.dedupKey]);
  }, 60_000);
});
