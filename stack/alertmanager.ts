// A real Alertmanager (Debian's prometheus-alertmanager, scripts/tools/ensure-monitoring.sh) on a
// free loopback port, routing every alert to one webhook receiver. Short group and repeat intervals,
// so grouping, re-sends while firing and resolution all show within seconds.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, startProcess, waitUntil } from './process.ts';

export interface LocalAlertmanager {
  /** Base URL, as PNO_ALERTMANAGER_URL takes it. */
  url: string;
  stop(): Promise<void>;
}

export interface AlertmanagerOptions {
  /** Where notifications go (Alertmanager's webhook_config). */
  webhookUrl: string;
  groupWait?: string;
  groupInterval?: string;
  repeatInterval?: string;
}

export async function startAlertmanager(options: AlertmanagerOptions): Promise<LocalAlertmanager> {
  const dir = await mkdtemp(join(tmpdir(), 'pno-alertmanager-'));
  const port = await freePort();
  const config = {
    route: {
      receiver: 'webhook',
      // One notification per product alert: the labels that identify it (activities/alerts/alertmanager.ts).
      group_by: ['alertname', 'dedup'],
      group_wait: options.groupWait ?? '1s',
      group_interval: options.groupInterval ?? '1s',
      repeat_interval: options.repeatInterval ?? '3s',
    },
    receivers: [{ name: 'webhook', webhook_configs: [{ url: options.webhookUrl, send_resolved: true }] }],
  };
  await writeFile(join(dir, 'alertmanager.yml'), stringify(config));
  const url = `http://127.0.0.1:${port}`;
  const server = startProcess(
    'alertmanager',
    process.env.PNO_ALERTMANAGER_PATH ?? 'prometheus-alertmanager',
    [
      `--config.file=${join(dir, 'alertmanager.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      // A single instance: no gossip port, no peers.
      '--cluster.listen-address=',
    ],
    { logFile: join(dir, 'alertmanager.log'), processGroup: 'terminal' },
  );
  await waitUntil('alertmanager', async () => (await fetch(`${url}/-/ready`)).ok, {
    timeoutMs: 30_000,
    process: server,
  });
  return {
    url,
    async stop() {
      await server.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
