// The guide's alert rules as shipped (deploy/monitoring/rules/), evaluated by a real Prometheus that
// scrapes the fixture service's pods on the real node, with a real Alertmanager behind it: one pod
// made slow fires PNOHighLatency after the rule's 5 minutes, the fast one never does, and the alert
// reaches the Alertmanager's receiver.
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { listPods } from '../../activities/kubernetes/status.ts';
import { startAlertmanager } from '../../stack/alertmanager.ts';
import { startPrometheus } from '../../stack/prometheus.ts';
import { startReceiver } from '../alerts/receiver.ts';
import { testKube } from '../helpers/kube.ts';
import { SERVICE_SELECTOR, podIp, predictionTraffic, serviceCopy, slowPredictions } from '../helpers/service.ts';
import { waitFor } from '../helpers/wait.ts';

const rules = ['guide.rules.yml', 'maintenance.rules.yml'].map((f) =>
  fileURLToPath(new URL(`../../deploy/monitoring/rules/${f}`, import.meta.url)),
);

describe('the guide rules on a real Prometheus', () => {
  it(
    'a pod whose predictions take 0.8 s fires PNOHighLatency after 5 minutes, through Alertmanager; the fast pod does not',
    { timeout: 9 * 60_000 },
    async () => {
      const namespace = await serviceCopy('prom');
      const pods = (await listPods(testKube(), namespace, SERVICE_SELECTOR)).filter((p) => p.ready);
      const [slow, fast] = await Promise.all(pods.map((p) => podIp(namespace, p.name)));
      const receiver = await startReceiver();
      const alertmanager = await startAlertmanager({ webhookUrl: `${receiver.url}/alertmanager` });
      const prometheus = await startPrometheus({
        jobs: { 'pno-physics-bench': [`${slow}:8000`, `${fast}:8000`] },
        ruleFiles: rules,
        alertmanagerUrl: alertmanager.url,
      });
      await slowPredictions(slow!, 0.8);
      const stops = [predictionTraffic(slow!), predictionTraffic(fast!)];
      onTestFinished(async () => {
        await Promise.all(stops.map((stop) => stop()));
        await prometheus.stop();
        await alertmanager.stop();
        await receiver.close();
      });

      const up = await waitFor('both pods scraped', async () => {
        const result = await prometheus.query('up{job="pno-physics-bench"} == 1');
        return result.length === 2 ? result : undefined;
      });
      expect(up.map((s) => s.metric.instance).sort()).toEqual([`${slow}:8000`, `${fast}:8000`].sort());

      const inState = (state: 'pending' | 'firing', timeoutMs: number) =>
        waitFor(
          `PNOHighLatency ${state}`,
          async () => {
            const found = await prometheus.query(`ALERTS{alertname="PNOHighLatency", alertstate="${state}"}`);
            return found.length > 0 ? found.map((s) => s.metric.instance) : undefined;
          },
          timeoutMs,
        );
      // The p95 is over 0.5 s as soon as two scrapes have seen the slow predictions: pending.
      expect(await inState('pending', 90_000)).toEqual([`${slow}:8000`]);
      // Firing once it has held for the rule's 5 minutes; the fast pod never.
      expect(await inState('firing', 7 * 60_000)).toEqual([`${slow}:8000`]);
      const notified = await waitFor('Alertmanager notified', async () =>
        receiver.requests
          .map((r) => r.body as { alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] })
          .flatMap((n) => n.alerts)
          .find((a) => a.labels.alertname === 'PNOHighLatency'),
      );
      expect(notified.labels).toMatchObject({
        severity: 'warning',
        instance: `${slow}:8000`,
        job: 'pno-physics-bench',
      });
      expect(notified.annotations.summary).toBe('PNO inference latency is high');
      expect(notified.annotations.description).toMatch(/^95th percentile latency is 0\.\d+s$/);
    },
  );
});
