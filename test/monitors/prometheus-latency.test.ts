// The guide's p95 query on a real Prometheus that scrapes a copy of the service on the real node,
// one pod's predictions slowed to 0.8 s: what the latency read reports (and why, when it cannot), the
// daily routine's performance analysis judging that figure, and the performance optimizer asking for
// replicas on it where low CPU alone would have it scale down.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpActivities } from '../../activities/http/index.ts';
import { createKubernetesActivities } from '../../activities/kubernetes/index.ts';
import { createAlertActivities } from '../../activities/alerts/index.ts';
import { listPods } from '../../activities/kubernetes/status.ts';
import { startInferenceApi, type InferenceApi } from '../../stack/inference-api.ts';
import { startPrometheus, type LocalPrometheus } from '../../stack/prometheus.ts';
import type { LatencyReading } from '../../types/index.ts';
import { dailyMaintenanceWorkflow, performanceOptimizerWorkflow } from '../../workflows/index.ts';
import { serviceTarget } from '../../workflows/shared/target.ts';
import { startReceiver, type Receiver } from '../alerts/receiver.ts';
import { testKube, workerKube } from '../helpers/kube.ts';
import { closedPort } from '../helpers/net.ts';
import { SERVICE_SELECTOR, podIp, predictionTraffic, serviceCopy, slowPredictions } from '../helpers/service.ts';
import { withWorker } from '../helpers/temporal.ts';
import { waitFor } from '../helpers/wait.ts';
import { dailyStubs, realActivities, stepsByName } from '../routines/helpers.ts';
import { hpa, podMetrics } from './fixtures.ts';

const query = serviceTarget.latencyQuery;
let namespace: string;
let slow: string;
let prometheus: LocalPrometheus;
let api: InferenceApi;
let receiver: Receiver;
let stopTraffic: (() => Promise<void>)[] = [];

beforeAll(async () => {
  namespace = await serviceCopy('latency');
  const pods = (await listPods(testKube(), namespace, SERVICE_SELECTOR)).filter((p) => p.ready);
  const ips = await Promise.all(pods.map((p) => podIp(namespace, p.name)));
  slow = ips[0]!;
  [prometheus, api, receiver] = await Promise.all([
    startPrometheus({ jobs: { 'pno-physics-bench': ips.map((ip) => `${ip}:8000`) } }),
    startInferenceApi(),
    startReceiver(),
  ]);
  // Slowed before any prediction: every observation of that pod lands in the (0.5 s, 1 s] bucket.
  await slowPredictions(slow, 0.8);
  stopTraffic = ips.map(predictionTraffic);
});
afterAll(async () => {
  await Promise.all(stopTraffic.map((stop) => stop()));
  await Promise.all([prometheus?.stop(), api?.close(), receiver?.close()]);
});

/** The read as the worker makes it, once both pods have two scrapes with predictions in them. */
async function measured(): Promise<Extract<LatencyReading, { source: 'prometheus' }>> {
  const { readLatencyP95 } = createHttpActivities({ prometheusUrl: prometheus.url });
  return waitFor(
    'both pods in the p95',
    async () => {
      const reading = await readLatencyP95({ query, timeoutMs: 5_000 });
      return reading.source === 'prometheus' && reading.series === 2 ? reading : undefined;
    },
    60_000,
  );
}

