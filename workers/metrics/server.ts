// The worker's `/metrics`: the product's figures (./product-metrics.ts) followed by the Temporal SDK's
// own (task slots, polls, latencies), which the SDK's exporter serves on a loopback port only this
// server reads. One scrape target per worker. Product figures are read at most every `cacheMs`, and
// one collection serves every scrape that arrives while it runs. The same port answers the pod's
// probes: `/healthz` (the process serves) and `/readyz` (the worker polls).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { renderFamilies, type Family } from './exposition.ts';

export interface MetricsServerOptions {
  /** `host:port` to listen on (PNO_METRICS_ADDRESS). */
  address: string;
  collect: () => Promise<Family[]>;
  /** The SDK's Prometheus exporter, appended to every scrape. */
  sdkMetricsUrl?: string;
  cacheMs?: number;
  /** For `/readyz` (the pod's readiness probe): true while the worker polls. `/healthz` answers while the process serves. */
  ready?: () => boolean;
}

export interface MetricsServer {
  /** `http://host:port/metrics` as bound (the real port when 0 was asked for). */
  url: string;
  close(): Promise<void>;
}

const SDK_TIMEOUT_MS = 5_000;

function splitAddress(address: string): { host: string; port: number } {
  const at = address.lastIndexOf(':');
  return { host: address.slice(0, at).replace(/^\[(.*)\]$/, '$1'), port: Number(address.slice(at + 1)) };
}

export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const cacheMs = options.cacheMs ?? 15_000;
  let cached: { at: number; text: string } | undefined;
  let collecting: Promise<string> | undefined;
  const product = async (): Promise<string> => {
    if (cached && Date.now() - cached.at < cacheMs) return cached.text;
    collecting ??= options
      .collect()
      .then((families) => {
        cached = { at: Date.now(), text: renderFamilies(families) };
        return cached.text;
      })
      .finally(() => {
        collecting = undefined;
      });
    return collecting;
  };
  const sdk = async (): Promise<string> => {
    if (!options.sdkMetricsUrl) return '';
    const response = await fetch(options.sdkMetricsUrl, { signal: AbortSignal.timeout(SDK_TIMEOUT_MS) });
    return response.ok ? response.text() : '';
  };

  const server: Server = createServer((request, response) => {
    const path = request.url?.split('?')[0];
    if (request.method === 'GET' && (path === '/healthz' || path === '/readyz')) {
      const ok = path === '/healthz' || (options.ready?.() ?? true);
      response.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' }).end(ok ? 'ok\n' : 'not polling\n');
      return;
    }
    if (request.method !== 'GET' || path !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    Promise.all([product(), sdk().catch(() => '# the SDK metrics could not be read\n')]).then(
      ([own, theirs]) => {
        response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(own + theirs);
      },
      (err: unknown) => {
        response.writeHead(500, { 'Content-Type': 'text/plain' }).end(`metrics collection failed: ${String(err)}\n`);
      },
    );
  });
  const { host, port } = splitAddress(options.address);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const shownHost = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;
  return {
    url: `http://${shownHost}:${bound.port}/metrics`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** A free loopback port for the SDK's exporter, which must be told one. */
export async function freeLoopbackPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}
