// The SDK runtime of the worker process, installed once: JSON logs, and, when the worker serves
// metrics, the SDK's Prometheus exporter on a loopback port that the worker's /metrics appends.
import type { Logger, LogLevel } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';
import { jsonLogger } from './logging.ts';
import { freeLoopbackPort } from './metrics/server.ts';

export interface InstalledRuntime {
  logger: Logger;
  /** Where the SDK's own metrics are read from; absent when the worker serves none. */
  sdkMetricsUrl?: string;
}

export async function installRuntime(options: { logLevel: LogLevel; metrics: boolean }): Promise<InstalledRuntime> {
  const logger = jsonLogger(options.logLevel);
  if (!options.metrics) {
    Runtime.install({ logger });
    return { logger };
  }
  const bindAddress = `127.0.0.1:${await freeLoopbackPort()}`;
  Runtime.install({ logger, telemetryOptions: { metrics: { prometheus: { bindAddress } } } });
  return { logger, sdkMetricsUrl: `http://${bindAddress}/metrics` };
}