describe('the p95 latency from Prometheus', () => {
  it('reports the slowest pod by its instance, and why there is no figure when there is none', async () => {
    const reading = await measured();
    // histogram_quantile interpolates inside the (0.5, 1] bucket: 0.5 + 0.95 × 0.5 s.
    expect(reading).toEqual({
      source: 'prometheus',
      query,
      p95Ms: 975,
      series: 2,
      worst: { instance: `${slow}:8000`, job: 'pno-physics-bench' },
    });

    const read = (prometheusUrl: string | undefined, q = query) =>
      createHttpActivities(prometheusUrl ? { prometheusUrl } : {}).readLatencyP95({ query: q, timeoutMs: 5_000 });
    expect(await read(undefined)).toEqual({
      source: 'none',
      reason: 'no Prometheus configured (PNO_PROMETHEUS_URL on the worker)',
    });
    expect(await read(`http://127.0.0.1:${await closedPort()}`)).toEqual({
      source: 'none',
      reason: expect.stringMatching(/^Prometheus unreachable: connect ECONNREFUSED/),
    });
    expect(await read(prometheus.url, 'histogram_quantile(0.95,')).toEqual({
      source: 'none',
      reason: expect.stringMatching(/^Prometheus refused the query: .*parse error/),
    });
    expect(await read(prometheus.url, 'up[1m]')).toEqual({
      source: 'none',
      reason: 'the query gives a matrix, not an instant vector',
    });
    const idle = 'histogram_quantile(0.95, rate(pno_inference_duration_seconds_bucket{job="nothing-here"}[5m]))';
    expect(await read(prometheus.url, idle)).toEqual({
      source: 'none',
      reason: `Prometheus has no latency series (no inference in the window?) for ${idle}`,
    });
  });

  it("the daily performance analysis judges Prometheus' p95, and without Prometheus probes /health, saying so", async () => {
    await measured();
    const env = { api, receiver, kube: workerKube() };
    const analysis = async (prometheusUrl?: string) => {
      const { activities } = await realActivities({ ...env, ...(prometheusUrl ? { prometheusUrl } : {}) }, dailyStubs);
      const report = await withWorker(activities, ({ client, taskQueue }) =>
        client.workflow.execute(dailyMaintenanceWorkflow, {
          taskQueue,
          workflowId: `daily-latency-${randomUUID()}`,
          args: [{ namespace, latencyProbes: 3, latencyP95LimitMs: 500 }],
        }),
      );
      return stepsByName(report)['performance analysis'];
    };
    expect(await analysis(prometheus.url)).toMatchObject({
      status: 'warn',
      detail: `p95 975 ms from Prometheus, the slowest of 2 series (instance="${slow}:8000", job="pno-physics-bench") (limit 500 ms)`,
    });
    // The loopback API answers /health at once: the probes see no latency problem, and say what they are.
    expect(await analysis()).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(
        /^probing \/health \(no Prometheus configured \(PNO_PROMETHEUS_URL on the worker\)\): p50 [\d.]+ ms, p95 [\d.]+ ms over 3 probes, 0 failed$/,
      ),
    });
  });

  it('the performance optimizer asks for two more replicas on a slow p95 where low CPU alone would scale down', async () => {
    await measured();
    const activities = {
      ...createKubernetesActivities(workerKube()),
      ...createAlertActivities({ webhookUrl: receiver.url }),
      ...createHttpActivities({ prometheusUrl: prometheus.url }),
      // 200m is the guide's "low CPU": without the latency figure this is a decrease_replicas.
      podMetrics: async () => podMetrics([{ cpu: 200, memory: 1000 }]),
      getHpa: async () => hpa({ currentReplicas: 4 }),
    };
    const status = await withWorker(activities, ({ client, taskQueue }) =>
      client.workflow.execute(performanceOptimizerWorkflow, {
        taskQueue,
        workflowId: `performance-latency-${randomUUID()}`,
        args: [{ namespace, intervalSeconds: 1, sampleLimit: 10, historyPrefix: '' }],
      }),
    );
    expect(status.latest?.latencyP95Ms).toBe(975);
    expect(status.latency).toBe('p95 975 ms from Prometheus, the slowest of 2 series');
    expect(status.pending).toEqual([
      {
        action: 'increase_replicas',
        urgency: 'medium',
        replicas: 6,
        reason: 'High p95 latency: 975 ms average over 10 samples (limit 500 ms)',
      },
    ]);
  });
});
