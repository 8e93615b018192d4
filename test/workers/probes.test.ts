// The pod's probes on the worker's metrics port (deploy/worker.yaml): live while the process serves,
// ready only while the worker polls, so a rollout waits for a worker that has really started.
import { afterEach, describe, expect, it } from 'vitest';
import { startMetricsServer, type MetricsServer } from '../../workers/metrics/server.ts';

let server: MetricsServer | undefined;
afterEach(async () => server?.close());

describe('probes', () => {
  it('/readyz answers 503 until the worker polls, /healthz 200 throughout', async () => {
    let polling = false;
    server = await startMetricsServer({ address: '127.0.0.1:0', collect: async () => [], ready: () => polling });
    const probe = async (path: string) => {
      const answer = await fetch(server!.url.replace('/metrics', path));
      return { status: answer.status, body: await answer.text() };
    };
    await expect(probe('/readyz')).resolves.toEqual({ status: 503, body: 'not polling\n' });
    await expect(probe('/healthz')).resolves.toEqual({ status: 200, body: 'ok\n' });
    polling = true;
    await expect(probe('/readyz')).resolves.toEqual({ status: 200, body: 'ok\n' });
    await expect(probe('/nothing')).resolves.toMatchObject({ status: 404 });
  });
});
