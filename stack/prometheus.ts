// A real Prometheus (Debian's 2.42, scripts/tools/ensure-monitoring.sh) on a free loopback port,
// scraping fixed targets every second and evaluating the given rule files every second. Debian builds
// it without Kubernetes service discovery, so targets are listed (pod addresses on the node bridge).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, startProcess, waitUntil } from './process.ts';

export interface PrometheusOptions {
  /** Scrape jobs: job name → `host:port` targets (path /metrics). */
  jobs: Record<string, string[]>;
  /** Absolute paths of rule files to evaluate. */
  ruleFiles?: string[];
  /** An Alertmanager base URL (`http://host:port`) to send firing alerts to. */
  alertmanagerUrl?: string;
}

export interface Sample {
  metric: Record<string, string>;
  value: [number, string];
}

export interface LocalPrometheus {
  url: string;
  /** An instant query's vector. */
  query(expr: string): Promise<Sample[]>;
  stop(): Promise<void>;
}

export async function startPrometheus(options: PrometheusOptions): Promise<LocalPrometheus> {
  const dir = await mkdtemp(join(tmpdir(), 'pno-prometheus-'));
  const port = await freePort();
  const config = {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    rule_files: options.ruleFiles ?? [],
    ...(options.alertmanagerUrl
      ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [new URL(options.alertmanagerUrl).host] }] }] } }
      : {}),
    scrape_configs: Object.entries(options.jobs).map(([job, targets]) => ({
      job_name: job,
      static_configs: [{ targets }],
    })),
  };
  await writeFile(join(dir, 'prometheus.yml'), stringify(config));
  const url = `http://127.0.0.1:${port}`;
  const server = startProcess(
    'prometheus',
    process.env.PNO_PROMETHEUS_PATH ?? 'prometheus',
    [
      `--config.file=${join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    { logFile: join(dir, 'prometheus.log'), processGroup: 'terminal' },
  );
  await waitUntil('prometheus', async () => (await fetch(`${url}/-/ready`)).ok, { timeoutMs: 30_000, process: server });
  return {
    url,
    async query(expr) {
      const answer = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
      const body = (await answer.json()) as { status: string; error?: string; data?: { result: Sample[] } };
      if (body.status !== 'success') throw new Error(`prometheus query ${expr}: ${body.error ?? answer.status}`);
      return body.data!.result;
    },
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
